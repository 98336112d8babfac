import { S3Error } from '../protocol/index.js';
import type { S3Ctx } from './s3.types.js';

/** Stage 4: the datasource's concurrency limit (GATEWAY_MAX_INFLIGHT); beyond it the client backs off (SlowDown). */
export function admit(ctx: S3Ctx): void {
  const release = ctx.worker!.tryAcquire();
  if (!release) throw new S3Error('SlowDown', 'Too many requests in flight for this datasource; reduce your request rate.');
  ctx.release = release;
}
