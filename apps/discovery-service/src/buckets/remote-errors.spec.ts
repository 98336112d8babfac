import { BucketgateError, type ErrorCode } from '@bucketgate/contracts';
import { NotS3ResponseError, ResponseTooLargeError, toRemoteError } from './remote-errors.js';

const ctx = { endpoint: 'http://storage.test:9000', op: 'ListBuckets', region: 'us-east-1', timeoutMs: 10_000, connectTimeoutMs: 3_000 };

/** An error shaped like the ones @aws-sdk/client-s3 throws for an S3 error reply. */
function s3Error(name: string, status: number, message = 'UnknownError', headers: Record<string, string> = { 'content-type': 'application/xml' }) {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status, requestId: 'tx-123' },
    $response: { statusCode: status, headers },
  });
}
/** An error shaped like the ones Node's net/tls/http modules throw. */
function systemError(code: string, message: string) {
  return Object.assign(new Error(message), { code });
}

interface Case {
  what: string;
  err: unknown;
  code: ErrorCode;
  message: RegExp;
  details?: Record<string, unknown>;
  op?: string;
}

const cases: Case[] = [
  // the remote refused the credentials: its own words are kept
  { what: 'unknown access key', err: s3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.'), code: 'INVALID_CREDENTIALS', message: /refused the credentials \(InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records\.\)/, details: { remoteCode: 'InvalidAccessKeyId', status: 403, requestId: 'tx-123' } },
  { what: 'wrong secret', err: s3Error('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided.'), code: 'INVALID_CREDENTIALS', message: /SignatureDoesNotMatch: The request signature we calculated does not match/ },
  { what: 'bad session token', err: s3Error('InvalidToken', 400, 'The provided token is malformed or otherwise invalid.'), code: 'INVALID_CREDENTIALS', message: /InvalidToken: The provided token is malformed/ },
  { what: 'expired session token', err: s3Error('ExpiredToken', 400, 'The provided token has expired.'), code: 'INVALID_CREDENTIALS', message: /ExpiredToken/ },
  { what: 'request signed for the wrong region', err: s3Error('AuthorizationHeaderMalformed', 400, "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-central-1'"), code: 'INVALID_CREDENTIALS', message: /set the datasource region to "eu-central-1"/, details: { expectedRegion: 'eu-central-1', remoteCode: 'AuthorizationHeaderMalformed' } },
  { what: 'a malformed header with no region hint', err: s3Error('AuthorizationHeaderMalformed', 400, 'The authorization header is malformed'), code: 'INVALID_CREDENTIALS', message: /check the datasource region/ },
  // the credentials are fine, the operation is not allowed
  { what: 'access denied', err: s3Error('AccessDenied', 403, 'Access Denied'), code: 'ACCESS_DENIED', message: /denied ListBuckets \(AccessDenied: Access Denied\)/, details: { remoteCode: 'AccessDenied', status: 403 } },
  { what: 'access denied with an empty message (Ceph RGW)', err: s3Error('AccessDenied', 403), code: 'ACCESS_DENIED', message: /denied ListBuckets \(AccessDenied\)$/ },
  { what: 'all access disabled', err: s3Error('AllAccessDisabled', 403, 'All access to this object has been disabled'), code: 'ACCESS_DENIED', message: /AllAccessDisabled/ },
  { what: 'a bare 403 (HEAD has no body)', err: s3Error('Forbidden', 403), code: 'ACCESS_DENIED', message: /denied HeadBucket/, op: 'HeadBucket' },
  // the network
  { what: 'connection refused', err: systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9000'), code: 'REMOTE_UNREACHABLE', message: /^cannot reach http:\/\/storage\.test:9000: connection refused/, details: { networkCode: 'ECONNREFUSED' } },
  { what: 'unknown host', err: systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND storage.test'), code: 'REMOTE_UNREACHABLE', message: /storage\.test:9000: the host name does not resolve/ },
  { what: 'DNS not answering', err: systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN storage.test'), code: 'REMOTE_UNREACHABLE', message: /could not be resolved right now/ },
  { what: 'no route', err: systemError('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:9000'), code: 'REMOTE_UNREACHABLE', message: /no route to the host/ },
  { what: 'connection reset', err: systemError('ECONNRESET', 'read ECONNRESET'), code: 'REMOTE_UNREACHABLE', message: /closed by the other side/ },
  { what: 'socket hang up', err: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), code: 'REMOTE_UNREACHABLE', message: /storage\.test:9000/ },
  { what: 'socket hang up without a code', err: new Error('socket hang up'), code: 'REMOTE_UNREACHABLE', message: /socket hang up/ },
  { what: 'a network code wrapped in a cause', err: new Error('fetch failed', { cause: systemError('ECONNREFUSED', 'connect ECONNREFUSED') }), code: 'REMOTE_UNREACHABLE', message: /connection refused/ },
  { what: 'a code only left in the text of a wrapper', err: new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9000'), code: 'REMOTE_UNREACHABLE', message: /connection refused/, details: { networkCode: 'ECONNREFUSED' } },
  { what: 'a DNS failure only left in the text of a wrapper', err: new Error('AWS SDK error wrapper for Error: getaddrinfo ENOTFOUND storage.test'), code: 'REMOTE_UNREACHABLE', message: /does not resolve/ },
  // TLS
  { what: 'https to a plain HTTP port', err: systemError('EPROTO', 'write EPROTO 803C:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'), code: 'TLS_ERROR', message: /plain HTTP, not HTTPS/ },
  { what: 'wrong version number as an OpenSSL code', err: systemError('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), code: 'TLS_ERROR', message: /plain HTTP/ },
  { what: 'self-signed certificate', err: systemError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), code: 'TLS_ERROR', message: /self-signed and not trusted/, details: { tlsCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' } },
  { what: 'self-signed root in the chain', err: systemError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), code: 'TLS_ERROR', message: /self-signed/ },
  { what: 'untrusted issuer', err: systemError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), code: 'TLS_ERROR', message: /not signed by a trusted authority/ },
  { what: 'expired certificate', err: systemError('CERT_HAS_EXPIRED', 'certificate has expired'), code: 'TLS_ERROR', message: /has expired/ },
  { what: 'certificate for another host', err: systemError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), code: 'TLS_ERROR', message: /not valid for this host name/ },
  { what: 'handshake cut off', err: systemError('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'), code: 'TLS_ERROR', message: /TLS/ },
  // time
  { what: 'request timeout of the HTTP handler', err: Object.assign(new Error('@smithy/node-http-handler - [ERROR] a request has exceeded the configured 10000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' }), code: 'TIMEOUT', message: /did not answer ListBuckets within 10000 ms/, details: { timeoutMs: 10_000 } },
  { what: 'connect timeout of the HTTP handler', err: Object.assign(new Error('Socket timed out without establishing a connection within 3000 ms'), { name: 'TimeoutError' }), code: 'TIMEOUT', message: /could not connect to http:\/\/storage\.test:9000 within 3000 ms/, details: { timeoutMs: 3_000 } },
  { what: 'an aborted request', err: Object.assign(new Error('Request aborted'), { name: 'AbortError' }), code: 'TIMEOUT', message: /did not answer/ },
  // not S3 at all
  { what: 'a web page answering 200', err: new NotS3ResponseError(200, 'text/html'), code: 'REMOTE_ERROR', message: /does not look like an S3 storage/, details: { notS3: true, status: 200 } },
  { what: 'a web server answering 404 on /', err: s3Error('NotFound', 404, 'UnknownError', { 'content-type': 'text/plain' }), code: 'REMOTE_ERROR', message: /does not look like an S3 storage: it answered ListBuckets with HTTP 404/ },
  { what: 'an HTML error page', err: s3Error('Unknown', 502, 'UnknownError', { 'content-type': 'text/html; charset=utf-8' }), code: 'REMOTE_ERROR', message: /does not look like an S3 storage/, details: { notS3: true, status: 502 } },
  { what: 'an unreadable body', err: Object.assign(new Error("char 'x' is not expected.:1:1\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object."), { $metadata: { httpStatusCode: 200 } }), code: 'REMOTE_ERROR', message: /does not look like an S3 storage/ },
  { what: 'no HTTP at all (an SSH server)', err: Object.assign(new Error('Parse Error: Expected HTTP/'), { code: 'HPE_INVALID_CONSTANT', bytesParsed: 0 }), code: 'REMOTE_ERROR', message: /^http:\/\/storage\.test:9000 does not look like an S3 storage: what answered on that port does not speak HTTP/, details: { notS3: true, parseError: 'HPE_INVALID_CONSTANT' } },
  { what: 'an HTTP parse error only left in the text of a wrapper', err: new Error('AWS SDK error wrapper for Error: Parse Error: Expected HTTP/'), code: 'REMOTE_ERROR', message: /does not speak HTTP/, details: { notS3: true } },
  { what: 'an answer past the byte bound', err: new ResponseTooLargeError(8 * 1024 * 1024), code: 'REMOTE_ERROR', message: /does not look like an S3 storage: its answer to ListBuckets is larger than 8388608 bytes, which is no S3 ListBuckets reply/, details: { notS3: true, maxBytes: 8 * 1024 * 1024 } },
  { what: 'an answer past the byte bound, as the SDK hands it back while parsing', err: Object.assign(new ResponseTooLargeError(1000), { message: 'the answer is larger than 1000 bytes\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.', $metadata: { httpStatusCode: 200 } }), code: 'REMOTE_ERROR', message: /larger than 1000 bytes/, details: { status: 200, maxBytes: 1000 } },
  // other answers from the remote
  { what: 'a redirect without a body, named after its status by the SDK', err: s3Error('301', 301, 'UnknownError', {}), code: 'REMOTE_ERROR', message: /answered ListBuckets with an error \(HTTP 301\): it redirects elsewhere/ },
  { what: 'a redirect without a body or a name', err: s3Error('UnknownError', 301, 'UnknownError', {}), code: 'REMOTE_ERROR', message: /with an error \(HTTP 301\): it redirects/ },
  { what: 'a redirect with an S3 error body', err: s3Error('PermanentRedirect', 301, 'The bucket you are attempting to access must be addressed using the specified endpoint.'), code: 'REMOTE_ERROR', message: /\(PermanentRedirect: The bucket .* endpoint\., HTTP 301\): it redirects/ },
  { what: 'bucket name taken', err: s3Error('BucketAlreadyExists', 409), code: 'CONFLICT', message: /the bucket name is taken; .* pick another \(BucketAlreadyExists\)$/, op: 'CreateBucket' },
  { what: 'bucket already yours', err: s3Error('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.'), code: 'CONFLICT', message: /you already own it/, op: 'CreateBucket' },
  { what: 'invalid bucket name', err: s3Error('InvalidBucketName', 400, 'The specified bucket is not valid.'), code: 'INVALID', message: /InvalidBucketName: The specified bucket is not valid/, op: 'CreateBucket' },
  { what: 'a region the store does not have', err: s3Error('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid'), code: 'INVALID', message: /does not accept region "us-east-1" for new buckets \(InvalidLocationConstraint: The specified location-constraint is not valid\)/, details: { field: 'region' }, op: 'CreateBucket' },
  { what: 'clock skew', err: s3Error('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.'), code: 'REMOTE_ERROR', message: /clocks differ/ },
  { what: 'an internal error of the store', err: s3Error('InternalError', 500, 'We encountered an internal error. Please try again.'), code: 'REMOTE_ERROR', message: /answered ListBuckets with an error \(InternalError: We encountered an internal error\. Please try again\., HTTP 500\)/, details: { status: 500, remoteCode: 'InternalError', requestId: 'tx-123' } },
  { what: 'slow down', err: s3Error('SlowDown', 503, 'Please reduce your request rate.'), code: 'REMOTE_ERROR', message: /SlowDown/, details: { status: 503 } },
  { what: 'an unknown system error code', err: systemError('EWEIRD', 'something odd'), code: 'REMOTE_UNREACHABLE', message: /EWEIRD/ },
  // not from the remote at all: a bug
  { what: 'a programming error', err: new TypeError('cannot read x of undefined'), code: 'INTERNAL', message: /^internal error$/ },
];

describe(toRemoteError.name, () => {
  it.each(cases)('$what -> $code', ({ err, code, message, details, op }) => {
    const mapped = toRemoteError(err, op ? { ...ctx, op } : ctx);
    expect(mapped).toBeInstanceOf(BucketgateError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(message);
    if (details) expect(mapped.details).toMatchObject(details);
    expect(mapped.message).not.toMatch(/UnknownError/);
    expect(mapped.message).not.toMatch(/(HTTP \d+).*\1/);
    expect(mapped.cause).toBe(err);
  });

  it('passes a typed error through unchanged', () => {
    const err = new BucketgateError('CONFLICT', 'already there');
    expect(toRemoteError(err, ctx)).toBe(err);
  });

  it('names Amazon S3 when there is no custom endpoint', () => {
    const mapped = toRemoteError(systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND'), { ...ctx, endpoint: 'Amazon S3 (eu-west-1)' });
    expect(mapped.message).toMatch(/^cannot reach Amazon S3 \(eu-west-1\)/);
  });
});
