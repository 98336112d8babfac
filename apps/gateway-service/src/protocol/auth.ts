/**
 * SigV4 authentication of an S3 request: {@link parseAuth} reads who signed it (header or presigned query)
 * without the secret, {@link verifySignature} checks the signature with the secret.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './s3-error.js';
import {
  ALGORITHM,
  MAX_CLOCK_SKEW_MS,
  MAX_PRESIGNED_EXPIRES_SECONDS,
  STREAMING_SIGNED,
  STREAMING_SIGNED_TRAILER,
  STREAMING_UNSIGNED_TRAILER,
  UNSIGNED_PAYLOAD,
  canonicalHeaderValue,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  credentialScope,
  deriveSigningKey,
  parseAmzDate,
  percentDecodeToString,
  plusToSpace,
  signHex,
  signaturesEqual,
  splitQuery,
  stringToSign,
  toAmzDate,
} from './sigv4.js';

export interface SignedRequest {
  /** GET, PUT, … */
  method: string;
  /** path exactly as received, still percent-encoded, no query */
  rawPath: string;
  /** query string exactly as received, without '?', '' if none */
  rawQuery: string;
  /** node's lower-cased headers */
  headers: IncomingHttpHeaders;
}

export type PayloadMode = 'unsigned' | 'sha256' | 'streaming-signed' | 'streaming-signed-trailer' | 'streaming-unsigned-trailer';

export interface AuthInfo {
  kind: 'header' | 'presigned';
  accessKeyId: string;
  /** yyyymmdd from the credential scope */
  date: string;
  /** from the credential scope (the gateway accepts any region) */
  region: string;
  /** always 's3' (anything else is rejected by parseAuth) */
  service: string;
  /** yyyymmddThhmmssZ */
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  payload: PayloadMode;
  /** hex, lower-case, when payload === 'sha256' */
  payloadSha256?: string;
  /** presigned only */
  expiresSeconds?: number;
}

const SIGNATURE = /^[0-9a-f]{64}$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const SIGV4_ONLY = 'Only Signature Version 4 (AWS4-HMAC-SHA256) is supported by this gateway.';

/** A header's single value ('' when present but empty, undefined when absent). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

/** Read who signed the request without knowing the secret. Throws S3Error. */
export function parseAuth(req: SignedRequest): AuthInfo {
  const authorization = headerValue(req.headers, 'authorization');
  const params = new Map<string, string[]>();
  for (const { rawKey, rawValue } of splitQuery(req.rawQuery)) {
    const key = percentDecodeToString(plusToSpace(rawKey));
    const list = params.get(key);
    const value = percentDecodeToString(plusToSpace(rawValue));
    if (list) list.push(value);
    else params.set(key, [value]);
  }
  const presigned = params.has('X-Amz-Algorithm') || params.has('X-Amz-Credential') || params.has('X-Amz-Signature');
  if (authorization !== undefined && presigned) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
      { ArgumentName: 'Authorization', ArgumentValue: 'AWS4-HMAC-SHA256' },
    );
  }
  if (authorization !== undefined) return parseHeaderAuth(req, authorization);
  if (presigned) return parsePresigned(req, params);
  if (params.has('AWSAccessKeyId') || params.has('Signature')) throw new S3Error('AccessDenied', SIGV4_ONLY);
  throw new S3Error('AccessDenied', 'Anonymous access is not allowed: sign the request with AWS Signature Version 4.');
}

