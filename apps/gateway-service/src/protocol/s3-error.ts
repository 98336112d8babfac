/**
 * The one closed table from S3 error code to HTTP status and default message.
 * Every error the gateway answers with is an {@link S3Error} carrying one of these codes.
 */
const TABLE = {
  AccessDenied: { status: 403, message: 'Access Denied' },
  AllAccessDisabled: { status: 403, message: 'All access to this object has been disabled.' },
  InvalidAccessKeyId: { status: 403, message: 'The AWS access key Id you provided does not exist in our records.' },
  SignatureDoesNotMatch: {
    status: 403,
    message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  },
  RequestTimeTooSkewed: { status: 403, message: 'The difference between the request time and the current time is too large.' },
  InvalidObjectState: { status: 403, message: 'The operation is not valid for the current state of the object.' },
  AuthorizationHeaderMalformed: { status: 400, message: 'The authorization header that you provided is not valid.' },
  AuthorizationQueryParametersError: { status: 400, message: 'Error parsing the X-Amz-Credential parameter.' },
  MissingSecurityHeader: { status: 400, message: 'Your request is missing a required header.' },
  InvalidArgument: { status: 400, message: 'Invalid Argument' },
  InvalidRequest: { status: 400, message: 'Invalid Request' },
  InvalidURI: { status: 400, message: "Couldn't parse the specified URI." },
  InvalidDigest: { status: 400, message: 'The Content-MD5 or checksum value that you specified is not valid.' },
  BadDigest: { status: 400, message: 'The Content-MD5 or checksum value that you specified did not match what the server received.' },
  XAmzContentSHA256Mismatch: { status: 400, message: "The provided 'x-amz-content-sha256' header does not match what was computed." },
  IncompleteBody: { status: 400, message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.' },
  MalformedTrailerError: {
    status: 400,
    message: 'The request contained trailing data that was not well-formed or did not conform to our published schema.',
  },
  MalformedXML: { status: 400, message: 'The XML you provided was not well-formed or did not validate against our published schema.' },
  MalformedPOSTRequest: { status: 400, message: 'The body of your POST request is not well-formed multipart/form-data.' },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  KeyTooLongError: { status: 400, message: 'Your key is too long.' },
  MetadataTooLarge: { status: 400, message: 'Your metadata headers exceed the maximum allowed metadata size.' },
  InvalidPart: { status: 400, message: 'One or more of the specified parts could not be found.' },
  InvalidPartOrder: { status: 400, message: 'The list of parts was not in ascending order.' },
  EntityTooSmall: { status: 400, message: 'Your proposed upload is smaller than the minimum allowed object size.' },
  EntityTooLarge: { status: 400, message: 'Your proposed upload exceeds the maximum allowed object size.' },
  TooManyParts: { status: 400, message: 'You have attempted to upload more parts than allowed.' },
  InvalidTag: { status: 400, message: 'The tag provided was not a valid tag.' },
  InvalidStorageClass: { status: 400, message: 'The storage class you specified is not valid.' },
  RequestTimeout: { status: 400, message: 'Your socket connection to the server was not read from or written to within the timeout period.' },
  ExpiredToken: { status: 400, message: 'The provided token has expired.' },
  InvalidRange: { status: 416, message: 'The requested range is not satisfiable' },
  MissingContentLength: { status: 411, message: 'You must provide the Content-Length HTTP header.' },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist' },
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
  NoSuchUpload: { status: 404, message: 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.' },
  NoSuchVersion: { status: 404, message: 'The specified version does not exist.' },
  NoSuchTagSet: { status: 404, message: 'The TagSet does not exist' },
  NoSuchBucketPolicy: { status: 404, message: 'The bucket policy does not exist' },
  NoSuchCORSConfiguration: { status: 404, message: 'The CORS configuration does not exist' },
  NoSuchLifecycleConfiguration: { status: 404, message: 'The lifecycle configuration does not exist' },
  MethodNotAllowed: { status: 405, message: 'The specified method is not allowed against this resource.' },
  BucketAlreadyExists: { status: 409, message: 'The requested bucket name is not available.' },
  BucketAlreadyOwnedByYou: { status: 409, message: 'Your previous request to create the named bucket succeeded and you already own it.' },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty' },
  OperationAborted: { status: 409, message: 'A conflicting conditional operation is currently in progress against this resource.' },
  PreconditionFailed: { status: 412, message: 'At least one of the preconditions you specified did not hold.' },
  NotModified: { status: 304, message: 'Not Modified' },
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  NotImplemented: { status: 501, message: 'A header you provided implies functionality that is not implemented.' },
  ServiceUnavailable: { status: 503, message: 'Please reduce your request rate.' },
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type S3ErrorCode = keyof typeof TABLE;

/** code -> HTTP status and default message. Closed: an unknown code does not type-check. */
export const S3_ERRORS: Record<S3ErrorCode, { status: number; message: string }> = TABLE;

export function isS3ErrorCode(code: string): code is S3ErrorCode {
  return Object.prototype.hasOwnProperty.call(TABLE, code);
}

/** One S3 error; `status` comes from {@link S3_ERRORS}. `extra` becomes additional elements of the XML body. */
export class S3Error extends Error {
  override readonly name = 'S3Error';
  readonly code: S3ErrorCode;
  readonly status: number;
  readonly extra?: Record<string, string>;

  constructor(code: S3ErrorCode, message?: string, extra?: Record<string, string>, options?: { cause?: unknown }) {
    const entry = S3_ERRORS[code];
    super(message ?? entry.message, options);
    this.code = code;
    this.status = entry.status;
    if (extra !== undefined) this.extra = extra;
  }
}

export function isS3Error(err: unknown): err is S3Error {
  return err instanceof S3Error;
}
