import { S3Error } from '../protocol/index.js';
import type { Operation } from '../s3/s3.types.js';
import { md5Base64, onward, smallBody } from './onward.js';
import { passThrough, xmlAnswer } from './remote-result.js';

export const HeadBucket: Operation = {
  name: 'HeadBucket',
  access: 'read',
  run: async (ctx) => passThrough(await onward(ctx), { head: true, isObject: false }),
};

export const GetBucketLocation: Operation = {
  name: 'GetBucketLocation',
  access: 'read',
  query: ['location'],
  run: async (ctx) => passThrough(await onward(ctx), { isObject: false }),
};

/** prefix, delimiter, max-keys, continuation-token, start-after, encoding-type, fetch-owner: passed through. */
export const ListObjectsV2: Operation = {
  name: 'ListObjectsV2',
  access: 'read',
  query: ['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'encoding-type', 'fetch-owner'],
  run: async (ctx) => passThrough(await onward(ctx), { isObject: false }),
};

export const ListObjects: Operation = {
  name: 'ListObjects',
  access: 'read',
  query: ['prefix', 'delimiter', 'max-keys', 'marker', 'encoding-type'],
  run: async (ctx) => passThrough(await onward(ctx), { isObject: false }),
};

/** At most 1000 keys of at most 1024 bytes each, plus markup. */
export const DELETE_OBJECTS_MAX_BODY = 2 * 1024 * 1024;

/** The body is read whole (small, capped) so its Content-MD5 can be sent, which S3 requires for this call. */
export const DeleteObjects: Operation = {
  name: 'DeleteObjects',
  access: 'write',
  query: ['delete'],
  run: async (ctx) => {
    const body = await smallBody(ctx, DELETE_OBJECTS_MAX_BODY);
    if (body.length === 0) throw new S3Error('MalformedXML');
    const res = await onward(ctx, {
      headers: { 'content-type': 'application/xml', 'content-md5': md5Base64(body) },
      body,
    });
    return xmlAnswer(res, { isObject: false });
  },
};

/**
 * Buckets are managed by the datasource operator. CreateBucket on a bucket this datasource already serves answers
 * 200 as S3 does for a bucket its caller owns (us-east-1 semantics), so tools that "make sure the bucket exists"
 * before uploading (rclone, s3fs, some SDK helpers) work; any other CreateBucket is NotImplemented.
 */
export const CreateBucket: Operation = {
  name: 'CreateBucket',
  access: 'write',
  run: async (ctx) => {
    // the client may send a CreateBucketConfiguration: read (bounded) and verify it so the connection stays usable
    await smallBody(ctx, 64 * 1024);
    const res = await onward(ctx, { method: 'HEAD', query: [], headers: {}, body: undefined, contentLength: undefined });
    res.body.resume();
    if (res.status === 200) return { status: 200, headers: { location: `/${ctx.bucket}`, 'content-length': 0 } };
    throw new S3Error('NotImplemented', 'CreateBucket is not available through the gateway: buckets are created by the datasource operator.');
  },
};

export const DeleteBucket: Operation = {
  name: 'DeleteBucket',
  access: 'write',
  run: async () => {
    throw new S3Error('NotImplemented', 'DeleteBucket is not available through the gateway: buckets are managed by the datasource operator.');
  },
};
