/**
 * AWS Signature Version 4 building blocks for S3: strict URI encoding, canonical URI / query / headers,
 * signing-key derivation, string-to-sign for requests, aws-chunked chunks and trailers, constant-time compare.
 * Pure functions, no I/O.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const ALGORITHM_PAYLOAD = 'AWS4-HMAC-SHA256-PAYLOAD';
export const ALGORITHM_TRAILER = 'AWS4-HMAC-SHA256-TRAILER';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
/** Presigned URLs may live at most 7 days. */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;
/** Allowed difference between the request time and the server clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = hmacSha256(`AWS4${secretAccessKey}`, date);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  return hmacSha256(kService, 'aws4_request');
}

export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/aws4_request`;
}

export function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}

/** String to sign of one aws-chunked chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]). */
export function chunkStringToSign(amzDate: string, scope: string, previousSignature: string, chunkSha256Hex: string): string {
  return `${ALGORITHM_PAYLOAD}\n${amzDate}\n${scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256Hex}`;
}

/** String to sign of the trailer chunk; `canonicalTrailer` is `name:value\n` per trailing header. */
export function trailerStringToSign(amzDate: string, scope: string, previousSignature: string, canonicalTrailer: string): string {
  return `${ALGORITHM_TRAILER}\n${amzDate}\n${scope}\n${previousSignature}\n${sha256Hex(canonicalTrailer)}`;
}

export function signHex(signingKey: Buffer, toSign: string): string {
  return createHmac('sha256', signingKey).update(toSign, 'utf8').digest('hex');
}

/** Constant-time comparison of two signatures (hex strings). Different lengths are simply unequal. */
export function signaturesEqual(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

// ---------------------------------------------------------------------------------------------- URI encoding

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const HEX_UPPER = '0123456789ABCDEF';
/** byte -> its strict encoding ('A' -> 'A', ' ' -> '%20'). */
const BYTE_ENCODING: string[] = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${HEX_UPPER[b >> 4]}${HEX_UPPER[b & 15]}`;
});
const PERCENT_RUNS = /((?:%[0-9A-Fa-f]{2})+)/;

/** Strict AWS encoding of raw bytes: everything but A-Z a-z 0-9 - . _ ~ is %XX (upper-case hex). */
export function uriEncodeBytes(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += BYTE_ENCODING[bytes[i]!];
  return out;
}

/** Strict AWS encoding of a string's UTF-8 bytes ('/' is encoded too). */
export function uriEncode(s: string): string {
  return UNRESERVED.test(s) ? s : uriEncodeBytes(Buffer.from(s, 'utf8'));
}

/**
 * Percent-decode to bytes: `%XX` sequences become their byte, everything else its UTF-8 bytes. A '%' not
 * followed by two hex digits stays a literal '%'. '+' stays '+' (use {@link plusToSpace} for form encoding).
 */
export function percentDecode(s: string): Buffer {
  if (!s.includes('%')) return Buffer.from(s, 'utf8');
  const parts = s.split(PERCENT_RUNS);
  const bufs: Buffer[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '') continue;
    bufs.push(i % 2 === 1 ? Buffer.from(part.replace(/%/g, ''), 'hex') : Buffer.from(part, 'utf8'));
  }
  return Buffer.concat(bufs);
}

/** Decode a percent-encoded component to a string (invalid UTF-8 becomes U+FFFD). */
export function percentDecodeToString(s: string): string {
  return percentDecode(s).toString('utf8');
}

export function plusToSpace(s: string): string {
  return s.includes('+') ? s.replace(/\+/g, ' ') : s;
}

/** Re-encode an already percent-encoded component strictly (decode to bytes, encode with the AWS rule). */
export function reencode(component: string): string {
  return UNRESERVED.test(component) ? component : uriEncodeBytes(percentDecode(component));
}

/**
 * Canonical URI for S3 (no double encoding, no dot-segment normalisation, empty segments kept): each
 * '/'-separated segment of the path as received is percent-decoded and re-encoded strictly.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  return rawPath.split('/').map(reencode).join('/');
}

export interface RawQueryParam {
  /** still percent-encoded, as received */
  rawKey: string;
  rawValue: string;
}

/** Split a raw query string into its parameters ("a" and "a=" both give an empty value; empty pieces skipped). */
export function splitQuery(rawQuery: string): RawQueryParam[] {
  const out: RawQueryParam[] = [];
  if (rawQuery === '') return out;
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    out.push(eq < 0 ? { rawKey: piece, rawValue: '' } : { rawKey: piece.slice(0, eq), rawValue: piece.slice(eq + 1) });
  }
  return out;
}

export interface CanonicalQueryOptions {
  /** decode '+' as a space (form encoding) instead of a literal '+' */
  plusAsSpace?: boolean;
  /** leave out this (decoded) parameter name, e.g. X-Amz-Signature for presigned requests */
  exclude?: string;
}

/** Canonical query string: strictly re-encoded `key=value` pairs sorted by key, then value, joined by '&'. */
export function canonicalQuery(rawQuery: string, options: CanonicalQueryOptions = {}): string {
  const pairs: Array<[string, string]> = [];
  for (const { rawKey, rawValue } of splitQuery(rawQuery)) {
    const k = options.plusAsSpace ? plusToSpace(rawKey) : rawKey;
    const v = options.plusAsSpace ? plusToSpace(rawValue) : rawValue;
    const key = reencode(k);
    if (options.exclude !== undefined && percentDecodeToString(k) === options.exclude) continue;
    pairs.push([key, reencode(v)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Header value as signed: repeated values joined by ',', trimmed, runs of whitespace folded to one space. */
export function canonicalHeaderValue(value: string | string[]): string {
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined.trim().replace(/\s+/g, ' ');
}

export function canonicalRequest(
  method: string,
  uri: string,
  query: string,
  canonicalHeaders: string,
  signedHeaders: string,
  payloadHash: string,
): string {
  return `${method}\n${uri}\n${query}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
}

// ---------------------------------------------------------------------------------------------- dates

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parse `yyyymmddThhmmssZ` to epoch milliseconds; undefined when malformed or not a real date/time. */
export function parseAmzDate(s: string): number | undefined {
  const m = AMZ_DATE.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
    return undefined;
  }
  return t;
}

export function toAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
