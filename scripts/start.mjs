#!/usr/bin/env node
// npm start: install what is missing, build, and run the whole stack on this machine:
// NATS (JetStream) + a demo S3 storage (s3rver) + discovery, config and gateway services.
// Ctrl-C stops everything this script started, in reverse order, and nothing else.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, BootstrapError, ROOT } from './lib/bootstrap.mjs';
import { ensureNats, isRunning, portOpen, startChild, stopAll, waitHttp, waitPort } from './lib/procs.mjs';

const env = process.env;
const RUN = join(ROOT, '.run');
const LOGS = join(RUN, 'logs');
const CONFIG_HOST = env.CONFIG_HOST ?? '127.0.0.1';
const CONFIG_PORT = Number(env.CONFIG_PORT ?? 8080);
const GATEWAY_HOST = env.GATEWAY_HOST ?? '127.0.0.1';
const GATEWAY_PORT = Number(env.GATEWAY_PORT ?? 9100);
const GATEWAY_PUBLIC_URL = env.GATEWAY_PUBLIC_URL ?? `http://127.0.0.1:${GATEWAY_PORT}`;
const DEMO = env.BUCKETGATE_DEMO !== '0';
const DEMO_S3_PORT = Number(env.BUCKETGATE_DEMO_S3_PORT ?? 4568);
const DEMO_BUCKETS = ['cells-demo', 'cells-media', 'archive'];
const ECHO = env.BUCKETGATE_QUIET !== '1';
const local = (host) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
const CONFIG_URL = `http://${local(CONFIG_HOST)}:${CONFIG_PORT}`;
const GATEWAY_URL = `http://${local(GATEWAY_HOST)}:${GATEWAY_PORT}`;

/** @type {ReturnType<typeof startChild>[]} */
const started = [];
let shuttingDown = false;

async function shutdown(code, why) {
  if (shuttingDown) return;
  shuttingDown = true;
  if (why) console.log(`\n[start] ${why}`);
  if (started.length) console.log(`[start] stopping ${[...started].reverse().map((h) => h.name).join(', ')}`);
  await stopAll(started);
  console.log('[start] stopped');
  process.exit(code);
}

process.on('SIGINT', () => {
  if (shuttingDown) {
    console.log('[start] second Ctrl-C: killing what is left');
    for (const h of started) if (isRunning(h)) try { process.kill(-h.child.pid, 'SIGKILL'); } catch { /* gone */ }
    process.exit(130);
  }
  void shutdown(0, 'Ctrl-C received');
});
process.on('SIGTERM', () => void shutdown(0, 'SIGTERM received'));

/** Start a supervised child; if it dies while we are not stopping, stop the rest and exit non-zero. */
function supervise(name, cmd, args, childEnv) {
  const handle = startChild(name, cmd, args, { env: childEnv, logFile: join(LOGS, `${name}.log`), echo: ECHO && name !== 's3rver' });
  started.push(handle);
  handle.exited.then(({ code, signal, error }) => {
    if (shuttingDown || handle.stopping) return;
    const how = error ? `could not start: ${error.message}` : `exited (${signal ?? `code ${code}`})`;
    void shutdown(1, `${name} ${how}; its log: ${handle.logFile}`);
  });
  return handle;
}

