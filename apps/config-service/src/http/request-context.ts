import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

const REQUEST_ID = Symbol('requestId');
type WithId = IncomingMessage & { [REQUEST_ID]?: string };

export function requestIdOf(req: IncomingMessage): string | undefined {
  return (req as WithId)[REQUEST_ID];
}

/** Gives every request an id (the caller's X-Request-Id when sane), echoes it, and logs one line per API call. */
export function requestContext(logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    (req as WithId)[REQUEST_ID] = id;
    res.setHeader('X-Request-Id', id);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/api/')) {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logger.info({ requestId: id, method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'http request');
      });
    }
    next();
  };
}
