#!/usr/bin/env node
// npm test [-- <test name/path pattern>]
// Installs what is missing (pnpm, node_modules, Debian packages incl. Ceph RGW), builds, makes sure NATS and the
// real S3 test server run, runs every package's unit + integration tests (turbo, one at a time), then the e2e
// suite, stops what it started, and ends with one line: "N passed, N failed".
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bootstrap, BootstrapError, ROOT } from './lib/bootstrap.mjs';
import { ensureNats, stopChild } from './lib/procs.mjs';
import { createSummary } from './lib/test-summary.mjs';

const filter = process.argv.slice(2);
const ARTIFACTS = join(ROOT, 'test-artifacts');
const S3_PORT = process.env.S3_TEST_PORT ?? '8000';
const say = (msg) => console.log(`\n[test] ${msg}`);

const cleanups = [];
let current; // the test runner child, killed on Ctrl-C
let interrupted = false;

async function cleanup() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try { await fn(); } catch (err) { console.log(`[test] clean-up step failed: ${err.message}`); }
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.log(`\n[test] ${sig}: stopping`);
    if (current?.pid) try { process.kill(-current.pid, 'SIGTERM'); } catch { /* gone */ }
    await cleanup();
    process.exit(130);
  });
}

/** The S3 test server: an explicitly given one, or ours via scripts/s3-test-server.sh. */
function ensureS3() {
  if (process.env.S3_TEST_ENDPOINT) {
    say(`S3_TEST_ENDPOINT=${process.env.S3_TEST_ENDPOINT}: using that S3 server`);
    return;
  }
  say(`making sure the S3 test server (Ceph RGW) runs on 127.0.0.1:${S3_PORT}`);
  const res = spawnSync('bash', [join(ROOT, 'scripts', 's3-test-server.sh'), S3_PORT], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (res.status !== 0) throw new Error(`scripts/s3-test-server.sh failed (exit ${res.status}); see its messages above`);
  const info = Object.fromEntries(res.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  process.env.S3_TEST_ENDPOINT = info.endpoint;
  process.env.S3_TEST_ACCESS_KEY = info.access_key;
  process.env.S3_TEST_SECRET_KEY = info.secret_key;
  process.env.S3_TEST_ALT_ACCESS_KEY = info.alt_access_key;
  process.env.S3_TEST_ALT_SECRET_KEY = info.alt_secret_key;
  process.env.S3_TEST_REGION = process.env.S3_TEST_REGION ?? info.region ?? 'us-east-1';
  if (info.state === 'started' && process.env.BUCKETGATE_KEEP_S3 !== '1') {
    cleanups.push(async () => {
      say('stopping the S3 test server this run started (data kept; BUCKETGATE_KEEP_S3=1 keeps it running)');
      spawnSync('bash', [join(ROOT, 'scripts', 's3-test-server-down.sh')], { cwd: ROOT, stdio: 'inherit' });
    });
  }
}

/** Run a command in its own process group, echo + save its output, feed every line to the summary. */
function runAndCollect(cmd, args, { env, onLine, log }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        console.log(line);
        log.write(`${line}\n`);
        onLine(line);
      });
    }
    child.once('error', (err) => { console.log(`[test] could not run ${cmd}: ${err.message}`); resolve(1); });
    child.once('exit', (code, signal) => { current = undefined; resolve(code ?? (signal ? 1 : 0)); });
  });
}

async function main() {
  bootstrap({ test: true });
  mkdirSync(ARTIFACTS, { recursive: true });

  // NATS on the well-known port (tests themselves start private servers on random ports)
  const natsStore = mkdtempSync(join(tmpdir(), 'bg-test-nats-'));
  const nats = await ensureNats({ port: 4222, storeDir: natsStore, logFile: join(ARTIFACTS, 'nats.log') });
  cleanups.push(async () => {
    if (nats) { say('stopping the NATS server this run started'); await stopChild(nats); }
    rmSync(natsStore, { recursive: true, force: true });
  });

  ensureS3();

  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', FORCE_COLOR: '0' };
  delete env.AWS_CA_BUNDLE; // rclone (and the AWS SDK) choke on a CA bundle meant for something else
  const log = createWriteStream(join(ARTIFACTS, 'test-output.log'));
  const summary = createSummary();
  const passThrough = filter.length ? ['--', '--passWithNoTests', ...filter] : [];

  say(`unit + integration tests of every package (turbo, one package at a time)${filter.length ? `, filter: ${filter.join(' ')}` : ''}`);
  const unitCode = await runAndCollect('pnpm', [
    'exec', 'turbo', 'run', 'test', '--concurrency=1', '--continue', '--env-mode=loose', '--output-logs=full', ...passThrough,
  ], { env, log, onLine: (l) => summary.turboLine(l) });
  summary.exitCode('turbo run test', unitCode);

  if (!interrupted) {
    say('end-to-end tests (packages/e2e: booted services, real NATS, real S3)');
    const e2eCode = await runAndCollect('pnpm', ['--filter', '@bucketgate/e2e', 'run', 'test:e2e', ...(filter.length ? ['--', ...filter] : [])], {
      env, log, onLine: (l) => summary.line('@bucketgate/e2e (e2e)', l),
    });
    summary.exitCode('@bucketgate/e2e (e2e)', e2eCode);
  }
  log.end();

  await cleanup();
  const { passed, failed, report } = summary.result();
  console.log(`\n[test] results per package (full output: test-artifacts/test-output.log)`);
  console.log(report);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch(async (err) => {
  console.log(`\n[test] FAILED before the tests could run: ${err instanceof BootstrapError ? err.message : err?.stack ?? err}`);
  current = undefined;
  await cleanup();
  console.log('0 passed, 1 failed');
  process.exit(1);
});
