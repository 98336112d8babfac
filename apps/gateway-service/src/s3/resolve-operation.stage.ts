import { OPERATIONS, unsupported } from '../operations/index.js';
import { matchRoute } from './routes.js';
import type { S3Ctx } from './s3.types.js';

/**
 * Stage 2: which S3 operation the request means (route table). An operation the gateway does not implement
 * still resolves, to one that answers NotImplemented, so the request is authenticated and authorized first:
 * an anonymous caller learns nothing, and an unselected bucket is AccessDenied whatever the operation.
 */
export function resolveOperation(ctx: S3Ctx): void {
  const match = matchRoute({
    method: ctx.signed!.method,
    bucket: ctx.bucket,
    key: ctx.key,
    query: ctx.query!,
    headers: ctx.req.headers,
  });
  ctx.op = match.route ? OPERATIONS[match.route.op] : unsupported(ctx.signed!.method, match.description, ctx.bucket !== undefined);
  ctx.log = ctx.log.child({ op: ctx.op.name });
}
