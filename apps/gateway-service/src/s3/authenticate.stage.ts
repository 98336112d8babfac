import { parseAuth, S3Error, verifySignature } from '../protocol/index.js';
import type { S3Ctx } from './s3.types.js';

/**
 * Stage 3: who signed the request. The access key names the datasource (its worker); the signature is checked
 * with the secret issued for it. Unknown keys (never issued, re-issued, datasource deleted) are InvalidAccessKeyId,
 * except while some datasource the KV names could not be loaded yet: then ServiceUnavailable (retryable).
 */
export function authenticate(ctx: S3Ctx): void {
  const auth = parseAuth(ctx.signed!);
  const worker = ctx.workers.byAccessKey(auth.accessKeyId);
  if (!worker) {
    // SDKs do not retry InvalidAccessKeyId: while datasources are still loading, the key may well be valid.
    if (ctx.workers.loading()) throw new S3Error('ServiceUnavailable', 'The gateway is still loading its datasources; retry.');
    throw new S3Error('InvalidAccessKeyId');
  }
  ctx.log = ctx.log.child({ datasource: worker.name });
  verifySignature(ctx.signed!, auth, worker.issuedSecret);
  ctx.auth = auth;
  ctx.worker = worker;
}
