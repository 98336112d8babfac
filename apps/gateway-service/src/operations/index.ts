import { S3Error } from '../protocol/index.js';
import type { OpName, Operation } from '../s3/s3.types.js';
import { CreateBucket, DeleteBucket, DeleteObjects, GetBucketLocation, HeadBucket, ListObjects, ListObjectsV2 } from './bucket.ops.js';
import { ListBuckets } from './list-buckets.op.js';
import {
  AbortMultipartUpload, CompleteMultipartUpload, CreateMultipartUpload, ListMultipartUploads, ListParts, UploadPart, UploadPartCopy,
} from './multipart.ops.js';
import { CopyObject, DeleteObject, GetObject, HeadObject, PutObject } from './object.ops.js';

/** Every operation a route can name. */
export const OPERATIONS: Record<Exclude<OpName, 'Unsupported'>, Operation> = {
  ListBuckets,
  HeadBucket,
  GetBucketLocation,
  ListObjectsV2,
  ListObjects,
  ListMultipartUploads,
  DeleteObjects,
  CreateBucket,
  DeleteBucket,
  HeadObject,
  GetObject,
  PutObject,
  CopyObject,
  DeleteObject,
  CreateMultipartUpload,
  UploadPart,
  UploadPartCopy,
  CompleteMultipartUpload,
  AbortMultipartUpload,
  ListParts,
};

/**
 * A request no route implements. It still passes authentication and authorization (reads need a selected
 * bucket; anything that is not GET/HEAD counts as a write), then answers NotImplemented.
 */
export function unsupported(method: string, description: string, bucketScoped: boolean): Operation {
  return {
    name: 'Unsupported',
    access: !bucketScoped ? 'service' : method === 'GET' || method === 'HEAD' ? 'read' : 'write',
    run: async () => {
      throw new S3Error('NotImplemented', `bucketgate does not implement this S3 operation (${description}).`);
    },
  };
}
