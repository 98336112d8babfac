import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseAuth, verifySignature, type SignedRequest } from './auth.js';
import { S3Error } from './s3-error.js';

const AKID = 'BGKEYID0000000000001';
const SECRET = 'gateway/secret+value=0123456789abcdefgh';
const NOW = new Date('2026-03-01T12:00:00Z');
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const signer = (secret = SECRET): SignatureV4 =>
  new SignatureV4({ credentials: { accessKeyId: AKID, secretAccessKey: secret }, region: 'eu-west-3', service: 's3', sha256: Sha256, uriEscapePath: false });

/** How the SDK puts a query on the wire: strict encoding of each key and value. */
function strict(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
function queryString(query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === null) parts.push(strict(k));
    else for (const one of Array.isArray(v) ? v : [v]) parts.push(`${strict(k)}=${strict(one)}`);
  }
  return parts.join('&');
}

interface SmithyRequest {
  method: string;
  path: string;
  query?: Record<string, string | Array<string | null> | null>;
  headers: Record<string, string>;
}

function toSigned(req: SmithyRequest): SignedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  return { method: req.method, rawPath: req.path, rawQuery: queryString((req.query ?? {}) as Record<string, string | string[] | null>), headers };
}

interface Input {
  method?: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
}

function request(input: Input): HttpRequest {
  return new HttpRequest({
    method: input.method ?? 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9100,
    path: input.path,
    query: input.query ?? {},
    headers: { host: '127.0.0.1:9100', 'x-amz-content-sha256': EMPTY, ...input.headers },
  });
}

async function headerSigned(input: Input, secret?: string): Promise<SignedRequest> {
  return toSigned(await signer(secret).sign(request(input), { signingDate: NOW }));
}