function parseHeaderAuth(req: SignedRequest, authorization: string): AuthInfo {
  const malformed = (message: string): S3Error => new S3Error('AuthorizationHeaderMalformed', message);
  const trimmed = authorization.trim();
  const space = trimmed.search(/\s/);
  const scheme = space < 0 ? trimmed : trimmed.slice(0, space);
  if (scheme === 'AWS') throw new S3Error('AccessDenied', SIGV4_ONLY);
  if (scheme === 'AWS4-ECDSA-P256-SHA256') throw new S3Error('NotImplemented', `SigV4a (AWS4-ECDSA-P256-SHA256) is not supported. ${SIGV4_ONLY}`);
  if (scheme !== ALGORITHM) throw malformed(`Unsupported authorization type '${scheme.slice(0, 64)}'. ${SIGV4_ONLY}`);

  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space < 0 ? trimmed.length : space).split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) throw malformed(`The authorization header is malformed; the component '${p.slice(0, 64)}' is not of the form key=value.`);
    const key = p.slice(0, eq).trim();
    if (fields.has(key)) throw malformed(`The authorization header is malformed; '${key}' appears more than once.`);
    fields.set(key, p.slice(eq + 1).trim());
  }
  for (const required of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!fields.get(required)) throw malformed(`The authorization header is malformed; it must contain Credential, SignedHeaders and Signature (missing ${required}).`);
  }
  const credential = parseCredential(fields.get('Credential')!, malformed);
  const signedHeaders = parseSignedHeaders(fields.get('SignedHeaders')!, malformed);
  const signature = fields.get('Signature')!;
  if (!SIGNATURE.test(signature)) throw malformed('The authorization header is malformed; Signature must be 64 lower-case hex digits.');

  const amzDate = requestDate(req.headers);
  if (amzDate.slice(0, 8) !== credential.date) {
    throw malformed(`The authorization header is malformed; Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  const contentSha = headerValue(req.headers, 'x-amz-content-sha256');
  if (contentSha === undefined) {
    throw new S3Error('MissingSecurityHeader', 'Missing required header for this request: x-amz-content-sha256', {
      MissingHeaderName: 'x-amz-content-sha256',
    });
  }
  checkUnsignedAmzHeaders(req.headers, signedHeaders);
  return { kind: 'header', ...credential, amzDate, signedHeaders, signature, ...payloadFrom(contentSha.trim()) };
}

function parsePresigned(req: SignedRequest, params: Map<string, string[]>): AuthInfo {
  const error = (message: string): S3Error => new S3Error('AuthorizationQueryParametersError', message);
  const one = (name: string): string => {
    const values = params.get(name);
    if (!values || values.length === 0 || values[0] === '') throw error(`Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters (missing ${name}).`);
    if (values.length > 1) throw error(`The query parameter ${name} appears more than once.`);
    return values[0]!;
  };
  const algorithm = one('X-Amz-Algorithm');
  if (algorithm === 'AWS4-ECDSA-P256-SHA256') throw new S3Error('NotImplemented', `SigV4a (AWS4-ECDSA-P256-SHA256) is not supported. ${SIGV4_ONLY}`);
  if (algorithm !== ALGORITHM) throw error('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const credential = parseCredential(one('X-Amz-Credential'), error);
  const amzDate = one('X-Amz-Date');
  if (parseAmzDate(amzDate) === undefined) throw error(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  if (amzDate.slice(0, 8) !== credential.date) {
    throw error(`Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  const expiresRaw = one('X-Amz-Expires');
  if (!/^\d{1,7}$/.test(expiresRaw)) throw error('X-Amz-Expires should be a number of seconds between 1 and 604800');
  const expiresSeconds = Number(expiresRaw);
  if (expiresSeconds < 1) throw error('X-Amz-Expires must be at least 1 second');
  if (expiresSeconds > MAX_PRESIGNED_EXPIRES_SECONDS) throw error('X-Amz-Expires must be less than a week (in seconds) that is 604800');
  const signedHeaders = parseSignedHeaders(one('X-Amz-SignedHeaders'), error);
  const signature = one('X-Amz-Signature');
  if (!SIGNATURE.test(signature)) throw error('X-Amz-Signature must be 64 lower-case hex digits.');
  checkUnsignedAmzHeaders(req.headers, signedHeaders);
  const payloadHash = presignedPayloadHash(req.headers, params);
  return { kind: 'presigned', ...credential, amzDate, signedHeaders, signature, ...payloadFrom(payloadHash), expiresSeconds };
}

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

function parseCredential(value: string, error: (message: string) => S3Error): Credential {
  const parts = value.split('/');
  if (parts.length < 5) throw error(`The credential '${value.slice(0, 200)}' is malformed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  const [terminal, service, region, date] = [parts.pop()!, parts.pop()!, parts.pop()!, parts.pop()!];
  const accessKeyId = parts.join('/');
  if (accessKeyId === '') throw error('The credential is malformed; the access key id is empty.');
  if (!/^\d{8}$/.test(date) || parseAmzDate(`${date}T000000Z`) === undefined) throw error(`The credential is malformed; invalid date "${date}".`);
  if (region === '') throw error('The credential is malformed; the region is empty.');
  if (service !== 's3') throw error(`The credential is malformed; incorrect service "${service.slice(0, 64)}". This endpoint belongs to "s3".`);
  if (terminal !== 'aws4_request') throw error(`The credential is malformed; incorrect terminal "${terminal.slice(0, 64)}". This endpoint uses "aws4_request".`);
  return { accessKeyId, date, region, service };
}

function parseSignedHeaders(value: string, error: (message: string) => S3Error): string[] {
  const names = value.split(';');
  for (const name of names) {
    if (!HEADER_NAME.test(name)) throw error(`SignedHeaders contains an invalid header name '${name.slice(0, 64)}' (names are lower-case and separated by ';').`);
  }
  if (!names.includes('host')) throw error('SignedHeaders must include host.');
  if (new Set(names).size !== names.length) throw error('SignedHeaders lists a header more than once.');
  return names;
}

/** Every x-amz-* header that is present must be signed, or a man in the middle could add one. */
function checkUnsignedAmzHeaders(headers: IncomingHttpHeaders, signedHeaders: string[]): void {
  const unsigned = Object.keys(headers).filter((h) => h.startsWith('x-amz-') && !signedHeaders.includes(h));
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
      HeadersNotSigned: unsigned.join(', '),
    });
  }
}

/** The request time from x-amz-date, else the Date header, as yyyymmddThhmmssZ. */
function requestDate(headers: IncomingHttpHeaders): string {
  const invalid = new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  const amz = headerValue(headers, 'x-amz-date');
  if (amz !== undefined) {
    if (parseAmzDate(amz.trim()) === undefined) throw invalid;
    return amz.trim();
  }
  const date = headerValue(headers, 'date');
  if (date === undefined) throw invalid;
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) throw invalid;
  return toAmzDate(ms);
}

/** For presigned requests: an x-amz-content-sha256 header or query parameter if the signer used one, else UNSIGNED-PAYLOAD. */
function presignedPayloadHash(headers: IncomingHttpHeaders, params: Map<string, string[]>): string {
  const header = headerValue(headers, 'x-amz-content-sha256');
  if (header !== undefined) return header.trim();
  for (const [name, values] of params) {
    if (name.toLowerCase() === 'x-amz-content-sha256' && values.length === 1) return values[0]!;
  }
  return UNSIGNED_PAYLOAD;
}

function payloadFrom(value: string): Pick<AuthInfo, 'payload' | 'payloadSha256'> {
  switch (value) {
    case UNSIGNED_PAYLOAD:
      return { payload: 'unsigned' };
    case STREAMING_SIGNED:
      return { payload: 'streaming-signed' };
    case STREAMING_SIGNED_TRAILER:
      return { payload: 'streaming-signed-trailer' };
    case STREAMING_UNSIGNED_TRAILER:
      return { payload: 'streaming-unsigned-trailer' };
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER':
      throw new S3Error('NotImplemented', `x-amz-content-sha256 ${value} (SigV4a) is not supported. ${SIGV4_ONLY}`);
  }
  if (SHA256_HEX.test(value)) return { payload: 'sha256', payloadSha256: value.toLowerCase() };
  throw new S3Error(
    'InvalidArgument',
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a valid sha256 value.',
    { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value.slice(0, 128) },
  );
}

/** The value the signer put in the canonical request's last line. */
function signedPayloadHash(req: SignedRequest, auth: AuthInfo): string {
  if (auth.kind === 'header') return (headerValue(req.headers, 'x-amz-content-sha256') ?? '').trim();
  const params = new Map<string, string[]>();
  for (const { rawKey, rawValue } of splitQuery(req.rawQuery)) {
    const key = percentDecodeToString(plusToSpace(rawKey));
    params.set(key, [...(params.get(key) ?? []), percentDecodeToString(plusToSpace(rawValue))]);
  }
  return presignedPayloadHash(req.headers, params);
}

/** `name:value\n` for every signed header; a signed header missing from the request fails the signature. */
function canonicalHeaders(req: SignedRequest, auth: AuthInfo): string {
  let out = '';
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) {
      throw new S3Error('SignatureDoesNotMatch', `The header '${name}' is listed in SignedHeaders but is not present in the request.`, {
        AWSAccessKeyId: auth.accessKeyId,
      });
    }
    out += `${name}:${canonicalHeaderValue(value)}\n`;
  }
  return out;
}

export interface CanonicalForm {
  canonicalRequest: string;
  stringToSign: string;
}

/**
 * The canonical requests a correct signer may have produced for this request, most likely first:
 * the path decoded and strictly re-encoded, then the path exactly as received (some clients sign what they
 * send). In the path '+' is a literal plus; in the query a raw '+' is a space (the SDKs send %2B for a plus).
 * Callers must read the query the same way (URLSearchParams does).
 */
export function canonicalForms(req: SignedRequest, auth: AuthInfo): CanonicalForm[] {
  const headers = canonicalHeaders(req, auth);
  const signed = auth.signedHeaders.join(';');
  const payloadHash = signedPayloadHash(req, auth);
  const scope = credentialScope(auth.date, auth.region, auth.service);
  const exclude = auth.kind === 'presigned' ? 'X-Amz-Signature' : undefined;
  const uris = [canonicalUri(req.rawPath)];
  const rawUri = req.rawPath === '' ? '/' : req.rawPath;
  if (rawUri !== uris[0]) uris.push(rawUri);
  // A raw '+' in a query string means a space (form encoding, as URLSearchParams reads it); reading it as a
  // literal '+' here too would let one signature cover two different meanings of the same query.
  const query = canonicalQuery(req.rawQuery, { exclude, plusAsSpace: true });
  return uris.map((uri) => {
    const cr = canonicalRequest(req.method.toUpperCase(), uri, query, headers, signed, payloadHash);
    return { canonicalRequest: cr, stringToSign: stringToSign(auth.amzDate, scope, cr) };
  });
}

/**
 * Verify the SigV4 signature (header or presigned query) with the secret. Throws S3Error SignatureDoesNotMatch,
 * RequestTimeTooSkewed (|now - request time| > 15 min, header auth), AccessDenied for an expired (or not yet
 * valid) presigned request.
 */
export function verifySignature(req: SignedRequest, auth: AuthInfo, secretAccessKey: string, now: Date = new Date()): void {
  const signingKey = deriveSigningKey(secretAccessKey, auth.date, auth.region, auth.service);
  const forms = canonicalForms(req, auth);
  let matched = false;
  for (const form of forms) {
    if (signaturesEqual(signHex(signingKey, form.stringToSign), auth.signature)) matched = true;
  }
  if (!matched) {
    const first = forms[0]!;
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: auth.accessKeyId,
      StringToSign: first.stringToSign,
      SignatureProvided: auth.signature,
      CanonicalRequest: first.canonicalRequest,
    });
  }
  const requestTime = parseAmzDate(auth.amzDate);
  if (requestTime === undefined) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  const nowMs = now.getTime();
  if (auth.kind === 'header') {
    if (Math.abs(nowMs - requestTime) > MAX_CLOCK_SKEW_MS) {
      throw new S3Error('RequestTimeTooSkewed', undefined, {
        RequestTime: auth.amzDate,
        ServerTime: now.toISOString(),
        MaxAllowedSkewMilliseconds: String(MAX_CLOCK_SKEW_MS),
      });
    }
    return;
  }
  if (requestTime - nowMs > MAX_CLOCK_SKEW_MS) {
    throw new S3Error('AccessDenied', 'Request is not valid yet', { 'X-Amz-Date': auth.amzDate, ServerTime: now.toISOString() });
  }
  const expiresAt = requestTime + (auth.expiresSeconds ?? 0) * 1000;
  if (nowMs > expiresAt) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(auth.expiresSeconds ?? 0),
      Expires: new Date(expiresAt).toISOString(),
      ServerTime: now.toISOString(),
    });
  }
}
