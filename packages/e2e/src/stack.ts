/**
 * The e2e harness: a fresh NATS (JetStream, random port) and the three BUILT services (`apps/<svc>/dist/main.js`)
 * as child processes on random loopback ports, with a temp master key. Each run captures every service's log in
 * `test-artifacts/e2e/<run>/` (kept after the run) so a failure can be diagnosed. `stop()` ends everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNatsServer, type TestNats } from '@bucketgate/runtime/testing';
import { REPO_ROOT } from './paths.js';

export { REPO_ROOT };

/** 'gateway' is the first gateway instance; with `gateways: 2` the second is 'gateway-2', and so on. */
export type ServiceName = 'config' | 'discovery' | 'gateway' | `gateway-${number}`;
type Kind = 'config' | 'discovery' | 'gateway';

export interface StackOptions {
  /** Number of gateway instances (scale-out tests). Default 1. */
  gateways?: number;
  /** Extra environment per kind of service (applied to every gateway instance for 'gateway'). */
  env?: Partial<Record<Kind, Record<string, string>>>;
  /** LOG_LEVEL of the services (default: E2E_LOG_LEVEL or 'debug'; logs go to files). */
  logLevel?: string;
  /** Label in the artifacts folder name. */
  label?: string;
  /** How long to wait for each service to become healthy (ms, default 30 000). */
  healthTimeoutMs?: number;
}