async function presigned(input: Input, expiresIn = 600): Promise<SignedRequest> {
  const req = request({ ...input, headers: { ...input.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  return toSigned(await signer().presign(req, { signingDate: NOW, expiresIn }));
}

function verify(req: SignedRequest, secret = SECRET, now = NOW): void {
  verifySignature(req, parseAuth(req), secret, now);
}

function s3Error(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected an S3Error, nothing was thrown');
}

const shapes: Array<[string, Input]> = [
  ['a plain key', { path: '/bkt/key.txt' }],
  ['spaces, plus, unicode and reserved characters in the key', { path: `/bkt/${strict("dir/a b+c~d=é&x!'()*;,$@.txt").replace(/%2F/g, '/')}` }],
  ['an encoded slash inside a key', { path: '/bkt/a%2Fb' }],
  ['a bucket-level query', { path: '/bkt', query: { 'list-type': '2', prefix: 'a b+c=é/~', 'start-after': '', delimiter: '/' } }],
  ['repeated query keys', { path: '/bkt/k', query: { tag: ['b', 'a', 'a b'] } }],
  ['a value-less sub-resource', { path: '/bkt/k', query: { uploads: '' } }],
  ['extra signed headers', { method: 'PUT', path: '/bkt/k', headers: { 'x-amz-meta-note': '  two   spaces ', 'content-type': 'text/plain', 'x-amz-acl': 'private' } }],
];

describe('verifySignature against @smithy/signature-v4 (header auth)', () => {
  it.each(shapes)('accepts %s', async (_name, input) => {
    const req = await headerSigned(input);
    const auth = parseAuth(req);
    expect(auth).toMatchObject({ kind: 'header', accessKeyId: AKID, region: 'eu-west-3', service: 's3', date: '20260301', payload: 'sha256', payloadSha256: EMPTY });
    expect(() => verifySignature(req, auth, SECRET, NOW)).not.toThrow();
  });

  it.each(shapes)('%s: one changed path byte fails', async (_name, input) => {
    const req = await headerSigned(input);
    const path = req.rawPath.slice(0, -1) + (req.rawPath.endsWith('t') ? 'u' : 't');
    expect(s3Error(() => verify({ ...req, rawPath: path })).code).toBe('SignatureDoesNotMatch');
  });

  it.each(shapes)('%s: a wrong secret fails', async (_name, input) => {
    const req = await headerSigned(input);
    expect(s3Error(() => verify(req, SECRET.replace('g', 'h'))).code).toBe('SignatureDoesNotMatch');
  });

  it('a changed or added query parameter fails', async () => {
    const req = await headerSigned({ path: '/bkt', query: { prefix: 'abc', 'max-keys': '10' } });
    expect(s3Error(() => verify({ ...req, rawQuery: req.rawQuery.replace('abc', 'abd') })).code).toBe('SignatureDoesNotMatch');
    expect(s3Error(() => verify({ ...req, rawQuery: `${req.rawQuery}&x=1` })).code).toBe('SignatureDoesNotMatch');
    expect(s3Error(() => verify({ ...req, rawQuery: '' })).code).toBe('SignatureDoesNotMatch');
  });

  it('a changed signed header value, method or body hash fails', async () => {
    const req = await headerSigned({ method: 'PUT', path: '/bkt/k', headers: { 'content-type': 'text/plain' } });
    expect(s3Error(() => verify({ ...req, headers: { ...req.headers, 'content-type': 'text/html' } })).code).toBe('SignatureDoesNotMatch');
    expect(s3Error(() => verify({ ...req, method: 'POST' })).code).toBe('SignatureDoesNotMatch');
    expect(s3Error(() => verify({ ...req, headers: { ...req.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } })).code).toBe('SignatureDoesNotMatch');
  });

  it('a signed header missing from the request is SignatureDoesNotMatch, not a crash', async () => {
    const req = await headerSigned({ method: 'PUT', path: '/bkt/k', headers: { 'content-type': 'text/plain' } });
    const headers = { ...req.headers };
    delete headers['content-type'];
    const err = s3Error(() => verify({ ...req, headers }));
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.message).toContain('content-type');
  });

  it('an unsigned x-amz-* header is refused; other unsigned headers are fine', async () => {
    const req = await headerSigned({ path: '/bkt/k' });
    expect(() => verify({ ...req, headers: { ...req.headers, 'user-agent': 'curl/8', 'x-forwarded-for': '1.2.3.4' } })).not.toThrow();
    const err = s3Error(() => verify({ ...req, headers: { ...req.headers, 'x-amz-acl': 'public-read' } }));
    expect(err.code).toBe('AccessDenied');
    expect(err.extra?.['HeadersNotSigned']).toBe('x-amz-acl');
  });

  it('accepts a client that sent "+" for a space in the query and signed it as a space', async () => {
    const req = await headerSigned({ path: '/bkt', query: { prefix: 'a b' } });
    expect(req.rawQuery).toBe('prefix=a%20b');
    expect(() => verify({ ...req, rawQuery: 'prefix=a+b' })).not.toThrow();
  });

  it('does not let a raw "+" stand for a signed literal plus (URLSearchParams would read a space)', async () => {
    const req = await headerSigned({ path: '/bkt', query: { prefix: 'a+b' } });
    expect(req.rawQuery).toBe('prefix=a%2Bb');
    expect(() => verify(req)).not.toThrow();
    expect(s3Error(() => verify({ ...req, rawQuery: 'prefix=a+b' })).code).toBe('SignatureDoesNotMatch');
  });

  it('accepts a client that signed the path exactly as it sent it', async () => {
    // sign the non-strict raw form "/bkt/a!b" literally (what some hand-written signers do)
    const req = await headerSigned({ path: '/bkt/a!b' });
    expect(() => verify(req)).not.toThrow();
    // and the strict form of the same key also verifies against the strict canonical URI
    const strictReq = await headerSigned({ path: '/bkt/a%21b' });
    expect(() => verify({ ...strictReq, rawPath: '/bkt/a!b' })).not.toThrow();
  });

  it('checks the clock: 15 minutes of skew is fine, 16 is RequestTimeTooSkewed', async () => {
    const req = await headerSigned({ path: '/bkt/k' });
    expect(() => verify(req, SECRET, new Date(NOW.getTime() + 15 * 60_000))).not.toThrow();
    expect(() => verify(req, SECRET, new Date(NOW.getTime() - 15 * 60_000))).not.toThrow();
    expect(s3Error(() => verify(req, SECRET, new Date(NOW.getTime() + 16 * 60_000))).code).toBe('RequestTimeTooSkewed');
    expect(s3Error(() => verify(req, SECRET, new Date(NOW.getTime() - 16 * 60_000))).code).toBe('RequestTimeTooSkewed');
  });

  it('a wrong signature includes the string to sign and canonical request for debugging, never the secret', async () => {
    const req = await headerSigned({ path: '/bkt/k' });
    const err = s3Error(() => verify(req, 'other-secret'));
    expect(err.extra?.['StringToSign']).toContain('AWS4-HMAC-SHA256\n20260301T120000Z\n20260301/eu-west-3/s3/aws4_request\n');
    expect(err.extra?.['CanonicalRequest']).toContain('GET\n/bkt/k\n');
    expect(JSON.stringify(err.extra)).not.toContain(SECRET);
    expect(JSON.stringify(err.extra)).not.toContain('other-secret');
  });
});

describe('verifySignature against @smithy/signature-v4 (presigned URLs)', () => {
  it.each(shapes)('accepts %s', async (_name, input) => {
    const req = await presigned(input);
    const auth = parseAuth(req);
    expect(auth).toMatchObject({ kind: 'presigned', accessKeyId: AKID, payload: 'unsigned', expiresSeconds: 600 });
    expect(() => verifySignature(req, auth, SECRET, NOW)).not.toThrow();
  });

  it('fails on a changed path, query, header or secret', async () => {
    const req = await presigned({ path: '/bkt/k', query: { 'response-content-type': 'text/plain' }, headers: { 'x-amz-meta-a': '1' } });
    expect(s3Error(() => verify({ ...req, rawPath: '/bkt/j' })).code).toBe('SignatureDoesNotMatch');
    expect(s3Error(() => verify({ ...req, rawQuery: req.rawQuery.replace('text%2Fplain', 'text%2Fhtml') })).code).toBe('SignatureDoesNotMatch');
    expect(s3Error(() => verify({ ...req, rawQuery: req.rawQuery.replace('X-Amz-Expires=600', 'X-Amz-Expires=6000') })).code).toBe('SignatureDoesNotMatch');
    expect(s3Error(() => verify({ ...req, headers: { ...req.headers, host: 'evil:9100' } })).code).toBe('SignatureDoesNotMatch');
    expect(s3Error(() => verify(req, 'nope')).code).toBe('SignatureDoesNotMatch');
  });

  it('is valid until X-Amz-Date + X-Amz-Expires, then AccessDenied "Request has expired"', async () => {
    const req = await presigned({ path: '/bkt/k' }, 60);
    expect(() => verify(req, SECRET, new Date(NOW.getTime() + 60_000))).not.toThrow();
    const err = s3Error(() => verify(req, SECRET, new Date(NOW.getTime() + 61_000)));
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toBe('Request has expired');
  });

  it('is not valid more than 15 minutes before X-Amz-Date', async () => {
    const req = await presigned({ path: '/bkt/k' }, 3600);
    expect(s3Error(() => verify(req, SECRET, new Date(NOW.getTime() - 16 * 60_000))).message).toBe('Request is not valid yet');
  });
});

describe(parseAuth.name, () => {
  const base = { method: 'GET', rawPath: '/bkt/k', rawQuery: '' };
  const cred = `Credential=${AKID}/20260301/us-east-1/s3/aws4_request`;
  const sig = `Signature=${'a'.repeat(64)}`;
  const okHeaders = { host: 'h', 'x-amz-date': '20260301T120000Z', 'x-amz-content-sha256': EMPTY };
  const goodQuery = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${AKID}%2F20260301%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260301T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${'a'.repeat(64)}`;

  const cases: Array<[string, Partial<SignedRequest>, string, RegExp?]> = [
    ['anonymous', { headers: { host: 'h' } }, 'AccessDenied', /Anonymous/],
    ['SigV2 header', { headers: { host: 'h', authorization: 'AWS AKID:c2lnbmF0dXJl' } }, 'AccessDenied', /Signature Version 4/],
    ['SigV2 query', { rawQuery: 'AWSAccessKeyId=AK&Expires=1&Signature=x', headers: { host: 'h' } }, 'AccessDenied', /Signature Version 4/],
    ['SigV4a', { headers: { ...okHeaders, authorization: `AWS4-ECDSA-P256-SHA256 ${cred}, SignedHeaders=host, ${sig}` } }, 'NotImplemented'],
    ['Bearer', { headers: { ...okHeaders, authorization: 'Bearer abc' } }, 'AuthorizationHeaderMalformed'],
    ['no fields', { headers: { ...okHeaders, authorization: 'AWS4-HMAC-SHA256' } }, 'AuthorizationHeaderMalformed'],
    ['no Signature', { headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=host` } }, 'AuthorizationHeaderMalformed'],
    ['short credential', { headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 Credential=AK/20260301/s3, SignedHeaders=host, ${sig}` } }, 'AuthorizationHeaderMalformed'],
    ['wrong service', { headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 Credential=AK/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, ${sig}` } }, 'AuthorizationHeaderMalformed', /service/],
    ['wrong terminal', { headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 Credential=AK/20260301/us-east-1/s3/aws5_request, SignedHeaders=host, ${sig}` } }, 'AuthorizationHeaderMalformed'],
    ['bad scope date', { headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 Credential=AK/20261301/us-east-1/s3/aws4_request, SignedHeaders=host, ${sig}` } }, 'AuthorizationHeaderMalformed'],
    ['scope date differs from x-amz-date', { headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 Credential=AK/20260302/us-east-1/s3/aws4_request, SignedHeaders=host, ${sig}` } }, 'AuthorizationHeaderMalformed', /not the same/],
    ['host not signed', { headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=x-amz-date, ${sig}` } }, 'AuthorizationHeaderMalformed', /host/],
    ['upper-case signed header', { headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=Host, ${sig}` } }, 'AuthorizationHeaderMalformed'],
    ['short signature', { headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=host, Signature=abc` } }, 'AuthorizationHeaderMalformed'],
    ['duplicate field', { headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 ${cred}, ${cred}, SignedHeaders=host, ${sig}` } }, 'AuthorizationHeaderMalformed'],
    ['no date at all', { headers: { host: 'h', 'x-amz-content-sha256': EMPTY, authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=host, ${sig}` } }, 'AccessDenied', /Date/],
    ['garbage x-amz-date', { headers: { ...okHeaders, 'x-amz-date': 'yesterday', authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=host;x-amz-date, ${sig}` } }, 'AccessDenied', /Date/],
    ['no x-amz-content-sha256', { headers: { host: 'h', 'x-amz-date': '20260301T120000Z', authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=host;x-amz-date, ${sig}` } }, 'MissingSecurityHeader'],
    ['bad x-amz-content-sha256', { headers: { ...okHeaders, 'x-amz-content-sha256': 'abc', authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, ${sig}` } }, 'InvalidArgument'],
    ['SigV4a streaming payload', { headers: { ...okHeaders, 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, ${sig}` } }, 'NotImplemented'],
    ['header and query auth together', { rawQuery: goodQuery, headers: { ...okHeaders, authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=host, ${sig}` } }, 'InvalidArgument', /one auth mechanism/],
    ['presigned without X-Amz-Signature', { rawQuery: goodQuery.replace(/&X-Amz-Signature=.*/, ''), headers: { host: 'h' } }, 'AuthorizationQueryParametersError'],
    ['presigned with another algorithm', { rawQuery: goodQuery.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512'), headers: { host: 'h' } }, 'AuthorizationQueryParametersError'],
    ['presigned expires 0', { rawQuery: goodQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=0'), headers: { host: 'h' } }, 'AuthorizationQueryParametersError'],
    ['presigned expires a week + 1s', { rawQuery: goodQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801'), headers: { host: 'h' } }, 'AuthorizationQueryParametersError', /604800/],
    ['presigned expires -1', { rawQuery: goodQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=-1'), headers: { host: 'h' } }, 'AuthorizationQueryParametersError'],
    ['presigned date malformed', { rawQuery: goodQuery.replace('X-Amz-Date=20260301T120000Z', 'X-Amz-Date=2026-03-01'), headers: { host: 'h' } }, 'AuthorizationQueryParametersError'],
    ['presigned repeated parameter', { rawQuery: `${goodQuery}&X-Amz-Expires=61`, headers: { host: 'h' } }, 'AuthorizationQueryParametersError'],
    ['presigned with an unsigned x-amz header', { rawQuery: goodQuery, headers: { host: 'h', 'x-amz-acl': 'public-read' } }, 'AccessDenied', /not signed/],
  ];

  it.each(cases)('%s', (...[, over, code, message]) => {
    const err = s3Error(() => parseAuth({ ...base, headers: {}, ...over }));
    expect(err.code).toBe(code);
    if (message) expect(err.message).toMatch(message);
  });

  it('reads the presigned parameters and a week of validity', () => {
    const auth = parseAuth({ ...base, rawQuery: goodQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=604800'), headers: { host: 'h' } });
    expect(auth).toMatchObject({ kind: 'presigned', accessKeyId: AKID, date: '20260301', region: 'us-east-1', amzDate: '20260301T120000Z', expiresSeconds: 604800, signedHeaders: ['host'], payload: 'unsigned' });
  });

  it('takes the request time from the Date header when x-amz-date is absent', () => {
    const auth = parseAuth({
      ...base,
      headers: { host: 'h', date: 'Sun, 01 Mar 2026 12:00:00 GMT', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', authorization: `AWS4-HMAC-SHA256 ${cred}, SignedHeaders=date;host;x-amz-content-sha256, ${sig}` },
    });
    expect(auth.amzDate).toBe('20260301T120000Z');
    expect(auth.payload).toBe('unsigned');
  });

  it.each([
    ['UNSIGNED-PAYLOAD', 'unsigned'],
    ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'streaming-signed'],
    ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'streaming-signed-trailer'],
    ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'streaming-unsigned-trailer'],
    [EMPTY.toUpperCase(), 'sha256'],
  ])('x-amz-content-sha256 %s is payload %s', (value, mode) => {
    const auth = parseAuth({ ...base, headers: { ...okHeaders, 'x-amz-content-sha256': value, authorization: `AWS4-HMAC-SHA256 ${cred},SignedHeaders=host;x-amz-content-sha256;x-amz-date,${sig}` } });
    expect(auth.payload).toBe(mode);
    if (mode === 'sha256') expect(auth.payloadSha256).toBe(EMPTY);
  });
});
