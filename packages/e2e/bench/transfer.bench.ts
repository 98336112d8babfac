/**
 * Benchmark: 1 GiB PUT and GET through the gateway against the same client going direct to the same remote, in one run.
 * Reports wall time, throughput, the ratio gateway/direct and the gateway's peak RSS during each transfer.
 * Run: `pnpm --filter @bucketgate/e2e bench` (needs the built services, NATS binary and the test S3 server; `npm test`
 * sets those up). Results: test-artifacts/bench/transfer.json and a Markdown table on stdout (copied to docs/benchmarks.md).
 * BENCH_MIB overrides the size (default 1024).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { testS3 } from '@bucketgate/runtime/testing';
import { REPO_ROOT, startStack } from '../src/stack.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const SIZE_MIB = Number(process.env.BENCH_MIB ?? 1024);
const s3 = testS3();

function findGatewayPid(port: number): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!cmd.includes('gateway-service')) continue;
      if (readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`GATEWAY_PORT=${port}`)) return Number(d);
    } catch {
      /* process gone */
    }
  }
  throw new Error(`no gateway process listening on ${port}`);
}

/** Peak RSS (MiB) of a process during fn: resets the kernel's high-water mark, then reads VmHWM. */
async function withPeakRss<T>(pid: number, fn: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const result = await fn();
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { result, peakMiB: Math.round(Number(hwm![1]) / 1024) };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const devNull = () => new Writable({ write(_c, _e, cb) { cb(); } });

describe('transfer benchmark', () => {
  it(`moves ${SIZE_MIB} MiB through the gateway and direct`, async () => {
    const stack = await startStack({ label: 'bench', logLevel: 'warn' });
    const bucket = `bench-${randomBytes(3).toString('hex')}`;
    const work = join(tmpdir(), `bg-bench-${bucket}`);
    mkdirSync(work, { recursive: true });
    const file = join(work, 'payload.bin');
    // plain bodies on both paths: Ceph RGW 16 refuses the SDK's default aws-chunked+trailer uploads (MissingContentLength),
    // so the direct baseline could not run with them (through the gateway they work: it decodes them)
    const plain = { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const;
    const direct = new S3Client({ ...plain, endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    try {
      // payload: random, written in 8 MiB blocks (never held whole)
      await pipeline(Readable.from((function* () { for (let i = 0; i < SIZE_MIB / 8; i++) yield randomBytes(8 * MiB); })()), createWriteStream(file));
      await direct.send(new CreateBucketCommand({ Bucket: bucket }));
      const created = await stack.rest('POST', '/api/datasources', {
        name: 'bench', endpoint: s3.endpoint, apiKey: s3.accessKeyId, apiSecret: s3.secretAccessKey, buckets: [bucket],
      });
      if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
      const creds = created.body.credentials as { accessKeyId: string; secretAccessKey: string };
      await new Promise((r) => setTimeout(r, 1500));
      const gw = new S3Client({ ...plain, endpoint: stack.gatewayUrl, region: 'us-east-1', forcePathStyle: true, credentials: creds });
      const pid = findGatewayPid(Number(new URL(stack.gatewayUrl).port));

      const cli = (endpoint: string, c: { accessKeyId: string; secretAccessKey: string }, args: string[]) =>
        run('/usr/bin/aws', ['--endpoint-url', endpoint, '--region', 'us-east-1', ...args], {
          env: { ...process.env, AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
        });
      const directCreds = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
      const size = statSync(file).size;
      const rows: { client: string; op: string; path: string; seconds: number; mibps: number; gatewayPeakRssMiB?: number }[] = [];
      const record = async (client: string, op: string, path: string, fn: () => Promise<unknown>) => {
        if (path === 'gateway') {
          const { result: seconds, peakMiB } = await withPeakRss(pid, () => timed(fn));
          rows.push({ client, op, path, seconds, mibps: size / MiB / seconds, gatewayPeakRssMiB: peakMiB });
        } else {
          const seconds = await timed(fn);
          rows.push({ client, op, path, seconds, mibps: size / MiB / seconds });
        }
      };
      const sdkPut = (c: S3Client, key: string) => c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(file), ContentLength: size }));
      const sdkGet = async (c: S3Client, key: string) => pipeline((await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable, devNull());

      for (let round = 0; round < 2; round++) {
        await record('aws cli', 'PUT', 'direct', () => cli(s3.endpoint, directCreds, ['s3', 'cp', file, `s3://${bucket}/cli-direct.bin`]));
        await record('aws cli', 'PUT', 'gateway', () => cli(stack.gatewayUrl, creds, ['s3', 'cp', file, `s3://${bucket}/cli-gw.bin`]));
        await record('aws cli', 'GET', 'direct', () => cli(s3.endpoint, directCreds, ['s3', 'cp', `s3://${bucket}/cli-direct.bin`, join(work, 'out-direct.bin')]));
        await record('aws cli', 'GET', 'gateway', () => cli(stack.gatewayUrl, creds, ['s3', 'cp', `s3://${bucket}/cli-gw.bin`, join(work, 'out-gw.bin')]));
        rmSync(join(work, 'out-direct.bin'), { force: true });
        rmSync(join(work, 'out-gw.bin'), { force: true });
        await record('SDK single PutObject (stream)', 'PUT', 'direct', () => sdkPut(direct, 'sdk-direct.bin'));
        await record('SDK single PutObject (stream)', 'PUT', 'gateway', () => sdkPut(gw, 'sdk-gw.bin'));
        await record('SDK GetObject (stream)', 'GET', 'direct', () => sdkGet(direct, 'sdk-direct.bin'));
        await record('SDK GetObject (stream)', 'GET', 'gateway', () => sdkGet(gw, 'sdk-gw.bin'));
      }

      // best of the rounds per (client, op, path), then the ratio gateway/direct
      const best = new Map<string, (typeof rows)[number]>();
      for (const r of rows) {
        const k = `${r.client}|${r.op}|${r.path}`;
        if (!best.has(k) || best.get(k)!.seconds > r.seconds) best.set(k, r);
      }
      const lines = [
        `| client | op | direct s (MiB/s) | gateway s (MiB/s) | gateway/direct time | gateway peak RSS MiB |`,
        `| --- | --- | --- | --- | --- | --- |`,
      ];
      for (const r of [...best.values()].filter((r) => r.path === 'direct')) {
        const g = best.get(`${r.client}|${r.op}|gateway`)!;
        lines.push(`| ${r.client} | ${r.op} ${SIZE_MIB} MiB | ${r.seconds.toFixed(2)} (${r.mibps.toFixed(0)}) | ${g.seconds.toFixed(2)} (${g.mibps.toFixed(0)}) | ${(g.seconds / r.seconds).toFixed(2)} | ${g.gatewayPeakRssMiB} |`);
      }
      const out = join(REPO_ROOT, 'test-artifacts', 'bench');
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'transfer.json'), JSON.stringify({ at: new Date().toISOString(), sizeMiB: SIZE_MIB, rows }, null, 2));
      writeFileSync(join(out, 'transfer.md'), lines.join('\n') + '\n');
      process.stdout.write('\n' + lines.join('\n') + '\n');
      expect(rows).toHaveLength(16);
      for (const key of ['cli-direct.bin', 'cli-gw.bin', 'sdk-direct.bin', 'sdk-gw.bin']) await direct.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      await direct.send(new DeleteBucketCommand({ Bucket: bucket }));
    } finally {
      rmSync(work, { recursive: true, force: true });
      await stack.stop();
    }
  });
});