export interface RestResponse {
  status: number;
  // the JSON body (parsed), or the text when it is not JSON; `any` so tests read fields like a user would
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

export interface Stack {
  configUrl: string;
  /** The first gateway's S3 endpoint. */
  gatewayUrl: string;
  /** Every gateway instance's S3 endpoint, in order ('gateway', 'gateway-2', …). */
  gatewayUrls: string[];
  /** Gateway instance ids (GATEWAY_INSTANCE_ID), same order as gatewayUrls. */
  gatewayIds: string[];
  natsUrl: string;
  nats: TestNats;
  /** Folder with one `<service>.log` per service (kept after stop). */
  artifactsDir: string;
  masterKeyFile: string;
  /** JSON request to the config service's REST API. */
  rest(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<RestResponse>;
  /** SIGTERM one service and wait until it exited. */
  stopService(name: ServiceName): Promise<void>;
  /** Start a stopped service again (same port, same env) and wait for its health. */
  startService(name: ServiceName): Promise<void>;
  /** Everything the service logged so far. */
  logs(name: ServiceName): string;
  /** Stop all services and NATS (delete its store); the logs stay in artifactsDir. */
  stop(): Promise<void>;
}

interface Svc {
  name: ServiceName;
  kind: Kind;
  env: NodeJS.ProcessEnv;
  logFile: string;
  health?: string;
  child?: ChildProcess;
  exited?: Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // last resort when a test run dies without calling stop(): never leave services behind
  process.once('exit', () => {
    for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mainOf(kind: Kind): string {
  const file = join(REPO_ROOT, 'apps', `${kind}-service`, 'dist', 'main.js');
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: build the services first (pnpm exec turbo run build, or npm test which builds)`);
  }
  return file;
}

function runDir(label: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(REPO_ROOT, 'test-artifacts', 'e2e', `${stamp}-${label}-${randomBytes(2).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  installExitHook();
  const gateways = opts.gateways ?? 1;
  const logLevel = opts.logLevel ?? process.env.E2E_LOG_LEVEL ?? 'debug';
  const healthTimeoutMs = opts.healthTimeoutMs ?? 30_000;
  const artifactsDir = runDir(opts.label ?? 'stack');
  const keyDir = mkdtempSync(join(tmpdir(), 'bg-e2e-key-'));
  const masterKeyFile = join(keyDir, 'master.key');
  writeFileSync(masterKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });

  const nats = await startNatsServer();
  const runId = randomBytes(3).toString('hex');
  const base: NodeJS.ProcessEnv = { ...process.env, NATS_URL: nats.url, LOG_LEVEL: logLevel };
  delete base.AWS_CA_BUNDLE; // a CA bundle meant for something else breaks the services' TLS to remotes
  delete base.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the services
  delete base.BUCKETGATE_MASTER_KEY;

  const configPort = await freePort();
  const configUrl = `http://127.0.0.1:${configPort}`;
  const gatewayUrls: string[] = [];
  const gatewayIds: string[] = [];
  const svcs = new Map<ServiceName, Svc>();
  const add = (name: ServiceName, kind: Kind, env: NodeJS.ProcessEnv, health?: string) =>
    svcs.set(name, { name, kind, env: { ...base, ...env, ...opts.env?.[kind] }, logFile: join(artifactsDir, `${name}.log`), health });

  add('discovery', 'discovery', {});
  add('config', 'config', {
    CONFIG_HOST: '127.0.0.1',
    CONFIG_PORT: String(configPort),
    BUCKETGATE_MASTER_KEY_FILE: masterKeyFile,
  }, `${configUrl}/api/health`);
  for (let i = 1; i <= gateways; i++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const id = `e2e-${runId}-gw${i}`;
    gatewayUrls.push(url);
    gatewayIds.push(id);
    add(i === 1 ? 'gateway' : `gateway-${i}`, 'gateway', {
      GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: String(port), GATEWAY_PUBLIC_URL: url, GATEWAY_INSTANCE_ID: id,
    }, `${url}/_health`);
  }
  // the config service shows the first gateway's endpoint to operators
  svcs.get('config')!.env.GATEWAY_PUBLIC_URL = opts.env?.config?.GATEWAY_PUBLIC_URL ?? gatewayUrls[0];

  writeFileSync(join(artifactsDir, 'stack.json'), JSON.stringify({
    natsUrl: nats.url, natsStore: nats.storeDir, configUrl, gatewayUrls, gatewayIds, startedAt: new Date().toISOString(),
  }, null, 2));

  const spawnSvc = (svc: Svc) => {
    const fd = openSync(svc.logFile, 'a');
    const child = spawn(process.execPath, [mainOf(svc.kind)], { cwd: REPO_ROOT, env: svc.env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    live.add(child);
    svc.child = child;
    svc.exited = new Promise<void>((resolve) => child.once('exit', () => { live.delete(child); resolve(); }));
  };

  const running = (svc: Svc) => !!svc.child && svc.child.exitCode === null && svc.child.signalCode === null;

  const tail = (svc: Svc) => {
    const text = existsSync(svc.logFile) ? readFileSync(svc.logFile, 'utf8') : '';
    return text.split('\n').slice(-25).join('\n');
  };

  const waitHealthy = async (svc: Svc) => {
    const deadline = Date.now() + healthTimeoutMs;
    let last = 'no answer';
    for (;;) {
      if (!running(svc)) {
        throw new Error(`${svc.name} exited during start-up (code ${svc.child?.exitCode ?? svc.child?.signalCode}); last log lines:\n${tail(svc)}`);
      }
      if (svc.health) {
        try {
          const res = await fetch(svc.health, { signal: AbortSignal.timeout(2_000) });
          if (res.status === 200) return;
          last = `HTTP ${res.status}`;
        } catch (err) {
          last = String((err as { cause?: { code?: string } }).cause?.code ?? err);
        }
      } else if (await discoveryAnswers(configUrl)) {
        return;
      } else {
        last = 'the config service cannot reach it (UNAVAILABLE from POST /api/buckets)';
      }
      if (Date.now() > deadline) {
        throw new Error(`${svc.name} not healthy after ${healthTimeoutMs} ms (${svc.health ?? 'probe through config'}: ${last}); log: ${svc.logFile}\n${tail(svc)}`);
      }
      await sleep(200);
    }
  };

  const stopSvc = async (svc: Svc) => {
    if (!svc.child || !running(svc)) return;
    svc.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      svc.exited!.then(() => false),
      new Promise<boolean>((r) => { timer = setTimeout(() => r(true), 10_000); }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      writeFileSync(svc.logFile, `\n[e2e harness] ${svc.name} ignored SIGTERM for 10 s: SIGKILL\n`, { flag: 'a' });
      svc.child.kill('SIGKILL');
      await svc.exited;
    }
  };

  const stopAll = async () => {
    for (const svc of [...svcs.values()].reverse()) await stopSvc(svc);
    await nats.close();
    rmSync(keyDir, { recursive: true, force: true });
  };

  try {
    for (const svc of svcs.values()) spawnSvc(svc);
    // config first: discovery's readiness is probed through it
    for (const name of ['config', ...[...svcs.keys()].filter((n) => n !== 'config')] as ServiceName[]) await waitHealthy(svcs.get(name)!);
  } catch (err) {
    await stopAll();
    throw err;
  }
  process.stderr.write(`[e2e] stack up (${[...svcs.keys()].join(', ')}); logs in ${artifactsDir}\n`);

  const get = (name: ServiceName): Svc => {
    const svc = svcs.get(name);
    if (!svc) throw new Error(`no service "${name}" in this stack (have: ${[...svcs.keys()].join(', ')})`);
    return svc;
  };

  let stopped = false;
  return {
    configUrl,
    gatewayUrl: gatewayUrls[0],
    gatewayUrls,
    gatewayIds,
    natsUrl: nats.url,
    nats,
    artifactsDir,
    masterKeyFile,
    async rest(method, path, body, headers = {}) {
      const res = await fetch(`${configUrl}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      if (text && (res.headers.get('content-type') ?? '').includes('json')) {
        try { parsed = JSON.parse(text); } catch { parsed = text; }
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stopService(name) {
      await stopSvc(get(name));
    },
    async startService(name) {
      const svc = get(name);
      if (running(svc)) return;
      spawnSvc(svc);
      await waitHealthy(svc);
    },
    logs(name) {
      const svc = get(name);
      return existsSync(svc.logFile) ? readFileSync(svc.logFile, 'utf8') : '';
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll();
    },
  };
}

/**
 * True once a discovery instance answers: ask the config service to list the buckets of an endpoint that refuses
 * at once (port 1 on loopback). Discovery replies REMOTE_UNREACHABLE; while no discovery listens, config says UNAVAILABLE.
 */
async function discoveryAnswers(configUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${configUrl}/api/buckets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: 'http://127.0.0.1:1', apiKey: 'probe', apiSecret: 'probe' }),
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
    return res.status === 200 || (!!body.error?.code && body.error.code !== 'UNAVAILABLE');
  } catch {
    return false;
  }
}
