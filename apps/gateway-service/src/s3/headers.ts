import type { IncomingHttpHeaders } from 'node:http';

/**
 * Request headers that mean something to S3 and are forwarded to the remote. Everything else (authorization,
 * x-amz-date, x-amz-content-sha256, checksums of the aws-chunked framing, x-amz-acl, host, expect, …) stays
 * here: the gateway verifies the client's request and signs its own onward request.
 */
const FORWARD_REQUEST = new Set([
  'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'content-md5', 'content-type', 'expires',
  'range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since',
  'x-amz-copy-source', 'x-amz-copy-source-range', 'x-amz-copy-source-if-match', 'x-amz-copy-source-if-none-match',
  'x-amz-copy-source-if-modified-since', 'x-amz-copy-source-if-unmodified-since',
  'x-amz-metadata-directive', 'x-amz-tagging', 'x-amz-tagging-directive', 'x-amz-storage-class',
  'x-amz-website-redirect-location', 'x-amz-request-payer',
  'x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date', 'x-amz-object-lock-legal-hold',
]);
const FORWARD_REQUEST_PREFIXES = ['x-amz-meta-', 'x-amz-server-side-encryption', 'x-amz-copy-source-server-side-encryption-'];

/** Response headers an S3 client needs back; the remote's request ids, server, connection headers are dropped. */
const PASS_BACK = new Set([
  'accept-ranges', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'content-length',
  'content-range', 'content-type', 'etag', 'expires', 'last-modified',
  'x-amz-abort-date', 'x-amz-abort-rule-id', 'x-amz-bucket-region', 'x-amz-copy-source-version-id', 'x-amz-delete-marker',
  'x-amz-expiration', 'x-amz-missing-meta', 'x-amz-mp-parts-count', 'x-amz-object-lock-legal-hold', 'x-amz-object-lock-mode',
  'x-amz-object-lock-retain-until-date', 'x-amz-replication-status', 'x-amz-request-charged', 'x-amz-restore',
  'x-amz-storage-class', 'x-amz-tagging-count', 'x-amz-version-id', 'x-amz-website-redirect-location',
]);
const PASS_BACK_PREFIXES = ['x-amz-meta-', 'x-amz-checksum-', 'x-amz-server-side-encryption'];

function headerValue(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Headers of the client's request to send onward (lower-case names). */
export function forwardRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const value = headerValue(raw);
    if (value === undefined) continue;
    if (!FORWARD_REQUEST.has(name) && !FORWARD_REQUEST_PREFIXES.some((p) => name.startsWith(p))) continue;
    if (name === 'content-encoding') {
      // aws-chunked is the framing of the client's upload, removed by the gateway before sending onward.
      const rest = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
      if (rest.length === 0) continue;
      out[name] = rest.join(',');
      continue;
    }
    out[name] = value;
  }
  return out;
}

/** Headers of the remote's response to give back to the client. */
export function passBackResponseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const value = headerValue(raw);
    if (value === undefined) continue;
    if (PASS_BACK.has(name) || PASS_BACK_PREFIXES.some((p) => name.startsWith(p))) out[name] = value;
  }
  return out;
}
