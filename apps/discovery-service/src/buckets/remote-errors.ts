import { BucketgateError } from '@bucketgate/contracts';

/**
 * The one table from "what went wrong talking to a remote storage" to a typed error code with a message an
 * operator understands. Every error the remote (or the network on the way) produces passes through
 * `toRemoteError`; nothing else in the service guesses at SDK error shapes.
 */

/** Thrown (by the response inspector) when an endpoint answers HTTP that is not S3, e.g. a web page. */
export class NotS3ResponseError extends Error {
  override readonly name = 'NotS3ResponseError';
  constructor(readonly status: number | undefined, readonly contentType: string | undefined) {
    super(`answered HTTP ${status ?? '?'} with ${contentType ?? 'no content type'}`);
  }
}

/**
 * Thrown (by the capped request handler) when a remote's answer grows past the byte bound: no S3 reply
 * discovery reads comes near it, so a bigger one is a hostile or broken endpoint, cut off before it is parsed.
 */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(readonly maxBytes: number, readonly declaredBytes?: number) {
    super(`the answer is larger than ${maxBytes} bytes${declaredBytes !== undefined ? ` (it announced ${declaredBytes})` : ''}`);
  }
}

export interface RemoteErrorContext {
  /** What the operator typed (or "Amazon S3"), named in messages. */
  endpoint: string;
  /** The S3 operation, e.g. ListBuckets. */
  op: string;
  /** The region requests were signed for. */
  region?: string;
  /** The bounds that applied, named in TIMEOUT messages. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Remote error codes that mean "these credentials are not accepted". */
export const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'AuthorizationHeaderMalformed',
]);
/** Remote error codes that mean "the credentials are fine, the operation is not allowed". */
export const DENIED_CODES = new Set(['AccessDenied', 'AllAccessDisabled']);
const CONFLICT_CODES = new Set(['BucketAlreadyExists', 'BucketAlreadyOwnedByYou', 'OperationAborted']);
const INVALID_CODES = new Set(['InvalidBucketName', 'InvalidLocationConstraint', 'IllegalLocationConstraintException', 'TooManyBuckets']);

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens on that host and port)',
  ENOTFOUND: 'the host name does not resolve (check the spelling)',
  EAI_AGAIN: 'the host name could not be resolved right now (DNS did not answer)',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  EHOSTDOWN: 'the host is down',
  ECONNRESET: 'the connection was closed by the other side',
  EPIPE: 'the connection was closed by the other side',
  ECONNABORTED: 'the connection was aborted',
  EADDRNOTAVAIL: 'the address is not available from here',
};

const CODE_IN_TEXT_RE = new RegExp(`\\b(${[...Object.keys(UNREACHABLE), 'ETIMEDOUT', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID'].join('|')})\\b`);
const TLS_CODE_RE = /^(CERT_|ERR_SSL_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$)/;
const TLS_MESSAGE_RE = /wrong version number|ssl3_get_record|certificate|self[- ]signed|tlsv1 alert|ssl routines|tls handshake|handshake failure|before secure TLS connection/i;
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

