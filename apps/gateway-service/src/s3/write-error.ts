import { BucketgateError } from '@bucketgate/contracts';
import { errorXml, S3Error } from '../protocol/index.js';
import { RemoteS3Error, remoteErrorXml } from '../operations/remote-result.js';
import { RemoteUnavailableError } from '../remote/remote-client.js';
import { resourceOf, type S3Ctx } from './s3.types.js';

/** The client went away (its request was aborted): there is nobody to answer. */
export function isClientGone(ctx: S3Ctx, err: unknown): boolean {
  if (ctx.signal.aborted) return true;
  const code = (err as { code?: string } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' && ctx.res.destroyed;
}

/**
 * Any thrown value -> the error to answer with. S3 errors and the remote's own errors keep their code and
 * status; anything else is an InternalError that is logged once (with the request id) and leaks nothing.
 */
export function toS3Error(err: unknown, ctx: S3Ctx): S3Error | RemoteS3Error {
  if (err instanceof RemoteUnavailableError) {
    ctx.log.warn({ reason: err.reason }, 'remote storage unreachable');
    return err;
  }
  if (err instanceof S3Error || err instanceof RemoteS3Error) return err;
  if (err instanceof BucketgateError && err.code === 'UNAVAILABLE') return new S3Error('ServiceUnavailable');
  ctx.log.error({ err }, 'internal error while serving an S3 request');
  return new S3Error('InternalError');
}

/** The only place an error touches the response: S3 XML with our request id (no body for HEAD). */
export function writeError(ctx: S3Ctx, err: unknown): void {
  const { res, req } = ctx;
  if (isClientGone(ctx, err)) {
    ctx.log.debug({ err: (err as Error)?.message }, 'client went away');
    if (!res.destroyed) res.destroy();
    return;
  }
  const s3err = toS3Error(err, ctx);
  if (res.headersSent) {
    // Mid-stream failure: the status is gone already; cut the connection so the client sees a short body.
    ctx.log.warn({ code: s3err.code }, 'response failed after headers were sent');
    res.destroy();
    return;
  }
  const resource = resourceOf(ctx);
  const xml = s3err instanceof RemoteS3Error ? remoteErrorXml(s3err, resource, ctx.requestId) : errorXml(s3err, resource, ctx.requestId);
  if (s3err.status >= 500 && s3err.status !== 501) ctx.log.warn({ code: s3err.code, status: s3err.status }, s3err.message);
  else ctx.log.info({ code: s3err.code, status: s3err.status }, 'request refused');
  // Drop whatever body the client still sends; a client waiting on 100-continue never gets the go-ahead.
  if (!req.complete && !ctx.expectContinue) req.resume();
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.statusCode = s3err.status;
  res.setHeader('x-amz-request-id', ctx.requestId);
  // A client waiting for 100-continue, or one whose body we will not read (too large, stalled): close after answering.
  if (ctx.expectContinue || (!req.complete && (s3err.code === 'RequestTimeout' || s3err.code === 'EntityTooLarge'))) res.setHeader('connection', 'close');
  if (ctx.signed?.method === 'HEAD' || req.method === 'HEAD') {
    res.setHeader('x-amz-error-code', s3err.code);
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/xml');
  res.setHeader('content-length', Buffer.byteLength(xml));
  res.end(xml);
}
