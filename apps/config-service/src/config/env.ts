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
  CONFIG_ALLOWED_HOSTS: z.string().optional(),
  CONFIG_ALLOWED_ORIGINS: z.string().optional(),
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
  /**
   * Extra Host header values accepted besides loopback names and CONFIG_HOST (DNS-rebinding guard): lower-case
   * `name` (any port) or `name:port`; `['*']` accepts any Host.
   */
  allowedHosts: string[];
  /** Origins (scheme://host[:port]) besides the service's own that may change state through the API (CSRF guard). */
  allowedOrigins: string[];
}

const HOST_ENTRY = /^(?:\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(?::[0-9]{1,5})?$/;

/** CONFIG_ALLOWED_HOSTS: comma-separated host names (optionally with a port), or `*`. */
export function parseAllowedHosts(raw: string | undefined, listenHost: string): string[] {
  const entries = splitList(raw);
  if (raw === undefined || raw.trim() === '') return listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '[::]' ? ['*'] : [];
  if (entries.includes('*')) return ['*'];
  for (const entry of entries) {
    if (!HOST_ENTRY.test(entry)) {
      throw new Error(`invalid environment:\n  CONFIG_ALLOWED_HOSTS: "${entry}" is not a host name (give names like admin.example.com or admin.example.com:8080, comma-separated, or *)`);
    }
  }
  return entries;
}

/** CONFIG_ALLOWED_ORIGINS: comma-separated origins, each normalized to scheme://host[:port]. */
export function parseAllowedOrigins(raw: string | undefined): string[] {
  return splitList(raw).map((entry) => {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
      throw new Error(`invalid environment:\n  CONFIG_ALLOWED_ORIGINS: "${entry}" is not an origin (give scheme://host[:port] without a path, e.g. https://admin.example.com, comma-separated)`);
    }
    return url.origin;
  });
}

function splitList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
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
    allowedHosts: parseAllowedHosts(raw.CONFIG_ALLOWED_HOSTS, raw.CONFIG_HOST.trim().toLowerCase()),
    allowedOrigins: parseAllowedOrigins(raw.CONFIG_ALLOWED_ORIGINS),
  };
}

/** DI token for ConfigEnv. */
export const CONFIG_ENV = Symbol('CONFIG_ENV');
