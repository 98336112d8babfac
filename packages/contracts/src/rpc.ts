import type { z } from 'zod';

/** One NATS request/reply operation, declared once and used by the handler and the caller. */
export interface RpcDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly subject: string;
  readonly request: Req;
  readonly response: Res;
  /** Default caller timeout in ms (callers may lower or raise it). */
  readonly timeoutMs: number;
}

export function rpc<Req extends z.ZodType, Res extends z.ZodType>(def: {
  subject: string;
  request: Req;
  response: Res;
  timeoutMs?: number;
}): RpcDef<Req, Res> {
  return { timeoutMs: 10_000, ...def };
}

export type RpcRequest<D extends RpcDef> = z.input<D['request']>;
export type RpcResponse<D extends RpcDef> = z.output<D['response']>;

/** One JetStream event subject with its payload schema. */
export interface EventDef<P extends z.ZodType = z.ZodType> {
  readonly subject: string;
  readonly payload: P;
}
export function event<P extends z.ZodType>(def: { subject: string; payload: P }): EventDef<P> {
  return def;
}
