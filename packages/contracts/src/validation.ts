import { z } from 'zod';
import { RE2JS } from 're2js';
import { BucketgateError } from './errors.js';

/** Datasource names: 1-63 of a-z 0-9 -, starting and ending with a letter or digit. */
export const DATASOURCE_NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const DatasourceName = z
  .string()
  .regex(DATASOURCE_NAME_RE, 'name must be 1-63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit');

/**
 * Bucket names as S3-compatible stores accept them: 3-63 characters of lowercase letters, digits, '.', '-'
 * (plus '_' and uppercase, which AWS's legacy us-east-1 buckets and some stores allow), starting and ending
 * with a letter or digit.
 */
export const BUCKET_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/;
export const BucketName = z.string().regex(BUCKET_NAME_RE, 'bucket names are 3-63 characters of letters, digits, ".", "-" and "_"');

/** Strict S3 rules for creating a new bucket (what AWS enforces today). */
export function validateNewBucketName(name: string): string | null {
  if (name.length < 3 || name.length > 63) return 'a bucket name is 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'a bucket name has only lowercase letters, digits, "." and "-"';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'a bucket name starts and ends with a letter or digit';
  if (name.includes('..')) return 'a bucket name has no two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'a bucket name is not formatted like an IP address';
  if (name.startsWith('xn--') || name.endsWith('-s3alias') || name.endsWith('--ol-s3')) return 'this bucket name prefix or suffix is reserved';
  return null;
}

export const REGION_RE = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Normalizes an endpoint to `scheme://host[:port]`. Empty (or only spaces) means AWS S3 and returns undefined.
 * A value without a scheme is refused with a message that says how to fix it: guessing http or https
 * would silently send credentials in clear text or fail TLS later.
 */
export function normalizeEndpoint(raw: string | undefined | null): string | undefined {
  const value = (raw ?? '').trim();
  if (value === '') return undefined;
  // `javascript:alert(1)`, `file:/etc/passwd`: a scheme that is not followed by // and not a host:port (`minio.local:9000`)
  const schemeLike = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?!\/\/)(?!\d+(?:[/?#]|$))/.exec(value);
  if (schemeLike) {
    const scheme = schemeLike[1]!.toLowerCase();
    const message =
      scheme === 'http' || scheme === 'https'
        ? `endpoint "${value}" is not a valid URL (expected http(s)://host[:port])`
        : `endpoint scheme must be http or https, not ${scheme}`;
    throw new BucketgateError('INVALID', message, { field: 'endpoint' });
  }
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(value)) {
    throw new BucketgateError(
      'INVALID',
      `endpoint "${value}" has no scheme: write it as http://${value} or https://${value}`,
      { field: 'endpoint' },
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BucketgateError('INVALID', `endpoint "${value}" is not a valid URL (expected http(s)://host[:port])`, { field: 'endpoint' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BucketgateError('INVALID', `endpoint scheme must be http or https, not ${url.protocol.replace(':', '')}`, { field: 'endpoint' });
  }
  if (!url.hostname) throw new BucketgateError('INVALID', `endpoint "${value}" has no host`, { field: 'endpoint' });
  if (url.username || url.password) {
    throw new BucketgateError('INVALID', 'endpoint must not carry credentials; use apiKey and apiSecret', { field: 'endpoint' });
  }
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
    throw new BucketgateError('INVALID', `endpoint must be http(s)://host[:port] without a path or query (got "${value}")`, { field: 'endpoint' });
  }
  return `${url.protocol}//${url.host}`;
}

export const MAX_REGEXP_LENGTH = 512;

/**
 * Bucket selection by regular expression uses RE2 syntax (the same as Go, so as Pydio Cells) and is
 * UNANCHORED: `cells` matches `my-cells-1`; write `^cells` or `^cells$` to anchor. RE2 runs in linear
 * time, so a hostile pattern such as `(a+)+$` can never hang a service or the browser.
 */
export function compileBucketsRegexp(pattern: string): RE2JS {
  if (pattern.length === 0) throw new BucketgateError('INVALID', 'bucketsRegexp is empty', { field: 'bucketsRegexp' });
  if (pattern.length > MAX_REGEXP_LENGTH) {
    throw new BucketgateError('INVALID', `bucketsRegexp is longer than ${MAX_REGEXP_LENGTH} characters`, { field: 'bucketsRegexp' });
  }
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new BucketgateError('INVALID', `bucketsRegexp does not compile: ${reason}`, { field: 'bucketsRegexp' }, { cause: err });
  }
}

/** Returns null when the pattern compiles, else the reason (for forms that flag while typing). */
export function regexpError(pattern: string): string | null {
  try {
    compileBucketsRegexp(pattern);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export type BucketSelection = { buckets: string[]; bucketsRegexp?: undefined } | { bucketsRegexp: string; buckets?: undefined };

/**
 * The one bucket matcher used by config (preview), discovery (selected flags), the gateway (authorization)
 * and the web page: explicit names match literally (`my.bucket` never matches `myxbucket`), a regexp
 * matches unanchored with RE2 semantics.
 */
export function createBucketMatcher(selection: BucketSelection): (bucket: string) => boolean {
  if (selection.bucketsRegexp !== undefined) {
    const re = compileBucketsRegexp(selection.bucketsRegexp);
    return (bucket) => re.matcher(bucket).find();
  }
  const names = new Set(selection.buckets);
  return (bucket) => names.has(bucket);
}
