/** Where an onward request goes: pure functions, unit-tested. */

export interface RemoteEndpoint {
  /** scheme://host[:port]; null = Amazon S3. */
  endpoint: string | null;
  pathStyle: boolean;
}

export interface RemoteAddress {
  protocol: 'http:' | 'https:';
  hostname: string;
  port?: number;
  /** Already S3-encoded (what is sent and what is signed). */
  path: string;
  /** Value of the Host header. */
  host: string;
}

/** RFC 3986 unreserved characters stay, everything else is %XX (what SigV4 canonicalization expects). */
export function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Object keys keep their '/' separators; every other reserved byte is escaped. */
export function encodeKey(key: string): string {
  return key.split('/').map(escapeUri).join('/');
}

export function awsHost(region: string): string {
  return `s3.${region}.amazonaws.com`;
}

/**
 * Custom endpoints: path-style unless pathStyle is false (then `<bucket>.<host>`).
 * Amazon S3: `<bucket>.s3.<region>.amazonaws.com`, except bucket names with dots (TLS wildcard certificates do
 * not cover them) and pathStyle=true, which use `s3.<region>.amazonaws.com/<bucket>`.
 */
export function remoteAddress(ep: RemoteEndpoint, region: string, bucket?: string, key?: string): RemoteAddress {
  let protocol: 'http:' | 'https:' = 'https:';
  let baseHost: string;
  let port: number | undefined;
  let virtualHost: boolean;
  if (ep.endpoint === null) {
    baseHost = awsHost(region);
    virtualHost = bucket !== undefined && !ep.pathStyle && !bucket.includes('.');
  } else {
    const url = new URL(ep.endpoint);
    protocol = url.protocol === 'http:' ? 'http:' : 'https:';
    baseHost = url.hostname;
    port = url.port ? Number(url.port) : undefined;
    virtualHost = bucket !== undefined && !ep.pathStyle;
  }
  const keyPath = key === undefined ? '' : encodeKey(key);
  let hostname = baseHost;
  let path: string;
  if (bucket === undefined) {
    path = '/';
  } else if (virtualHost) {
    hostname = `${bucket}.${baseHost}`;
    path = `/${keyPath}`;
  } else {
    path = key === undefined ? `/${escapeUri(bucket)}` : `/${escapeUri(bucket)}/${keyPath}`;
  }
  const host = port === undefined ? hostname : `${hostname}:${port}`; // URL keeps IPv6 brackets
  return { protocol, hostname: hostname.replace(/^\[|\]$/g, ''), port, path, host };
}

export type QueryPairs = ReadonlyArray<readonly [string, string]>;

/** The query as the signer wants it (repeated keys become arrays). */
export function queryObject(pairs: QueryPairs): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** The query string sent on the wire, escaped exactly as it is signed; empty values are bare keys (`?uploads`). */
export function queryString(pairs: QueryPairs): string {
  if (pairs.length === 0) return '';
  return (
    '?' +
    pairs
      .map(([k, v]) => (v === '' ? escapeUri(k) : `${escapeUri(k)}=${escapeUri(v)}`))
      .join('&')
  );
}
