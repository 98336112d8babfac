import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy, type NatsOptions } from '@nestjs/microservices';
import { firstValueFrom, throwError, timeout, TimeoutError, type Observable } from 'rxjs';
import { BucketgateError, parseOrThrow, type RpcDef, type RpcRequest, type RpcResponse } from '@bucketgate/contracts';
import type { Logger } from 'pino';
import { toBucketgateError, toErrorBody } from './errors.js';

/** Nest microservice options for a NATS server in a queue group (replicas share the load). */
export function natsServerOptions(servers: string[], queue: string): NatsOptions {
  return {
    transport: Transport.NATS,
    options: { servers, queue, name: queue, maxReconnectAttempts: -1, reconnectTimeWait: 500, gracefulShutdown: true, gracePeriod: 2000 },
  };
}

/** Handler side: parse a message with the declared request schema (one line per handler). */
export function parseRpc<D extends RpcDef>(def: D, data: unknown): ReturnType<D['request']['parse']> {
  return parseOrThrow(def.request, data, `${def.subject} request`) as ReturnType<D['request']['parse']>;
}

/** Caller side: typed request/reply with validation both ways and a timeout, errors as BucketgateError. */
export class RpcClient {
  private readonly proxy: ClientProxy;

  constructor(servers: string[], private readonly name = 'bucketgate') {
    this.proxy = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 500 },
    }) as ClientProxy;
  }

  async connect(): Promise<void> {
    await this.proxy.connect();
  }

  async call<D extends RpcDef>(def: D, request: RpcRequest<D>, opts: { timeoutMs?: number } = {}): Promise<RpcResponse<D>> {
    const body = parseOrThrow(def.request, request, `${def.subject} request`);
    const ms = opts.timeoutMs ?? def.timeoutMs;
    let reply: unknown;
    try {
      reply = await firstValueFrom((this.proxy.send(def.subject, body) as Observable<unknown>).pipe(timeout(ms)));
    } catch (err) {
      if (err instanceof TimeoutError) {
        throw new BucketgateError('UNAVAILABLE', `no answer on ${def.subject} within ${ms} ms (is the service running?)`);
      }
      if (isNoResponders(err)) throw new BucketgateError('UNAVAILABLE', `no service answers ${def.subject} (is it running?)`);
      throw toBucketgateError(err);
    }
    return parseOrThrow(def.response, reply, `${def.subject} reply`) as RpcResponse<D>;
  }

  async close(): Promise<void> {
    await this.proxy.close();
  }
}

function isNoResponders(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; err?: unknown; constructor?: { name?: string } } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.err) return isNoResponders(e.err);
  return e.code === '503' || e.code === 503 || /no ?responders|EmptyResponse|no subscribers/i.test(String(e.name ?? '') + ' ' + String(e.message ?? '') + ' ' + String(e.constructor?.name ?? ''));
}

/** NATS edge: any thrown error crosses as { code, message, details }; unknown ones are logged once as INTERNAL. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger?: Logger) {}
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const body = toErrorBody(exception);
    if (body.code === 'INTERNAL') this.logger?.error({ err: exception }, 'unhandled error in RPC handler');
    return throwError(() => body);
  }
}
