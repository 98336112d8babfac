import type { Operation } from '../s3/s3.types.js';
import { onward, uploadBody } from './onward.js';
import { passThrough, xmlAnswer } from './remote-result.js';

export const HeadObject: Operation = {
  name: 'HeadObject',
  access: 'read',
  query: ['versionId', 'partNumber'],
  run: async (ctx) => passThrough(await onward(ctx), { head: true, isObject: true }),
};

/** Range (206), unsatisfiable ranges (416) and conditional headers are the remote's answer, streamed back. */
export const GetObject: Operation = {
  name: 'GetObject',
  access: 'read',
  query: ['versionId', 'partNumber', 'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'response-content-language', 'response-content-type', 'response-expires'],
  run: async (ctx) => passThrough(await onward(ctx), { isObject: true }),
};

export const PutObject: Operation = {
  name: 'PutObject',
  access: 'write',
  run: async (ctx) => {
    const { stream, contentLength } = uploadBody(ctx);
    return passThrough(await onward(ctx, { body: stream, contentLength }), { isObject: true });
  },
};

/** The source bucket was authorized too (authorize stage); S3 may answer 200 with an <Error> document. */
export const CopyObject: Operation = {
  name: 'CopyObject',
  access: 'write',
  run: async (ctx) => {
    ctx.req.resume();
    return xmlAnswer(await onward(ctx), { isObject: true });
  },
};

export const DeleteObject: Operation = {
  name: 'DeleteObject',
  access: 'write',
  query: ['versionId'],
  run: async (ctx) => passThrough(await onward(ctx), { isObject: true }),
};
