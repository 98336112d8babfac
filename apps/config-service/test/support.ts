import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { REDACT_PATHS } from '@bucketgate/runtime';
import { pino } from 'pino';
import { startConfigApp, type ConfigApp } from '../src/app.js';
import { loadEnv } from '../src/config/env.js';

export interface BootedApp extends ConfigApp {
  /** Everything the app logged (JSON lines), to check that secrets never appear. */
  logs(): string;
}

export const newMasterKey = (): string => randomBytes(32).toString('base64');

/** Boots the real config service (HTTP on a random port + NATS RPC) against the given NATS. */
export async function bootApp(natsUrl: string, env: Record<string, string> = {}): Promise<BootedApp> {
  let captured = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      captured += String(chunk);
      cb();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  const config = loadEnv({
    NATS_URL: natsUrl,
    CONFIG_HOST: '127.0.0.1',
    CONFIG_PORT: '0',
    GATEWAY_PUBLIC_URL: 'http://127.0.0.1:9100',
    WEB_DIST_DIR: '/nonexistent/bucketgate-web-dist',
    ...env,
  });
  const app = await startConfigApp(config, logger);
  return { ...app, logs: () => captured };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** One real HTTP call with fetch. A plain object body is sent as JSON; a string is sent as is. */
export async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export { eventually } from '@bucketgate/runtime/testing';

export function datasourceBody(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    apiKey: 'AKIAREMOTEKEY',
    apiSecret: `remote-secret-${name}-Zq8/+`,
    endpoint: 'http://127.0.0.1:8000',
    buckets: ['alpha-bucket', 'beta-bucket'],
    skipCheck: true,
    ...extra,
  };
}
