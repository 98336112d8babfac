import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface TestNats {
  url: string;
  port: number;
  storeDir: string;
  /** Stop the server (SIGTERM) and wait for it; data stays in storeDir so restart() can bring it back. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stop and delete the store. */
  close(): Promise<void>;
}

/** Start a real nats-server with JetStream on a random loopback port (tests must not share state). */
export async function startNatsServer(bin = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server'): Promise<TestNats> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'bg-nats-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const done = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await done;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop,
    restart: async () => { await stop(); await start(); },
    close: async () => { await stop(); rmSync(storeDir, { recursive: true, force: true }); },
  };
}

export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The real S3 server the integration tests use (Ceph RGW started by scripts/s3-test-server.sh). */
export function testS3(): { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string } {
  return {
    endpoint: process.env.S3_TEST_ENDPOINT ?? 'http://127.0.0.1:8000',
    accessKeyId: process.env.S3_TEST_ACCESS_KEY ?? '0555b35654ad1656d804',
    secretAccessKey: process.env.S3_TEST_SECRET_KEY ?? 'h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==',
    region: process.env.S3_TEST_REGION ?? 'us-east-1',
  };
}

/** Retries `fn` until it stops throwing, or rethrows its last error after `timeoutMs` (e.g. while NATS comes back). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/**
 * Polls `fn` until `ok(value)` or the deadline and returns the LAST value either way, so the test's own assertion
 * shows what was seen instead of a bare time-out.
 */
export async function pollUntil<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