function asErrorLike(err: unknown): ErrorLike {
  return typeof err === 'object' && err !== null ? (err as ErrorLike) : { message: String(err) };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The network/TLS code of an error or any error it wraps (Node puts them in `code`, sometimes in a cause).
 * When a wrapper kept only the text (the SDK does so for errors from another realm, e.g. under a test VM),
 * a known code is read from the message.
 */
function systemCode(e: ErrorLike): string | undefined {
  for (let cur: ErrorLike | undefined = e, depth = 0; cur && depth < 4; cur = cur.cause ? asErrorLike(cur.cause) : undefined, depth++) {
    const code = str(cur.code);
    if (code) return code;
  }
  const fromText = allMessages(e).match(CODE_IN_TEXT_RE)?.[1];
  return fromText;
}

function allMessages(e: ErrorLike): string {
  const parts: string[] = [];
  for (let cur: ErrorLike | undefined = e, depth = 0; cur && depth < 4; cur = cur.cause ? asErrorLike(cur.cause) : undefined, depth++) {
    const m = str(cur.message);
    if (m) parts.push(m);
  }
  return parts.join(' | ');
}

/** The remote's own message, or nothing when it sent none (the SDK then says "UnknownError"). */
function remoteMessage(e: ErrorLike): string | undefined {
  const m = str(e.message)?.split('\n')[0]?.trim();
  if (!m || m === 'UnknownError' || /^Deserialization error/i.test(m)) return undefined;
  return m;
}

function remoteCodeOf(e: ErrorLike): string | undefined {
  const code = str(e.Code) ?? str(e.name);
  if (!code || code === 'Error' || code === 'Unknown' || code === 'UnknownError' || code === 'S3ServiceException') return undefined;
  // Without an error body the SDK names the error after the status ("301"): that is no remote code.
  if (/^\d{3}$/.test(code)) return undefined;
  return code;
}

function statusOf(e: ErrorLike): number | undefined {
  return e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
}

function headerOf(e: ErrorLike, name: string): string | undefined {
  const headers = e.$response?.headers;
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function looksLikeHtml(e: ErrorLike): boolean {
  return /html/i.test(headerOf(e, 'content-type') ?? '');
}

/** Turns any error from a remote call into the typed error the caller gets. */
export function toRemoteError(err: unknown, ctx: RemoteErrorContext): BucketgateError {
  if (err instanceof BucketgateError) return err;
  const e = asErrorLike(err);
  const where = ctx.endpoint;
  const name = str(e.name);
  const code = systemCode(e);
  const status = statusOf(e);
  const remoteCode = remoteCodeOf(e);

  // 1. Our own deadline, the SDK's timeouts, an abort.
  if (name === 'AbortError' || name === 'TimeoutError' || (code && TIMEOUT_CODES.has(code)) || (remoteCode && TIMEOUT_CODES.has(remoteCode) && status === undefined)) {
    const connecting = /without establishing a connection|connect(ion)? tim/i.test(allMessages(e));
    const ms = connecting ? ctx.connectTimeoutMs : ctx.timeoutMs;
    const bound = ms ? ` within ${ms} ms` : ' in time';
    const message = connecting
      ? `could not connect to ${where}${bound} (a firewall may drop the packets, or the host is down)`
      : `${where} did not answer ${ctx.op}${bound}: the storage is slow, overloaded, or something on the way swallows the request`;
    return new BucketgateError('TIMEOUT', message, { endpoint: where, op: ctx.op, ...(ms ? { timeoutMs: ms } : {}) }, { cause: err });
  }

  // 2. An HTTP answer that is not S3 at all: a web page, an answer far too big, or no HTTP at all.
  if (err instanceof ResponseTooLargeError || name === 'ResponseTooLargeError') {
    const max = (err as { maxBytes?: number }).maxBytes;
    return new BucketgateError(
      'REMOTE_ERROR',
      `${where} does not look like an S3 storage: its answer to ${ctx.op} is larger than ${max ?? '?'} bytes, which is no S3 ${ctx.op} reply (the rest was not read)`,
      { endpoint: where, op: ctx.op, notS3: true, ...(max ? { maxBytes: max } : {}), ...(status ? { status } : {}) },
      { cause: err },
    );
  }
  if (status === undefined && isHttpParseError(e, code)) {
    return new BucketgateError(
      'REMOTE_ERROR',
      `${where} does not look like an S3 storage: what answered on that port does not speak HTTP (check the endpoint URL and port)`,
      { endpoint: where, op: ctx.op, notS3: true, ...(code ? { parseError: code } : {}) },
      { cause: err },
    );
  }
  if (err instanceof NotS3ResponseError || (status !== undefined && looksLikeHtml(e))) {
    const s = err instanceof NotS3ResponseError ? err.status : status;
    return notS3(where, ctx.op, s, err);
  }

  // 3. Certificates and TLS (checked before plain network codes: a TLS failure often also carries EPROTO/ECONNRESET).
  const messages = allMessages(e);
  if ((code && TLS_CODE_RE.test(code)) || (status === undefined && TLS_MESSAGE_RE.test(messages))) {
    return new BucketgateError('TLS_ERROR', tlsMessage(where, code, messages), { endpoint: where, ...(code ? { tlsCode: code } : {}) }, { cause: err });
  }

  // 4. The network: nothing answered at all.
  if (status === undefined && (code && code in UNREACHABLE)) {
    return new BucketgateError('REMOTE_UNREACHABLE', `cannot reach ${where}: ${UNREACHABLE[code]}`, { endpoint: where, networkCode: code }, { cause: err });
  }
  if (status === undefined && /socket hang up/i.test(messages)) {
    return new BucketgateError('REMOTE_UNREACHABLE', `cannot reach ${where}: the connection was closed before an answer (socket hang up)`, { endpoint: where, networkCode: code ?? 'ECONNRESET' }, { cause: err });
  }

  // 5. The storage answered with an S3 error.
  if (status !== undefined) {
    const details = remoteDetails(e, status, remoteCode);
    const said = remoteMessage(e);
    const reason = said ? `${remoteCode ?? `HTTP ${status}`}: ${said}` : (remoteCode ?? `HTTP ${status}`);
    if (remoteCode && CREDENTIAL_CODES.has(remoteCode)) {
      const expected = remoteCode === 'AuthorizationHeaderMalformed' ? expectedRegion(said) : undefined;
      const hint = expected
        ? ` (the storage expects region "${expected}"${ctx.region ? `, the request was signed for "${ctx.region}"` : ''}: set the datasource region to "${expected}")`
        : remoteCode === 'AuthorizationHeaderMalformed'
          ? ' (often a wrong region: check the datasource region)'
          : '';
      return new BucketgateError('INVALID_CREDENTIALS', `${where} refused the credentials (${reason})${hint}`, { ...details, ...(expected ? { expectedRegion: expected } : {}) }, { cause: err });
    }
    if (remoteCode === 'RequestTimeTooSkewed') {
      return new BucketgateError('REMOTE_ERROR', `${where} refused the request because the clocks differ: this machine's clock and the storage's are more than 15 minutes apart (${reason})`, details, { cause: err });
    }
    if ((remoteCode && DENIED_CODES.has(remoteCode)) || status === 403) {
      return new BucketgateError('ACCESS_DENIED', `${where} denied ${ctx.op} (${reason})`, details, { cause: err });
    }
    if (remoteCode && CONFLICT_CODES.has(remoteCode)) {
      return new BucketgateError('CONFLICT', `${where} refused ${ctx.op}: ${said ?? conflictText(remoteCode)} (${remoteCode})`, details, { cause: err });
    }
    if (remoteCode === 'InvalidLocationConstraint' || remoteCode === 'IllegalLocationConstraintException') {
      return new BucketgateError('INVALID', `${where} does not accept region "${ctx.region ?? ''}" for new buckets (${reason}): check the datasource region`, { ...details, field: 'region' }, { cause: err });
    }
    if (remoteCode && INVALID_CODES.has(remoteCode)) {
      return new BucketgateError('INVALID', `${where} refused ${ctx.op} (${reason})`, details, { cause: err });
    }
    if (ctx.op === 'ListBuckets' && (status === 404 || status === 405)) return notS3(where, ctx.op, status, err);
    if (isDeserializationFailure(e)) return notS3(where, ctx.op, status, err);
    const withStatus = reason.includes(`HTTP ${status}`) ? reason : `${reason}, HTTP ${status}`;
    const hint = status >= 300 && status < 400 ? ': it redirects elsewhere (check the endpoint URL, http or https, and the datasource region)' : '';
    return new BucketgateError('REMOTE_ERROR', `${where} answered ${ctx.op} with an error (${withStatus})${hint}`, details, { cause: err });
  }

  // 6. Anything else that still came from the connection (an unknown system code).
  if (code && /^E[A-Z]+$/.test(code)) {
    return new BucketgateError('REMOTE_UNREACHABLE', `cannot reach ${where}: ${code}`, { endpoint: where, networkCode: code }, { cause: err });
  }
  if (isDeserializationFailure(e)) return notS3(where, ctx.op, undefined, err);
  return new BucketgateError('INTERNAL', 'internal error', undefined, { cause: err });
}

/** Node's HTTP parser refused the bytes that came back (codes HPE_*, "Parse Error: Expected HTTP/"). */
function isHttpParseError(e: ErrorLike, code: string | undefined): boolean {
  if (code?.startsWith('HPE_')) return true;
  return /\bHPE_[A-Z_]+\b|Parse Error|Expected HTTP\//.test(allMessages(e));
}

function isDeserializationFailure(e: ErrorLike): boolean {
  return /Deserialization error|char '.' is not expected|Unexpected close tag|Non-whitespace before first tag/i.test(allMessages(e));
}

function notS3(where: string, op: string, status: number | undefined, cause: unknown): BucketgateError {
  return new BucketgateError(
    'REMOTE_ERROR',
    `${where} does not look like an S3 storage: it answered ${op} with ${status ? `HTTP ${status}` : 'something'} that is not an S3 reply (check the endpoint URL and port)`,
    { endpoint: where, op, notS3: true, ...(status ? { status } : {}) },
    { cause },
  );
}

function remoteDetails(e: ErrorLike, status: number, remoteCode: string | undefined): Record<string, unknown> {
  const requestId = e.$metadata?.requestId ?? headerOf(e, 'x-amz-request-id');
  return { status, ...(remoteCode ? { remoteCode } : {}), ...(requestId ? { requestId } : {}) };
}

function expectedRegion(message: string | undefined): string | undefined {
  return message?.match(/expecting '([^']+)'/)?.[1];
}

function conflictText(code: string): string {
  if (code === 'BucketAlreadyOwnedByYou') return 'you already own a bucket with this name';
  if (code === 'BucketAlreadyExists') return 'the bucket name is taken; bucket names are shared by every account of the storage, pick another';
  return 'a conflicting operation is in progress; try again';
}

function tlsMessage(where: string, code: string | undefined, messages: string): string {
  if (/wrong version number|ssl3_get_record|packet length too long|http request/i.test(messages)) {
    return `TLS handshake with ${where} failed: the port answers plain HTTP, not HTTPS (use http:// in the endpoint, or the storage's HTTPS port)`;
  }
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN' || /self[- ]signed/i.test(messages)) {
    return `TLS certificate of ${where} is self-signed and not trusted here (add its CA to NODE_EXTRA_CA_CERTS of the discovery and gateway services)`;
  }
  if (code === 'CERT_HAS_EXPIRED') return `TLS certificate of ${where} has expired`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return `TLS certificate of ${where} is not valid for this host name`;
  if (code?.startsWith('UNABLE_TO_')) return `TLS certificate of ${where} is not signed by a trusted authority (${code})`;
  return `TLS error talking to ${where}${code ? ` (${code})` : ''}`;
}

