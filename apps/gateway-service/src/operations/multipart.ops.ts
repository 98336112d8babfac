import { xmlEscape } from '../protocol/index.js';
import { encodeKey } from '../remote/remote-address.js';
import type { AuthorizedCtx, Operation } from '../s3/s3.types.js';
import { onward, smallBody, uploadBody } from './onward.js';
import { passThrough, xmlAnswer } from './remote-result.js';

export const CreateMultipartUpload: Operation = {
  name: 'CreateMultipartUpload',
  access: 'write',
  query: ['uploads'],
  run: async (ctx) => {
    ctx.req.resume();
    return xmlAnswer(await onward(ctx), { isObject: true });
  },
};

export const UploadPart: Operation = {
  name: 'UploadPart',
  access: 'write',
  query: ['partNumber', 'uploadId'],
  run: async (ctx) => {
    const { stream, contentLength } = uploadBody(ctx);
    return passThrough(await onward(ctx, { body: stream, contentLength }), { isObject: true });
  },
};

export const UploadPartCopy: Operation = {
  name: 'UploadPartCopy',
  access: 'write',
  query: ['partNumber', 'uploadId'],
  run: async (ctx) => {
    ctx.req.resume();
    return xmlAnswer(await onward(ctx), { isObject: true });
  },
};

/** 10,000 parts with ETags and checksums fit well below this. */
export const COMPLETE_MULTIPART_MAX_BODY = 8 * 1024 * 1024;

/** The object's URL as this gateway serves it (the remote's own Location would name the remote). */
export function gatewayLocation(ctx: AuthorizedCtx): string {
  return `${ctx.settings.publicUrl}/${ctx.bucket}/${encodeKey(ctx.key ?? '')}`;
}

export const CompleteMultipartUpload: Operation = {
  name: 'CompleteMultipartUpload',
  access: 'write',
  query: ['uploadId'],
  run: async (ctx) => {
    const body = await smallBody(ctx, COMPLETE_MULTIPART_MAX_BODY);
    const res = await onward(ctx, { headers: { 'content-type': 'application/xml' }, body });
    return xmlAnswer(res, {
      isObject: true,
      transform: (xml) => xml.replace(/<Location>[\s\S]*?<\/Location>/, `<Location>${xmlEscape(gatewayLocation(ctx))}</Location>`),
    });
  },
};

export const AbortMultipartUpload: Operation = {
  name: 'AbortMultipartUpload',
  access: 'write',
  query: ['uploadId'],
  run: async (ctx) => passThrough(await onward(ctx), { isObject: true }),
};

export const ListParts: Operation = {
  name: 'ListParts',
  access: 'read',
  query: ['uploadId', 'max-parts', 'part-number-marker', 'encoding-type'],
  run: async (ctx) => passThrough(await onward(ctx), { isObject: true }),
};

export const ListMultipartUploads: Operation = {
  name: 'ListMultipartUploads',
  access: 'read',
  query: ['uploads', 'prefix', 'delimiter', 'max-uploads', 'key-marker', 'upload-id-marker', 'encoding-type'],
  run: async (ctx) => passThrough(await onward(ctx), { isObject: false }),
};
