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

const managedByOperator = (name: 'CreateBucket' | 'DeleteBucket'): Operation => ({
  name,
  access: 'write',
  run: async () => {
    throw new S3Error('NotImplemented', `${name} is not available through the gateway: buckets are managed by the datasource operator.`);
  },
});
export const CreateBucket = managedByOperator('CreateBucket');
export const DeleteBucket = managedByOperator('DeleteBucket');
