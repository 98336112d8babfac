import { z } from 'zod';
import { CheckCredentials, CreateBucket, ListBuckets } from '@bucketgate/contracts';
import { natsServers, readEnv } from '@bucketgate/runtime';

/** Milliseconds from the environment: unset or empty means the default. */
const millis = (fallback: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number({ message: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(100).max(120_000).default(fallback),
  );

const EnvSchema = z.object({
  NATS_URL: z.string().optional(),
  LOG_LEVEL: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v), z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  DISCOVERY_CONNECT_TIMEOUT_MS: millis(3_000),
  DISCOVERY_REQUEST_TIMEOUT_MS: millis(10_000),
});

/**
 * The shortest time any caller waits for a discovery reply, less a second for the reply to travel:
 * a look-up that runs past it is cut off here and answered with TIMEOUT, so the caller gets a typed
 * error instead of its own "no answer" (UNAVAILABLE).
 */
export const MAX_CALL_DEADLINE_MS = Math.min(ListBuckets.timeoutMs, CheckCredentials.timeoutMs, CreateBucket.timeoutMs) - 1_000;

export interface DiscoveryEnv {
  natsServers: string[];
  logLevel: string;
  /** TCP (and TLS) connect bound for one request to a remote storage. */
  connectTimeoutMs: number;
  /** Bound on a request's silence once connected (no byte for this long = TIMEOUT). */
  requestTimeoutMs: number;
  /** Overall bound on one RPC call (every request it makes to the remote together). */
  callDeadlineMs: number;
}

export function toDiscoveryEnv(input: { natsServers: string[]; logLevel?: string; connectTimeoutMs: number; requestTimeoutMs: number }): DiscoveryEnv {
  return {
    natsServers: input.natsServers,
    logLevel: input.logLevel ?? 'info',
    connectTimeoutMs: input.connectTimeoutMs,
    requestTimeoutMs: input.requestTimeoutMs,
    callDeadlineMs: Math.min(input.connectTimeoutMs + input.requestTimeoutMs + 1_000, MAX_CALL_DEADLINE_MS),
  };
}

/** Parses the environment once at boot; a bad value stops the process with a message naming the variable. */
export function loadEnv(env: NodeJS.ProcessEnv = process.env): DiscoveryEnv {
  const parsed = readEnv(EnvSchema, env);
  return toDiscoveryEnv({
    natsServers: natsServers(parsed.NATS_URL),
    logLevel: parsed.LOG_LEVEL,
    connectTimeoutMs: parsed.DISCOVERY_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: parsed.DISCOVERY_REQUEST_TIMEOUT_MS,
  });
}
