import { hostname } from 'node:os';
import { z } from 'zod';
import { readEnv } from '@bucketgate/runtime';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

/** KV keys allow only these characters; a hostname with others (rare) is made safe. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^-/_=.a-zA-Z0-9]/g, '_');
}

/**
 * Every variable the gateway reads, parsed once at boot. A bad value stops the process with a message naming
 * the variable (readEnv). Documented in the service README / report with the same defaults.
 */
export const GatewayEnvSchema = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 = any free port (tests). */
  GATEWAY_PORT: int(9100, 0, 65535),
  GATEWAY_PUBLIC_URL: z.string().url().default('http://127.0.0.1:9100'),
  GATEWAY_INSTANCE_ID: z
    .string()
    .regex(/^[-/_=.a-zA-Z0-9]+$/, 'instance id is letters, digits and - / _ = .')
    .optional(),
  /** Base domain for virtual-host requests: <bucket>.<GATEWAY_DOMAIN>. Empty = path-style only. */
  GATEWAY_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9.-]*$/, 'a domain name such as s3.example.com')
    .optional()
    .transform((v) => (v ? v.replace(/^\.+|\.+$/g, '') : undefined) || undefined),
  GATEWAY_MAX_INFLIGHT: int(256, 1, 100_000),
  GATEWAY_REMOTE_TIMEOUT_MS: int(30_000, 100, 3_600_000),
  /** Request line + headers must arrive within this (slowloris). */
  GATEWAY_HEADERS_TIMEOUT_MS: int(30_000, 100, 600_000),
  /** A request body that sends nothing for this long is cut (400 RequestTimeout); 0 = never. */
  GATEWAY_CLIENT_IDLE_TIMEOUT_MS: int(60_000, 0, 86_400_000),
});

export interface GatewayEnv {
  natsServers: string[];
  logLevel: string;
  host: string;
  port: number;
  publicUrl: string;
  instanceId: string;
  domain?: string;
  maxInflight: number;
  remoteTimeoutMs: number;
  headersTimeoutMs: number;
  clientIdleTimeoutMs: number;
}

export function loadGatewayEnv(env: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const e = readEnv(GatewayEnvSchema, env);
  return {
    natsServers: e.NATS_URL.split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
    host: e.GATEWAY_HOST,
    port: e.GATEWAY_PORT,
    publicUrl: e.GATEWAY_PUBLIC_URL.replace(/\/+$/, ''),
    instanceId: e.GATEWAY_INSTANCE_ID ?? defaultInstanceId(),
    domain: e.GATEWAY_DOMAIN,
    maxInflight: e.GATEWAY_MAX_INFLIGHT,
    remoteTimeoutMs: e.GATEWAY_REMOTE_TIMEOUT_MS,
    headersTimeoutMs: e.GATEWAY_HEADERS_TIMEOUT_MS,
    clientIdleTimeoutMs: e.GATEWAY_CLIENT_IDLE_TIMEOUT_MS,
  };
}

/** Nest injection token for the parsed environment. */
export const GATEWAY_ENV = Symbol('GATEWAY_ENV');
