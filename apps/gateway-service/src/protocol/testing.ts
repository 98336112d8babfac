/**
 * Test helpers: ENCODE aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, its -TRAILER variant and
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER), build complete signed streaming uploads (seed signature by the AWS SDK's
 * own @smithy/signature-v4), and send raw HTTP requests. No stock client here sends signed streaming uploads,
 * so tests that must push one through the real gateway use this.
 *
 * The chunk/trailer signing below deliberately does not reuse sigv4.ts, so it checks the decoder independently.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { checksumBase64, type ChecksumAlgorithm } from './checksums.js';

export type StreamingMode = 'streaming-signed' | 'streaming-signed-trailer' | 'streaming-unsigned-trailer';

export const STREAMING_HEADER_VALUE: Record<StreamingMode, string> = {
  'streaming-signed': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'streaming-signed-trailer': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'streaming-unsigned-trailer': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
};

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export interface ChunkSigningInput {
  secretAccessKey: string;
  /** yyyymmddThhmmssZ of the request */
  amzDate: string;
  region: string;
  service?: string;
  /** the request's own signature (from its Authorization header) */
  seedSignature: string;
}

export interface AwsChunkedEncodeOptions {
  mode: StreamingMode;
  /** data bytes per chunk (default 64 KiB; the last chunk may be shorter) */
  chunkSize?: number;
  /** required for the signed modes */
  signing?: ChunkSigningInput;
  /** trailing checksum to compute and send (trailer modes) */
  checksum?: ChecksumAlgorithm;
  /** explicit trailing headers to send instead of a computed checksum (e.g. a wrong value, for tests) */
  trailers?: Array<[string, string]>;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function signer(signing: ChunkSigningInput): { sign: (stringToSign: string) => string; scope: string } {
  const service = signing.service ?? 's3';
  const date = signing.amzDate.slice(0, 8);
  const key = hmac(hmac(hmac(hmac(`AWS4${signing.secretAccessKey}`, date), signing.region), service), 'aws4_request');
  return { sign: (s) => createHmac('sha256', key).update(s, 'utf8').digest('hex'), scope: `${date}/${signing.region}/${service}/aws4_request` };
}

/** Encode `data` as an aws-chunked body. */
export async function encodeAwsChunked(data: Buffer, options: AwsChunkedEncodeOptions): Promise<Buffer> {
  const chunkSize = options.chunkSize ?? 64 * 1024;
  if (chunkSize < 1) throw new Error('chunkSize must be at least 1');
  const signed = options.mode !== 'streaming-unsigned-trailer';
  const withTrailer = options.mode !== 'streaming-signed';
  if (signed && !options.signing) throw new Error(`${options.mode} needs signing`);
  const s = signed ? signer(options.signing!) : undefined;
  let previous = options.signing?.seedSignature ?? '';
  const chunkSig = (chunk: Buffer): string => {
    const hash = chunk.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(chunk).digest('hex');
    previous = s!.sign(
      `AWS4-HMAC-SHA256-PAYLOAD\n${options.signing!.amzDate}\n${s!.scope}\n${previous}\n${EMPTY_SHA256}\n${hash}`,
    );
    return previous;
  };
  const parts: Buffer[] = [];
  const chunks: Buffer[] = [];
  for (let off = 0; off < data.length; off += chunkSize) chunks.push(data.subarray(off, off + chunkSize));
  chunks.push(Buffer.alloc(0));
  for (const chunk of chunks) {
    const header = chunk.length.toString(16) + (signed ? `;chunk-signature=${chunkSig(chunk)}` : '');
    parts.push(Buffer.from(`${header}\r\n`, 'latin1'));
    if (chunk.length > 0) parts.push(chunk, Buffer.from('\r\n'));
  }
  if (!withTrailer) {
    parts.push(Buffer.from('\r\n'));
    return Buffer.concat(parts);
  }
  const trailers: Array<[string, string]> =
    options.trailers ?? (options.checksum ? [[`x-amz-checksum-${options.checksum.toLowerCase()}`, await checksumBase64(options.checksum, data)]] : []);
  let canonical = '';
  for (const [name, value] of trailers) {
    parts.push(Buffer.from(`${name}:${value}\r\n`, 'latin1'));
    canonical += `${name}:${value}\n`;
  }
  if (signed) {
    const hash = createHash('sha256').update(canonical).digest('hex');
    const sig = s!.sign(`AWS4-HMAC-SHA256-TRAILER\n${options.signing!.amzDate}\n${s!.scope}\n${previous}\n${hash}`);
    parts.push(Buffer.from(`x-amz-trailer-signature:${sig}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

export interface StreamingUploadInput {
  /** e.g. http://127.0.0.1:9100/bucket/key (path already percent-encoded as it will be sent) */
  url: string;
  method?: string;
  /** extra headers to send and sign (lower-case names) */
  headers?: Record<string, string>;
  body: Buffer;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
  mode: StreamingMode;
  chunkSize?: number;
  /** trailing checksum for the trailer modes (default CRC32 there) */
  checksum?: ChecksumAlgorithm;
  signingDate?: Date;
}

export interface RawRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * A complete aws-chunked upload: headers signed by @smithy/signature-v4 (the AWS SDK's signer) with
 * x-amz-content-sha256 set to the streaming mode, and the body encoded with chunk signatures chained from it.
 */
export async function buildStreamingUpload(input: StreamingUploadInput): Promise<RawRequest> {
  const url = new URL(input.url);
  const method = input.method ?? 'PUT';
  const region = input.region ?? 'us-east-1';
  const withTrailer = input.mode !== 'streaming-signed';
  const checksum = withTrailer ? (input.checksum ?? 'CRC32') : undefined;
  const encodeOptions = (seedSignature: string): AwsChunkedEncodeOptions => ({
    mode: input.mode,
    ...(input.chunkSize !== undefined ? { chunkSize: input.chunkSize } : {}),
    ...(checksum ? { checksum } : {}),
    signing: { secretAccessKey: input.secretAccessKey, amzDate: '', region, seedSignature },
  });
  // The encoded length does not depend on the signature values, only on their (fixed) length.
  const sizing = await encodeAwsChunked(input.body, {
    ...encodeOptions('0'.repeat(64)),
    signing: { secretAccessKey: 'x', amzDate: '19700101T000000Z', region, seedSignature: '0'.repeat(64) },
  });
  const headers: Record<string, string> = {
    host: url.host,
    'content-encoding': 'aws-chunked',
    'content-length': String(sizing.length),
    'x-amz-content-sha256': STREAMING_HEADER_VALUE[input.mode],
    'x-amz-decoded-content-length': String(input.body.length),
    ...(checksum ? { 'x-amz-trailer': `x-amz-checksum-${checksum.toLowerCase()}` } : {}),
    ...input.headers,
  };
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const request = new HttpRequest({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers,
  });
  const sigv4 = new SignatureV4({
    credentials: { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey },
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signedRequest = await sigv4.sign(request, { signingDate: input.signingDate ?? new Date() });
  const signedHeaders = signedRequest.headers as Record<string, string>;
  const authorization = signedHeaders['authorization'] ?? signedHeaders['Authorization'] ?? '';
  const seed = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1];
  const amzDate = signedHeaders['x-amz-date'] ?? signedHeaders['X-Amz-Date'];
  if (!seed || !amzDate) throw new Error('smithy did not produce a SigV4 Authorization header');
  const body = await encodeAwsChunked(input.body, {
    ...encodeOptions(seed),
    signing: { secretAccessKey: input.secretAccessKey, amzDate, region, seedSignature: seed },
  });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signedHeaders)) out[k.toLowerCase()] = v;
  return { url: input.url, method, headers: out, body };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Send one HTTP request exactly as given (no header added but Connection) and read the whole answer. */
export function sendRequest(req: { url: string; method: string; headers: Record<string, string>; body?: Buffer | Readable }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url);
    const r = http.request(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: req.headers, setHost: !('host' in req.headers) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    const body = req.body;
    if (body === undefined) r.end();
    else if (Buffer.isBuffer(body)) r.end(body);
    else body.pipe(r);
  });
}
