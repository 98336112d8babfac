import type { Readable } from 'node:stream';
import { S3Error, S3_ERRORS, isS3ErrorCode, xmlEscape } from '../protocol/index.js';
import type { RemoteResponse } from '../remote/remote-client.js';
import { passBackResponseHeaders } from '../s3/headers.js';
import type { S3Result } from '../s3/s3.types.js';
import { xmlRoot, xmlText } from './xml.js';

/** The remote storage's own S3 error (NoSuchKey, InvalidRange, PreconditionFailed, …), given back with its code. */
export class RemoteS3Error extends Error {
  override readonly name = 'RemoteS3Error';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Extra error elements safe to show the client (never the remote's request ids, keys, string-to-sign, host). */
const SAFE_EXTRA = [
  'BucketName', 'Key', 'UploadId', 'PartNumber', 'ETag', 'Condition', 'ActualObjectSize', 'RangeRequested',
  'ArgumentName', 'ArgumentValue', 'MaxSizeAllowed', 'MinSizeAllowed', 'ProposedSize', 'VersionId',
];
/** The remote refused the datasource's own credentials: not the client's fault, and its details are not theirs. */
const REMOTE_CREDENTIAL_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'TokenRefreshRequired']);
/** The remote refused how the gateway addressed it (region, clock): the operator's problem, retryable for the client. */
const REMOTE_ADDRESSING_ERRORS = new Set(['AuthorizationHeaderMalformed', 'RequestTimeTooSkewed', 'PermanentRedirect', 'TemporaryRedirect', 'IllegalLocationConstraintException']);

export const MAX_ERROR_BODY = 64 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
  }
}

/** Reads a (small) stream whole, refusing more than `limit` bytes. */
export async function readBounded(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > limit) {
      stream.destroy();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function isSuccess(status: number): boolean {
  return (status >= 200 && status < 300) || status === 304;
}

/** The message given instead of a remote message that contains the datasource's remote credentials. */
export const SCRUBBED_MESSAGE = 'The remote storage answered with an error whose details cannot be shown.';

/**
 * Turns an S3 error document (or a bodiless error status) from the remote into the error to answer with.
 * `reveals` says whether a text contains the datasource's remote credentials (a remote that echoes its secret):
 * such a message is replaced by a generic one and such a detail dropped, so neither reaches a client or a log.
 */
export function remoteErrorFrom(status: number, xml: string, isObject: boolean, reveals: (text: string) => boolean): S3Error | RemoteS3Error {
  const code = xmlRoot(xml) === 'Error' ? xmlText(xml, 'Code') : undefined;
  if (!code) return bodilessError(status, isObject);
  if (REMOTE_CREDENTIAL_ERRORS.has(code)) {
    return new S3Error('AccessDenied', `The remote storage refused this datasource's credentials (${code}); the operator must update the datasource.`, { RemoteCode: code });
  }
  if (REMOTE_ADDRESSING_ERRORS.has(code)) {
    return new S3Error('ServiceUnavailable', `The remote storage refused the gateway's request (${code}).`, { RemoteCode: code });
  }
  if (reveals(code)) return bodilessError(status, isObject, SCRUBBED_MESSAGE);
  const fallback = isS3ErrorCode(code) ? S3_ERRORS[code].message : code;
  const remoteMessage = xmlText(xml, 'Message');
  const message = remoteMessage === undefined ? fallback : reveals(remoteMessage) ? SCRUBBED_MESSAGE : remoteMessage;
  const extra: Record<string, string> = {};
  for (const name of SAFE_EXTRA) {
    const v = xmlText(xml, name);
    if (v !== undefined && !reveals(v)) extra[name] = v;
  }
  return new RemoteS3Error(status >= 400 ? status : 500, code, message, extra);
}

function bodilessError(status: number, isObject: boolean, scrubbed?: string): RemoteS3Error {
  const code =
    status === 404 ? (isObject ? 'NoSuchKey' : 'NoSuchBucket')
    : status === 403 ? 'AccessDenied'
    : status === 412 ? 'PreconditionFailed'
    : status === 416 ? 'InvalidRange'
    : status === 400 ? 'InvalidRequest'
    : status === 405 ? 'MethodNotAllowed'
    : status === 409 ? 'OperationAborted'
    : status === 501 ? 'NotImplemented'
    : status === 503 ? 'SlowDown'
    : 'InternalError';
  const message = scrubbed ?? (isS3ErrorCode(code) ? S3_ERRORS[code].message : code);
  return new RemoteS3Error(status >= 400 ? status : 500, code, message);
}

/** Reads the remote's error answer (bounded) and throws the error to give the client. */
export async function throwRemoteError(res: RemoteResponse, isObject: boolean): Promise<never> {
  let xml = '';
  try {
    xml = (await readBounded(res.body, MAX_ERROR_BODY)).toString('utf8');
  } catch {
    // an unreadable or oversized error body: fall back to the status
  }
  throw remoteErrorFrom(res.status, xml, isObject, (text) => res.revealsCredentials(text));
}

/** A successful remote answer streamed back as is (headers filtered); the remote's errors become S3 errors. */
export async function passThrough(res: RemoteResponse, opts: { head?: boolean; isObject: boolean }): Promise<S3Result> {
  if (!isSuccess(res.status)) return throwRemoteError(res, opts.isObject);
  const headers = passBackResponseHeaders(res.headers);
  if (opts.head || res.status === 304 || res.status === 204) {
    res.body.resume();
    return { status: res.status, headers };
  }
  return { status: res.status, headers, body: res.body };
}

/**
 * A small XML answer read whole: S3 may answer 200 with an <Error> document (CopyObject, CompleteMultipartUpload),
 * which is an error; `transform` may rewrite the document (e.g. a Location that names the remote).
 */
export async function xmlAnswer(res: RemoteResponse, opts: { isObject: boolean; limit?: number; transform?: (xml: string) => string }): Promise<S3Result> {
  if (!isSuccess(res.status)) return throwRemoteError(res, opts.isObject);
  const xml = (await readBounded(res.body, opts.limit ?? 4 * 1024 * 1024)).toString('utf8');
  if (xmlRoot(xml) === 'Error') {
    throw remoteErrorFrom(500, xml, opts.isObject, (text) => res.revealsCredentials(text));
  }
  const body = opts.transform ? opts.transform(xml) : xml;
  const headers = passBackResponseHeaders(res.headers);
  headers['content-length'] = String(Buffer.byteLength(body));
  if (!headers['content-type']) headers['content-type'] = 'application/xml';
  return { status: res.status, headers, body };
}

/** The XML of a remote S3 error, in the same shape errorXml writes. */
export function remoteErrorXml(err: RemoteS3Error, resource: string, requestId: string): string {
  const el = (n: string, v: string) => `<${n}>${xmlEscape(v)}</${n}>`;
  const extra = Object.entries(err.extra)
    .map(([n, v]) => el(n, v))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${el('Code', err.code)}${el('Message', err.message)}${extra}${el('Resource', resource)}${el('RequestId', requestId)}</Error>`;
}
