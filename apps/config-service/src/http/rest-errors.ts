import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException } from '@nestjs/common';
import { BucketgateError, HTTP_STATUS, type ErrorBody } from '@bucketgate/contracts';
import type { Logger } from 'pino';
import { requestIdOf } from './request-context.js';
import type { RouteTable } from './route-table.js';

/**
 * The REST edge's one mapping: a BucketgateError keeps its code and message (status from HTTP_STATUS); a Nest
 * HttpException (e.g. an unknown route) gets the matching code, or 405 + `Allow` when only the method is wrong; anything else is INTERNAL, logged once with the
 * request id, and its message is not shown to the client.
 */
export function toRestError(err: unknown, req: IncomingMessage, logger: Logger, routes?: RouteTable): { status: number; body: ErrorBody; allow?: string } {
  const requestId = requestIdOf(req);
  if (err instanceof BucketgateError) {
    if (err.code === 'INTERNAL') logger.error({ err, requestId, method: req.method, path: pathOf(req) }, 'request failed: internal error');
    return { status: HTTP_STATUS[err.code], body: err.toBody() };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status === 404) {
      const allowed = routes?.allowedMethods(pathOf(req)) ?? [];
      if (allowed.length > 0) {
        const allow = allowed.join(', ');
        return { status: 405, allow, body: { code: 'INVALID', message: `${req.method} is not allowed on ${pathOf(req)}; it answers to ${allow}` } };
      }
      return { status, body: { code: 'NOT_FOUND', message: `no such route: ${req.method} ${pathOf(req)} (the REST API lives under /api)` } };
    }
    if (status >= 400 && status < 500) return { status: 400, body: { code: 'INVALID', message: err.message } };
  }
  logger.error({ err, requestId, method: req.method, path: pathOf(req) }, 'request failed: unexpected error');
  return { status: 500, body: { code: 'INTERNAL', message: `internal error (request id ${requestId ?? 'unknown'})` } };
}

export function sendError(res: ServerResponse, status: number, body: ErrorBody): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify({ error: body });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

export function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}
