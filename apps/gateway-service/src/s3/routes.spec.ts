import type { IncomingHttpHeaders } from 'node:http';
import { matchRoute } from './routes.js';

const COPY: IncomingHttpHeaders = { 'x-amz-copy-source': '/alpha/src' };

describe(matchRoute.name, () => {
  it.each([
    ['GET', undefined, undefined, '', {}, 'ListBuckets'],
    ['HEAD', 'b', undefined, '', {}, 'HeadBucket'],
    ['GET', 'b', undefined, 'location', {}, 'GetBucketLocation'],
    ['GET', 'b', undefined, 'list-type=2&prefix=a&continuation-token=x', {}, 'ListObjectsV2'],
    ['GET', 'b', undefined, 'prefix=a&marker=m&x-id=ListObjects', {}, 'ListObjects'],
    ['GET', 'b', undefined, 'uploads&prefix=a', {}, 'ListMultipartUploads'],
    ['POST', 'b', undefined, 'delete', {}, 'DeleteObjects'],
    ['PUT', 'b', undefined, '', {}, 'CreateBucket'],
    ['DELETE', 'b', undefined, '', {}, 'DeleteBucket'],
    ['HEAD', 'b', 'k', '', {}, 'HeadObject'],
    ['HEAD', 'b', 'k', 'partNumber=1', {}, 'HeadObject'],
    ['GET', 'b', 'k', '', {}, 'GetObject'],
    ['GET', 'b', 'k', 'versionId=v1&response-content-type=text%2Fplain', {}, 'GetObject'],
    ['GET', 'b', 'k', 'uploadId=u', {}, 'ListParts'],
    ['PUT', 'b', 'k', '', {}, 'PutObject'],
    ['PUT', 'b', 'k', 'x-id=PutObject', {}, 'PutObject'],
    ['PUT', 'b', 'k', '', COPY, 'CopyObject'],
    ['PUT', 'b', 'k', 'partNumber=2&uploadId=u', {}, 'UploadPart'],
    ['PUT', 'b', 'k', 'partNumber=2&uploadId=u', COPY, 'UploadPartCopy'],
    ['DELETE', 'b', 'k', '', {}, 'DeleteObject'],
    ['DELETE', 'b', 'k', 'uploadId=u', {}, 'AbortMultipartUpload'],
    ['POST', 'b', 'k', 'uploads', {}, 'CreateMultipartUpload'],
    ['POST', 'b', 'k', 'uploadId=u', {}, 'CompleteMultipartUpload'],
  ])('%s bucket=%s key=%s ?%s -> %s', (method, bucket, key, qs, headers, op) => {
    const m = matchRoute({ method, bucket, key, query: new URLSearchParams(qs), headers });
    expect(m.route?.op).toBe(op);
  });

  it.each([
    ['GET', 'b', undefined, 'acl', 'GET on a bucket with ?acl'],
    ['PUT', 'b', undefined, 'versioning', 'PUT on a bucket with ?versioning'],
    ['GET', 'b', undefined, 'list-type=1', 'GET on a bucket with ?list-type'],
    ['GET', 'b', 'k', 'tagging', 'GET on a object with ?tagging'],
    ['PUT', 'b', 'k', 'acl', 'PUT on a object with ?acl'],
    ['POST', 'b', 'k', '', 'POST on a object'],
    ['POST', 'b', 'k', 'select&select-type=2', 'POST on a object with ?select'],
    ['PUT', undefined, undefined, '', 'PUT on a service'],
    ['PATCH', 'b', 'k', '', 'PATCH on a object'],
    ['PUT', 'b', 'k', 'uploadId=u', 'PUT on a object with ?uploadId'],
  ])('%s bucket=%s key=%s ?%s is not implemented (%s)', (method, bucket, key, qs, description) => {
    const m = matchRoute({ method, bucket, key, query: new URLSearchParams(qs), headers: {} });
    expect(m.route).toBeUndefined();
    expect(m).toEqual({ description });
  });
});
