import { admit } from './admit.stage.js';
import { authenticate } from './authenticate.stage.js';
import { authorize } from './authorize.stage.js';
import { parseRequest } from './parse-request.stage.js';
import { resolveOperation } from './resolve-operation.stage.js';
import type { AuthorizedCtx, S3Ctx, Stage } from './s3.types.js';
import { writeError } from './write-error.js';
import { writeResult } from './write-result.js';

/** parse -> operation -> who signed -> may they -> concurrency slot; then the operation runs. */
export const STAGES: readonly Stage[] = [parseRequest, resolveOperation, authenticate, authorize, admit];

export async function handle(ctx: S3Ctx, stages: readonly Stage[] = STAGES): Promise<void> {
  try {
    for (const stage of stages) await stage(ctx);
    await writeResult(ctx, await ctx.op!.run(ctx as AuthorizedCtx));
  } catch (err) {
    writeError(ctx, err);
  } finally {
    ctx.release?.();
  }
}
