/**
 * The closed list of error codes that cross a process boundary. Never rename one: add a new code instead.
 * Each edge maps them once: REST -> HTTP status + JSON, gateway -> S3 XML error, NATS -> ErrorBody.
 */
export const ERROR_CODES = [
  'INVALID', // a request failed validation; message says what to fix
  'NOT_FOUND',
  'CONFLICT', // duplicate name, or a compare-and-set lost against a concurrent write
  'INVALID_CREDENTIALS', // the remote refused the key or secret (InvalidAccessKeyId, SignatureDoesNotMatch)
  'ACCESS_DENIED', // the remote accepted the credentials but refused the operation (e.g. ListAllMyBuckets)
  'REMOTE_UNREACHABLE', // DNS failure, connection refused/reset, no route
  'TLS_ERROR', // certificate or handshake trouble talking to the remote
  'TIMEOUT', // the remote or a service did not answer in time
  'REMOTE_ERROR', // the remote answered with an unexpected error; details carry its code/status
  'UNAVAILABLE', // a bucketgate service is not reachable over NATS
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What an error looks like on the wire (NATS replies, REST bodies under `error`). */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** The one domain error type services throw. */
export class BucketgateError extends Error {
  override readonly name = 'BucketgateError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toBody(): ErrorBody {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }

  static fromBody(body: ErrorBody): BucketgateError {
    return new BucketgateError(body.code, body.message, body.details);
  }
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as ErrorBody).code) &&
    typeof (value as ErrorBody).message === 'string'
  );
}

/** REST edge: one table from code to HTTP status. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_CREDENTIALS: 400,
  ACCESS_DENIED: 403,
  REMOTE_UNREACHABLE: 502,
  TLS_ERROR: 502,
  TIMEOUT: 504,
  REMOTE_ERROR: 502,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};
