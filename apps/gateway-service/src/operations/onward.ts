import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { decodeBody, S3Error } from '../protocol/index.js';
import type { OnwardRequest, RemoteResponse } from '../remote/remote-client.js';
import type { QueryPairs } from '../remote/remote-address.js';
import { forwardRequestHeaders } from '../s3/headers.js';
import type { AuthorizedCtx } from '../s3/s3.types.js';
import { BodyTooLargeError, readBounded } from './remote-result.js';

/**
 * The query parameters the operation declares, in the client's order. Everything else stays here: the client's
 * presigned-URL signature (X-Amz-*), SDK bookkeeping (x-id), and any sub-resource the route did not ask for.
 */
export function forwardQuery(query: URLSearchParams, allowed: readonly string[]): QueryPairs {
  const out: Array<[string, string]> = [];
  for (const [k, v] of query) if (allowed.includes(k)) out.push([k, v]);
  return out;
}

/** The onward request for this client request: same method, bucket, key, query and meaningful headers. */
export function onward(ctx: AuthorizedCtx, overrides: Partial<OnwardRequest> = {}): Promise<RemoteResponse> {
  return ctx.worker.remote.send({
    method: ctx.signed.method,
    bucket: ctx.bucket,
    key: ctx.key,
    query: forwardQuery(ctx.query, ctx.op.query ?? []),
    headers: forwardRequestHeaders(ctx.req.headers),
    signal: ctx.signal,
    ...overrides,
  });
}

/** Tells a client waiting on `Expect: 100-continue` to send its body (only once we know we will read it). */
function goAhead(ctx: AuthorizedCtx): void {
  if (ctx.expectContinue) {
    ctx.expectContinue = false;
    ctx.res.writeContinue();
  }
}

/** S3's limit for one PutObject and for one UploadPart: 5 GiB. */
export const MAX_SINGLE_UPLOAD = 5 * 1024 ** 3;

/**
 * Cuts a request body whose client stops sending for GATEWAY_CLIENT_IDLE_TIMEOUT_MS: the decoded stream is
 * destroyed with RequestTimeout, which aborts the onward request (nothing is stored), the client gets 400
 * RequestTimeout and the concurrency slot is freed. A body held back by the onward side (back pressure) is not
 * the client's fault and does not count.
 */
export function watchClientIdle(ctx: AuthorizedCtx, stream: Readable): void {
  const ms = ctx.settings.clientIdleTimeoutMs;
  const req = ctx.req;
  if (!ms || req.complete) return;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    clearTimeout(timer);
    req.off('data', arm);
    req.off('end', stop);
    req.off('close', stop);
    stream.off('close', stop);
  };
  const fire = () => {
    if (req.complete || stream.destroyed) return stop();
    if (req.isPaused()) return arm();
    ctx.log.info({ idleMs: ms }, 'client stopped sending its request body');
    stop();
    req.unpipe();
    stream.destroy(new S3Error('RequestTimeout'));
  };
  function arm() {
    clearTimeout(timer);
    timer = setTimeout(fire, ms);
  }
  req.on('data', arm);
  req.once('end', stop);
  req.once('close', stop);
  stream.once('close', stop);
  arm();
}

/** The verified, decoded upload body as a stream, with its length (S3 needs one for object uploads). */
export function uploadBody(ctx: AuthorizedCtx): { stream: Readable; contentLength: number } {
  const { stream, contentLength } = decodeBody(ctx.req, ctx.signed, ctx.auth, ctx.worker.issuedSecret);
  if (contentLength === undefined || contentLength > MAX_SINGLE_UPLOAD) {
    ctx.req.unpipe();
    stream.destroy();
    if (contentLength === undefined) throw new S3Error('MissingContentLength');
    throw new S3Error('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${MAX_SINGLE_UPLOAD} bytes (5 GiB) for one request; use a multipart upload.`, {
      ProposedSize: String(contentLength),
      MaxSizeAllowed: String(MAX_SINGLE_UPLOAD),
    });
  }
  goAhead(ctx);
  watchClientIdle(ctx, stream);
  return { stream, contentLength };
}

/** A small request body (XML documents) read whole after verification, refusing more than `limit` bytes. */
export async function smallBody(ctx: AuthorizedCtx, limit: number): Promise<Buffer> {
  const { stream, contentLength } = decodeBody(ctx.req, ctx.signed, ctx.auth, ctx.worker.issuedSecret);
  if (contentLength !== undefined && contentLength > limit) {
    throw new S3Error('EntityTooLarge', `The request body is larger than ${limit} bytes.`, { MaxSizeAllowed: String(limit) });
  }
  goAhead(ctx);
  watchClientIdle(ctx, stream);
  try {
    return await readBounded(stream, limit);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      throw new S3Error('EntityTooLarge', `The request body is larger than ${limit} bytes.`, { MaxSizeAllowed: String(limit) });
    }
    throw err;
  }
}

export function md5Base64(buf: Buffer): string {
  return createHash('md5').update(buf).digest('base64');
}