async function rest(method, path, body) {
  const res = await fetch(`${CONFIG_URL}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, body: json ?? text };
}

function restError(what, res) {
  const e = res.body?.error;
  return new Error(`${what}: HTTP ${res.status}${e ? ` ${e.code}: ${e.message}` : ` ${String(res.body).slice(0, 300)}`}`);
}

/** Create the demo datasource, or (when it exists) point it at the demo storage and re-issue its keys. */
async function demoDatasource() {
  const remote = { apiKey: 'S3RVER', apiSecret: 'S3RVER', endpoint: `http://127.0.0.1:${DEMO_S3_PORT}`, region: 'us-east-1', pathStyle: true };
  const created = await rest('POST', '/api/datasources', { name: 'demo', ...remote, bucketsRegexp: '^cells' });
  if (created.status === 201) return created.body;
  if (created.status !== 409) throw restError('creating datasource "demo"', created);
  console.log('[start] datasource "demo" exists: updating it and re-issuing its credentials');
  const patched = await rest('PATCH', '/api/datasources/demo', { ...remote, bucketsRegexp: '^cells' });
  if (patched.status !== 200) throw restError('updating datasource "demo"', patched);
  const reissued = await rest('POST', '/api/datasources/demo/credentials');
  if (reissued.status !== 200) throw restError('re-issuing credentials of "demo"', reissued);
  return reissued.body;
}

function banner(natsUrl, demo) {
  const line = '─'.repeat(78);
  const out = [
    '', line,
    ' bucketgate is running',
    '',
    `   Web UI        ${CONFIG_URL}/`,
    `   REST API      ${CONFIG_URL}/api   (e.g. curl ${CONFIG_URL}/api/datasources)`,
    `   S3 gateway    ${GATEWAY_PUBLIC_URL}`,
    `   NATS          ${natsUrl}`,
  ];
  if (demo) {
    const { accessKeyId, secretAccessKey } = demo.credentials;
    out.push(
      `   Demo storage  s3rver on http://127.0.0.1:${DEMO_S3_PORT} (buckets ${DEMO_BUCKETS.join(', ')}; data in .run/s3rver)`,
      '',
      ` Datasource "demo" serves the buckets matching ^cells through the gateway:`,
      `   access key    ${accessKeyId}`,
      `   secret key    ${secretAccessKey}`,
      '   (shown once; they are re-issued on every npm start)',
      '',
      ' Try it:',
      `   AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} aws --endpoint-url ${GATEWAY_PUBLIC_URL} s3 ls`,
    );
  } else {
    out.push('', ` No demo datasource (BUCKETGATE_DEMO=0): add one in the web UI or with POST ${CONFIG_URL}/api/datasources`);
  }
  out.push('', ` Logs: ${LOGS}/*.log        Stop: Ctrl-C`, line, '');
  console.log(out.join('\n'));
}

async function main() {
  bootstrap({ test: false });
  mkdirSync(LOGS, { recursive: true });

  for (const [name, port] of [['CONFIG_PORT', CONFIG_PORT], ['GATEWAY_PORT', GATEWAY_PORT]]) {
    if (await portOpen(port, local(name === 'CONFIG_PORT' ? CONFIG_HOST : GATEWAY_HOST))) {
      throw new Error(`port ${port} is already in use (is bucketgate already running?). Stop that process or set ${name}=<another port>`);
    }
  }

  let natsUrl = env.NATS_URL;
  if (natsUrl) {
    console.log(`[start] NATS_URL=${natsUrl}: using that NATS (not starting one)`);
  } else {
    natsUrl = 'nats://127.0.0.1:4222';
    const nats = await ensureNats({ port: 4222, storeDir: join(RUN, 'nats'), logFile: join(LOGS, 'nats.log') });
    if (nats) {
      started.push(nats);
      nats.exited.then(() => { if (!shuttingDown && !nats.stopping) void shutdown(1, `nats-server exited; its log: ${nats.logFile}`); });
    }
  }

  if (DEMO) {
    if (await portOpen(DEMO_S3_PORT)) {
      console.log(`[start] something already listens on 127.0.0.1:${DEMO_S3_PORT}: using it as the demo S3 storage (BUCKETGATE_DEMO_S3_PORT to change)`);
    } else {
      console.log(`[start] starting the demo S3 storage (s3rver) on 127.0.0.1:${DEMO_S3_PORT}, data in .run/s3rver`);
      const dir = join(RUN, 's3rver');
      mkdirSync(dir, { recursive: true });
      const h = supervise('s3rver', process.execPath, [
        join(ROOT, 'node_modules', 's3rver', 'bin', 's3rver.js'),
        '-d', dir, '-a', '127.0.0.1', '-p', String(DEMO_S3_PORT),
        ...DEMO_BUCKETS.flatMap((b) => ['--configure-bucket', b]),
      ], env);
      await waitPort(DEMO_S3_PORT, { handle: h });
    }
  }

  const common = { ...env, NATS_URL: natsUrl, LOG_LEVEL: env.LOG_LEVEL ?? 'info' };
  delete common.AWS_CA_BUNDLE; // a bundle path meant for something else breaks TLS to remotes
  const svcEnv = {
    discovery: common,
    config: {
      ...common,
      CONFIG_HOST,
      CONFIG_PORT: String(CONFIG_PORT),
      GATEWAY_PUBLIC_URL,
      ...(env.BUCKETGATE_MASTER_KEY ? {} : { BUCKETGATE_MASTER_KEY_FILE: env.BUCKETGATE_MASTER_KEY_FILE ?? join(RUN, 'master.key') }),
    },
    gateway: { ...common, GATEWAY_HOST, GATEWAY_PORT: String(GATEWAY_PORT), GATEWAY_PUBLIC_URL },
  };
  for (const svc of ['discovery', 'config', 'gateway']) {
    const main = join(ROOT, 'apps', `${svc}-service`, 'dist', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: the build did not produce it (run pnpm exec turbo run build and read its errors)`);
  }
  const handles = {};
  for (const svc of ['discovery', 'config', 'gateway']) {
    console.log(`[start] starting ${svc}-service`);
    handles[svc] = supervise(svc, process.execPath, [join(ROOT, 'apps', `${svc}-service`, 'dist', 'main.js')], svcEnv[svc]);
  }
  await waitHttp(`${CONFIG_URL}/api/health`, { handle: handles.config });
  await waitHttp(`${GATEWAY_URL}/_health`, { handle: handles.gateway });
  console.log('[start] config and gateway are healthy');

  let demo;
  if (DEMO) demo = await demoDatasource();
  banner(natsUrl, demo);
}

main().catch((err) => {
  const msg = err instanceof BootstrapError ? err.message : err?.stack ?? String(err);
  void shutdown(1, `failed: ${msg}`);
});
