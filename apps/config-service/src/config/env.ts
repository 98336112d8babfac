import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { natsServers, readEnv } from '@bucketgate/runtime';

/** apps/web/dist of this repository (the same path from src/config and from dist/config). */
export function defaultWebDistDir(): string | undefined {
  const dir = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
  return existsSync(dir) ? dir : undefined;
}

const Port = z.coerce.number().int().min(0).max(65_535);
const Url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:9100' });

const EnvSchema = z.object({
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  LOG_LEVEL: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  CONFIG_HOST: z.string().min(1).default('127.0.0.1'),
  CONFIG_PORT: Port.default(8080),
  BUCKETGATE_MASTER_KEY: z.string().optional(),
  BUCKETGATE_MASTER_KEY_FILE: z.string().min(1).default('./data/master.key'),
  GATEWAY_PUBLIC_URL: Url.default('http://127.0.0.1:9100'),
  WEB_DIST_DIR: z.string().optional(),
});

/** Everything the config service reads from its environment, parsed once at boot. */
export interface ConfigEnv {
  natsServers: string[];
  logLevel: string;
  host: string;
  port: number;
  /** Raw BUCKETGATE_MASTER_KEY (validated when the key is loaded); never logged. */
  masterKey: string | undefined;
  masterKeyFile: string;
  gatewayPublicUrl: string;
  /** Directory with the built web page, or undefined (then `/` explains that the UI is not built). */
  webDistDir: string | undefined;
}

export function loadEnv(env: NodeJS.ProcessEnv = process.env): ConfigEnv {
  const raw = readEnv(EnvSchema, env);
  const servers = natsServers(raw.NATS_URL);
  if (servers.length === 0) throw new Error('invalid environment:\n  NATS_URL: give at least one server, e.g. nats://127.0.0.1:4222');
  const masterKey = raw.BUCKETGATE_MASTER_KEY?.trim();
  return {
    natsServers: servers,
    logLevel: raw.LOG_LEVEL,
    host: raw.CONFIG_HOST,
    port: raw.CONFIG_PORT,
    masterKey: masterKey ? masterKey : undefined,
    masterKeyFile: raw.BUCKETGATE_MASTER_KEY_FILE,
    gatewayPublicUrl: raw.GATEWAY_PUBLIC_URL.replace(/\/+$/, ''),
    webDistDir: raw.WEB_DIST_DIR?.trim() ? raw.WEB_DIST_DIR.trim() : defaultWebDistDir(),
  };
}

/** DI token for ConfigEnv. */
export const CONFIG_ENV = Symbol('CONFIG_ENV');
