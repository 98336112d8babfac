// Child process supervision for start.mjs / test.mjs: own process groups, log capture, health waits, ordered stop.
// Node builtins only.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, which } from './bootstrap.mjs';

const COLORS = { config: 36, discovery: 35, gateway: 32, nats: 33, s3rver: 34, rgw: 34 };
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function paint(name, text) {
  const c = COLORS[name] ?? 37;
  return useColor ? `\x1b[${c}m${text}\x1b[0m` : text;
}

/** One console line from a (pino JSON or plain) log line. */
export function formatLine(name, line) {
  const prefix = paint(name, `${name.padEnd(9)}|`);
  if (line.startsWith('{')) {
    try {
      const o = JSON.parse(line);
      const level = LEVELS[o.level] ?? o.level ?? '';
      const { level: _l, time: _t, pid: _p, hostname: _h, msg, service: _s, name: _n, ...rest } = o;
      const extra = Object.entries(rest)
        .filter(([, v]) => v !== undefined && typeof v !== 'object')
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      const errText = rest.err && typeof rest.err === 'object' ? ` ${rest.err.message ?? ''}` : '';
      return `${prefix} ${String(level).padEnd(5)} ${msg ?? ''}${errText}${extra ? `  (${extra})` : ''}`;
    } catch {
      /* not JSON after all */
    }
  }
  return `${prefix} ${line}`;
}

/**
 * A supervised child: its own process group (Ctrl-C reaches only us, we stop it in order),
 * stdout+stderr into logFile, optionally echoed to the console with a prefix.
 */
export function startChild(name, cmd, args, { env = process.env, cwd = ROOT, logFile, echo = true } = {}) {
  if (logFile) mkdirSync(dirname(logFile), { recursive: true });
  const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const handle = {
    name,
    child,
    logFile,
    stopping: false,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => resolve({ code: null, signal: null, error: err }));
    }),
  };
  for (const stream of [child.stdout, child.stderr]) {
    const rl = createInterface({ input: stream });
    rl.on('line', (line) => {
      log?.write(`${line}\n`);
      if (echo) console.log(formatLine(name, line));
    });
  }
  handle.exited.then(() => log?.end());
  return handle;
}

export function isRunning(handle) {
  return handle.child.exitCode === null && handle.child.signalCode === null;
}

/** SIGTERM the child's process group, wait up to graceMs, then SIGKILL the group. */
export async function stopChild(handle, graceMs = 10_000) {
  handle.stopping = true;
  if (!isRunning(handle) || !handle.child.pid) return handle.exited;
  const pgid = -handle.child.pid;
  try { process.kill(pgid, 'SIGTERM'); } catch { /* already gone */ }
  const timer = new Promise((r) => setTimeout(() => r('timeout'), graceMs));
  if ((await Promise.race([handle.exited, timer])) === 'timeout') {
    console.log(`[stop] ${handle.name} did not stop within ${graceMs / 1000}s: SIGKILL`);
    try { process.kill(pgid, 'SIGKILL'); } catch { /* gone */ }
  }
  return handle.exited;
}

/** Stop in reverse start order (gateway before config before NATS). */
export async function stopAll(handles) {
  for (const h of [...handles].reverse()) await stopChild(h);
}

export function portOpen(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = connect(port, host);
    const done = (v) => { s.destroy(); resolve(v); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** True when a NATS server answers at host:port (it greets with an INFO line). */
export function natsAnswers(port, host = '127.0.0.1', timeoutMs = 1500) {
  return new Promise((resolve) => {
    const s = connect(port, host);
    let buf = '';
    const done = (v) => { s.destroy(); resolve(v); };
    s.setTimeout(timeoutMs, () => done(false));
    s.on('data', (d) => { buf += d.toString('utf8'); if (buf.length >= 5) done(buf.startsWith('INFO ')); });
    s.once('error', () => done(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll until url answers 200; fail early if the child that should serve it exits. */
export async function waitHttp(url, { timeoutMs = 60_000, handle } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (handle && !isRunning(handle)) throw new Error(`${handle.name} exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s (last: ${last})`);
    await sleep(250);
  }
}

export async function waitPort(port, { host = '127.0.0.1', timeoutMs = 20_000, handle } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (handle && !isRunning(handle)) throw new Error(`${handle.name} exited before ${host}:${port} opened`);
    if (await portOpen(port, host)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs / 1000}s`);
    await sleep(150);
  }
}

/**
 * NATS with JetStream on 127.0.0.1:port: reuse one that already answers, else start our own (store in storeDir).
 * Returns the handle of the server we started, or undefined when we reused one.
 */
export async function ensureNats({ port = 4222, storeDir = join(ROOT, '.run', 'nats'), logFile, echo = false } = {}) {
  if (await natsAnswers(port)) {
    console.log(`[nats] a NATS server already answers on 127.0.0.1:${port}: using it`);
    return undefined;
  }
  if (await portOpen(port)) throw new Error(`127.0.0.1:${port} is taken by something that is not NATS; set NATS_URL to your NATS server`);
  const bin = process.env.NATS_SERVER_BIN ?? which('nats-server');
  if (!bin) throw new Error('nats-server is not installed (apt-get install nats-server)');
  mkdirSync(storeDir, { recursive: true });
  console.log(`[nats] starting nats-server with JetStream on 127.0.0.1:${port} (store ${storeDir})`);
  const handle = startChild('nats', bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { logFile, echo });
  await waitPort(port, { handle });
  return handle;
}
