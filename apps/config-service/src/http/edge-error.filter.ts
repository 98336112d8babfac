import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RpcErrorFilter } from '@bucketgate/runtime';
import type { Logger } from 'pino';
import { sendError, toRestError } from './rest-errors.js';
import type { RouteTable } from './route-table.js';

/**
 * The one global filter of the hybrid app (the NATS side inherits the app config): REST errors become
 * `{ error: { code, message, details? } }` with the status from HTTP_STATUS; NATS errors go through the shared
 * RpcErrorFilter and cross as `{ code, message, details }`.
 */
@Catch()
export class EdgeErrorFilter implements ExceptionFilter {
  private readonly rpc: RpcErrorFilter;

  constructor(
    private readonly logger: Logger,
    private readonly routes?: RouteTable,
  ) {
    this.rpc = new RpcErrorFilter(logger);
  }

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() === 'rpc') return this.rpc.catch(exception, host);
    const http = host.switchToHttp();
    const { status, body, allow } = toRestError(exception, http.getRequest<IncomingMessage>(), this.logger, this.routes);
    const res = http.getResponse<ServerResponse>();
    if (allow !== undefined && !res.headersSent) res.setHeader('Allow', allow);
    sendError(res, status, body);
    return undefined;
  }
}
