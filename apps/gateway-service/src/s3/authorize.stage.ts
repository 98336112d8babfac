import { BUCKET_NAME_RE } from '@bucketgate/contracts';
import { S3Error } from '../protocol/index.js';
import { hasDotSegment } from './parse-request.stage.js';
import type { CopySource, S3Ctx } from './s3.types.js';

/**
 * Stage 5: may this datasource do this? The bucket must be selected (else AccessDenied, and the remote is never
 * contacted), writes need a writable datasource, and a copy must read from a selected bucket too.
 */
export function authorize(ctx: S3Ctx): void {
  const op = ctx.op!;
  const worker = ctx.worker!;
  if (op.access === 'service') return;
  const bucket = ctx.bucket;
  if (bucket === undefined || !worker.matches(bucket)) {
    throw new S3Error('AccessDenied', 'Access Denied: this bucket is not part of the datasource.', bucket ? { BucketName: bucket } : undefined);
  }
  if (op.access === 'write' && worker.readOnly) {
    throw new S3Error('AccessDenied', 'Access Denied: this datasource is read-only.');
  }
  const header = ctx.req.headers['x-amz-copy-source'];
  if ((op.name === 'CopyObject' || op.name === 'UploadPartCopy') && typeof header === 'string') {
    const source = parseCopySource(header);
    if (!worker.matches(source.bucket)) {
      throw new S3Error('AccessDenied', 'Access Denied: the copy source bucket is not part of the datasource.', { BucketName: source.bucket });
    }
    ctx.copySource = source;
  }
}

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, URL-encoded. */
export function parseCopySource(header: string): CopySource {
  let value = header.trim();
  let versionId: string | undefined;
  const q = value.indexOf('?');
  if (q !== -1) {
    versionId = new URLSearchParams(value.slice(q + 1)).get('versionId') ?? undefined;
    value = value.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    throw new S3Error('InvalidArgument', 'Invalid copy source encoding.', { ArgumentName: 'x-amz-copy-source' });
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  const slash = decoded.indexOf('/');
  const bucket = slash === -1 ? decoded : decoded.slice(0, slash);
  const key = slash === -1 ? '' : decoded.slice(slash + 1);
  if (!BUCKET_NAME_RE.test(bucket) || key === '' || hasDotSegment(key)) {
    throw new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey.', {
      ArgumentName: 'x-amz-copy-source',
    });
  }
  return versionId === undefined ? { bucket, key } : { bucket, key, versionId };
}
