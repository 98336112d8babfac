import { BUCKET_NAME_RE } from '@bucketgate/contracts';
import { S3Error } from '../protocol/index.js';
import type { S3Ctx } from './s3.types.js';

const MAX_KEY_BYTES = 1024;

/**
 * Stage 1: split the request line into what the later stages need. Path-style (`/bucket/key`) always works;
 * virtual-host style (`bucket.<GATEWAY_DOMAIN>/key`) when the Host header ends with the configured domain.
 * The raw path and query are kept exactly as received for the signature check.
 */
export function parseRequest(ctx: S3Ctx): void {
  const url = ctx.req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  ctx.signed = { method: (ctx.req.method ?? 'GET').toUpperCase(), rawPath, rawQuery, headers: ctx.req.headers };
  ctx.query = new URLSearchParams(rawQuery);

  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI', 'The request path must start with "/".');
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI (bad percent-encoding).");
  }

  const hostBucket = bucketFromHost(ctx.req.headers.host, ctx.settings.domain);
  let bucket: string | undefined;
  let key: string | undefined;
  if (hostBucket !== undefined) {
    bucket = hostBucket;
    key = path.slice(1);
  } else {
    const rest = path.slice(1);
    const slash = rest.indexOf('/');
    bucket = slash === -1 ? rest : rest.slice(0, slash);
    key = slash === -1 ? '' : rest.slice(slash + 1);
  }
  if (bucket === '') bucket = undefined;
  if (key === '') key = undefined;

  if (bucket !== undefined && !BUCKET_NAME_RE.test(bucket)) {
    throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
  }
  if (key !== undefined && Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', `Your key is too long (at most ${MAX_KEY_BYTES} bytes).`);
  }
  if (key !== undefined && hasDotSegment(key)) {
    // A remote that normalizes paths would read `/a/../b/k` as bucket b: such keys never go onward.
    throw new S3Error('InvalidArgument', 'Object keys with "." or ".." path segments are not supported.', { ArgumentName: 'key' });
  }
  ctx.bucket = bucket;
  ctx.key = key;
}

export function hasDotSegment(key: string): boolean {
  return key.split('/').some((seg) => seg === '.' || seg === '..');
}

/** `<bucket>.<domain>[:port]` -> bucket; the bare domain, other hosts and no domain configured -> undefined. */
export function bucketFromHost(host: string | undefined, domain: string | undefined): string | undefined {
  if (!host || !domain) return undefined;
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const suffix = `.${domain}`;
  if (!name.endsWith(suffix)) return undefined;
  const bucket = name.slice(0, -suffix.length);
  return bucket === '' ? undefined : bucket;
}
