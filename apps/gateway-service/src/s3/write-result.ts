import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Ctx, S3Result } from './s3.types.js';

/** The only place a successful answer touches the response: status, headers, then the body (streamed with back pressure). */
export async function writeResult(ctx: S3Ctx, result: S3Result): Promise<void> {
  const { res } = ctx;
  res.statusCode = result.status;
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.setHeader('x-amz-request-id', ctx.requestId);
  const body = result.body;
  const bodiless = ctx.signed?.method === 'HEAD' || result.status === 204 || result.status === 304;
  if (body === undefined || bodiless) {
    if (body instanceof Readable) body.resume();
    if (body === undefined && !bodiless && !res.hasHeader('content-length')) res.setHeader('content-length', 0);
    res.end();
    return;
  }
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (!res.hasHeader('content-length')) res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
    return;
  }
  // A client that goes away makes this reject; the remote response is destroyed with it (onward aborted).
  await pipeline(body, res);
}
