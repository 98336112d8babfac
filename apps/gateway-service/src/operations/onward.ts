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

/** The verified, decoded upload body as a stream, with its length (S3 needs one for object uploads). */
export function uploadBody(ctx: AuthorizedCtx): { stream: Readable; contentLength: number } {
  const { stream, contentLength } = decodeBody(ctx.req, ctx.signed, ctx.auth, ctx.worker.issuedSecret);
  if (contentLength === undefined) {
    ctx.req.unpipe();
    stream.destroy();
    throw new S3Error('MissingContentLength');
  }
  goAhead(ctx);
  return { stream, contentLength };
}

/** A small request body (XML documents) read whole after verification, refusing more than `limit` bytes. */
export async function smallBody(ctx: AuthorizedCtx, limit: number): Promise<Buffer> {
  const { stream, contentLength } = decodeBody(ctx.req, ctx.signed, ctx.auth, ctx.worker.issuedSecret);
  if (contentLength !== undefined && contentLength > limit) {
    throw new S3Error('EntityTooLarge', `The request body is larger than ${limit} bytes.`, { MaxSizeAllowed: String(limit) });
  }
  goAhead(ctx);
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
