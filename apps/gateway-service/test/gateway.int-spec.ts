/**
 * The gateway end to end against real parts: its own NATS (JetStream KV), the real Ceph RGW, the gateway booted
 * in-process, and — standing in for the config service — this test writing bg_datasources records and answering
 * config.v1.datasource.resolve with a Nest microservice typed by the contract. Driven by @aws-sdk/client-s3 and
 * the aws cli v2, the way users drive it.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand, DeleteObjectCommand,
  DeleteObjectsCommand, GetBucketAclCommand, GetBucketLocationCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListBucketsCommand,
  ListMultipartUploadsCommand, ListObjectsCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, S3Client,
  UploadPartCommand, UploadPartCopyCommand, type S3ServiceException,
} from '@aws-sdk/client-s3';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { BucketgateError, GatewayStatus, KV, ResolveDatasource, type WorkerConfig } from '@bucketgate/contracts';
import { natsServerOptions, parseRpc, RpcErrorFilter } from '@bucketgate/runtime';
import { startNatsServer, testS3, type TestNats } from '@bucketgate/runtime/testing';
import { Kvm, type KV as KvBucket } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import type { GatewayEnv } from '../src/config/env.js';
import { startGateway, type GatewayApp } from '../src/gateway.app.js';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';

// ---- the config service stand-in -------------------------------------------------------------------------
const configs = new Map<string, WorkerConfig>();
let configDown = false;
let resolveCalls = 0;

@Controller()
class FakeConfigRpc {
  @MessagePattern(ResolveDatasource.subject)
  resolve(@Payload() data: unknown): WorkerConfig {
    resolveCalls++;
    const { name } = parseRpc(ResolveDatasource, data);
    if (configDown) throw new BucketgateError('UNAVAILABLE', 'config store is down (test)');
    const cfg = configs.get(name);
    if (!cfg) throw new BucketgateError('NOT_FOUND', `datasource ${name} not found`);
    return ResolveDatasource.response.parse(cfg);
  }
}
@Module({ controllers: [FakeConfigRpc] })
class FakeConfigModule {}

// ---- helpers ---------------------------------------------------------------------------------------------
const s3 = testS3();
const RAND = randomBytes(3).toString('hex');
const A = `bg-gw-${RAND}-a`;
const B = `bg-gw-${RAND}-b`;
const C = `bg-gw-${RAND}-c`; // exists on the remote, never selected by ds1 at first
const NEVER = `bg-gw-${RAND}-never`; // must never be created

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const issued = () => ({
  accessKeyId: `BG${randomBytes(9).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64'),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String((last as Error).message ?? last)}` : ''}`);
    await sleep(50);
  }
}

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await p;
  } catch (err) {
    const e = err as S3ServiceException;
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the request to fail');
}

async function streamSha(body: Readable): Promise<{ sha: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha: h.digest('hex'), size };
}

describe('gateway (real NATS, real S3)', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let kv: KvBucket;
  let config: Awaited<ReturnType<typeof NestFactory.createMicroservice>>;
  let gw: GatewayApp;
  let endpoint: string;
  let admin: S3Client;
  let tmp: string;
  const ds1 = { name: 'ds1', creds: issued() };
  const dsro = { name: 'ds-ro', creds: issued() };

  const baseConfig = (name: string, creds: { accessKeyId: string; secretAccessKey: string }, extra: Partial<WorkerConfig> = {}): WorkerConfig => ({
    name,
    revision: 0,
    endpoint: s3.endpoint,
    region: null,
    pathStyle: true,
    readOnly: false,
    buckets: [A, B],
    bucketsRegexp: null,
    remote: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    issued: creds,
    ...extra,
  });

  /** What the config service does on create/update: store the record (KV) so gateways notice, resolve answers it. */
  async function publish(cfg: WorkerConfig): Promise<number> {
    configs.set(cfg.name, cfg);
    const revision = await kv.put(cfg.name, JSON.stringify({ name: cfg.name, note: 'stored record (encrypted in real life)' }));
    configs.set(cfg.name, { ...cfg, revision });
    return revision;
  }

  const client = (creds: { accessKeyId: string; secretAccessKey: string }) =>
    new S3Client({ endpoint, region: 'us-east-1', credentials: creds, forcePathStyle: true, maxAttempts: 1 });

  async function cli(creds: { accessKeyId: string; secretAccessKey: string }, args: string[]) {
    return run(AWS, ['--endpoint-url', endpoint, ...args], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: tmp,
        AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(tmp, 'aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_PAGER: '',
      },
      maxBuffer: 64 * 1024 * 1024,
    });
  }

  async function emptyAndDelete(bucket: string) {
    try {
      for (;;) {
        const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
        const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
        if (keys.length === 0) break;
        await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      }
      await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch {
      // already gone
    }
  }

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'bg-gw-'));
    await writeFile(join(tmp, 'aws-config'), '[default]\ns3 =\n  addressing_style = path\n');
    admin = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: s3, forcePathStyle: true });
    for (const b of [A, B, C]) await admin.send(new CreateBucketCommand({ Bucket: b }));

    nats = await startNatsServer();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    kv = await new Kvm(nc).create(KV.datasources, { history: 10 });
    config = await NestFactory.createMicroservice<MicroserviceOptions>(FakeConfigModule, { ...natsServerOptions([nats.url], 'config-service'), logger: false });
    config.useGlobalFilters(new RpcErrorFilter());
    await config.listen();

    const env: GatewayEnv = {
      natsServers: [nats.url],
      logLevel: process.env.GW_TEST_LOG ?? 'warn',
      host: '127.0.0.1',
      port: 0,
      publicUrl: 'http://gateway.test:9100',
      instanceId: `gw-test-${RAND}`,
      domain: 'gw.test',
      maxInflight: 64,
      remoteTimeoutMs: 10_000,
      headersTimeoutMs: 30_000,
      clientIdleTimeoutMs: 60_000,
    };
    gw = await startGateway(env, pino({ level: env.logLevel }));
    endpoint = `http://127.0.0.1:${gw.port}`;
    await gw.workers.supervisor.ready;
  });

  afterAll(async () => {
    await gw?.close();
    await config?.close();
    await nc?.close();
    await nats?.close();
    for (const b of [A, B, C, NEVER]) await emptyAndDelete(b);
    admin?.destroy();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('serves a new datasource within 2 s of its KV write', async () => {
    const started = Date.now();
    await publish(baseConfig(ds1.name, ds1.creds));
    const c = client(ds1.creds);
    await waitFor('ds1 served', async () => (await c.send(new HeadBucketCommand({ Bucket: A })), true), 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    await publish(baseConfig(dsro.name, dsro.creds, { readOnly: true, buckets: null, bucketsRegexp: `^bg-gw-${RAND}-a$` }));
    await waitFor('ds-ro served', async () => (await client(dsro.creds).send(new HeadBucketCommand({ Bucket: A })), true), 2_000);
  });

  it('lists only the selected buckets (SDK and aws cli)', async () => {
    const out = await client(ds1.creds).send(new ListBucketsCommand({}));
    expect((out.Buckets ?? []).map((b) => b.Name).sort()).toEqual([A, B]);
    const loc = await client(ds1.creds).send(new GetBucketLocationCommand({ Bucket: A }));
    expect(loc.$metadata.httpStatusCode).toBe(200);
    expect(await errorOf(client(ds1.creds).send(new GetBucketLocationCommand({ Bucket: C })))).toEqual({ name: 'AccessDenied', status: 403 });
    const ro = await client(dsro.creds).send(new ListBucketsCommand({}));
    expect((ro.Buckets ?? []).map((b) => b.Name)).toEqual([A]);
    const { stdout } = await cli(ds1.creds, ['s3', 'ls']);
    expect(stdout).toContain(A);
    expect(stdout).toContain(B);
    expect(stdout).not.toContain(C);
  });

  it('puts and gets objects byte-exact, with metadata and odd key names', async () => {
    const c = client(ds1.creds);
    for (const key of ['plain.txt', 'dir/sub dir/naïve + plus&amp=%41.bin', 'ünïcødé/日本語 ~!*()\'.dat']) {
      const body = randomBytes(100_000 + Math.floor(Math.random() * 1000));
      await c.send(new PutObjectCommand({ Bucket: A, Key: key, Body: body, ContentType: 'application/x-test', Metadata: { color: 'blue' } }));
      const got = await c.send(new GetObjectCommand({ Bucket: A, Key: key }));
      const { sha, size } = await streamSha(got.Body as Readable);
      expect(size).toBe(body.length);
      expect(sha).toBe(sha256(body));
      expect(got.ContentType).toBe('application/x-test');
      expect(got.Metadata).toEqual({ color: 'blue' });
      // and it really is on the remote under the same name
      const head = await admin.send(new HeadObjectCommand({ Bucket: A, Key: key }));
      expect(head.ContentLength).toBe(body.length);
    }
  });

  it('uploads and downloads 50 MiB byte-exact with the SDK', async () => {
    const c = client(ds1.creds);
    const body = randomBytes(50 * 1024 * 1024);
    await c.send(new PutObjectCommand({ Bucket: A, Key: 'big/sdk.bin', Body: body }));
    const got = await c.send(new GetObjectCommand({ Bucket: A, Key: 'big/sdk.bin' }));
    expect(got.ContentLength).toBe(body.length);
    expect((await streamSha(got.Body as Readable)).sha).toBe(sha256(body));
  });

  it('uploads (multipart) and downloads 50 MiB byte-exact with the aws cli', async () => {
    const src = join(tmp, 'cli-up.bin');
    const dst = join(tmp, 'cli-down.bin');
    const data = randomBytes(50 * 1024 * 1024);
    await writeFile(src, data);
    await cli(ds1.creds, ['s3', 'cp', src, `s3://${B}/big/cli.bin`]);
    const head = await admin.send(new HeadObjectCommand({ Bucket: B, Key: 'big/cli.bin' }));
    expect(head.ContentLength).toBe(data.length);
    expect(head.ETag).toMatch(/-\d+"$/); // a multipart ETag: the cli really used multipart through the gateway
    await cli(ds1.creds, ['s3', 'cp', `s3://${B}/big/cli.bin`, dst]);
    expect(sha256(await readFile(dst))).toBe(sha256(data));
    const { stdout } = await cli(ds1.creds, ['s3api', 'head-object', '--bucket', B, '--key', 'big/cli.bin']);
    expect(JSON.parse(stdout).ContentLength).toBe(data.length);
  });

  it('runs an SDK multipart upload: parts, list, complete (Location names the gateway), abort', async () => {
    const c = client(ds1.creds);
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1024 * 1024 + 7)];
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: A, Key: 'mp/sdk.bin', ContentType: 'application/x-mp' }));
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) {
      const r = await c.send(new UploadPartCommand({ Bucket: A, Key: 'mp/sdk.bin', UploadId, PartNumber: i + 1, Body: body }));
      etags.push(r.ETag!);
    }
    const listed = await c.send(new ListPartsCommand({ Bucket: A, Key: 'mp/sdk.bin', UploadId }));
    expect((listed.Parts ?? []).map((p) => p.Size)).toEqual(parts.map((p) => p.length));
    const uploads = await c.send(new ListMultipartUploadsCommand({ Bucket: A, Prefix: 'mp/' }));
    expect((uploads.Uploads ?? []).map((u) => u.UploadId)).toContain(UploadId);
    const done = await c.send(
      new CompleteMultipartUploadCommand({
        Bucket: A, Key: 'mp/sdk.bin', UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    expect(done.Location).toBe(`http://gateway.test:9100/${A}/mp/sdk.bin`);
    const got = await c.send(new GetObjectCommand({ Bucket: A, Key: 'mp/sdk.bin' }));
    expect(got.ContentType).toBe('application/x-mp');
    expect((await streamSha(got.Body as Readable)).sha).toBe(sha256(Buffer.concat(parts)));

    const copyTarget = await c.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'mp/copied.bin' }));
    const copied = await c.send(
      new UploadPartCopyCommand({ Bucket: B, Key: 'mp/copied.bin', UploadId: copyTarget.UploadId, PartNumber: 1, CopySource: `${A}/mp/sdk.bin` }),
    );
    expect(copied.CopyPartResult?.ETag).toBeTruthy();
    await c.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'mp/copied.bin', UploadId: copyTarget.UploadId }));
    // the upload is gone (Ceph answers NoSuchKey here, AWS NoSuchUpload: the remote's code is passed through)
    expect(await errorOf(c.send(new ListPartsCommand({ Bucket: B, Key: 'mp/copied.bin', UploadId: copyTarget.UploadId })))).toMatchObject({
      status: 404,
    });
  });

  it('answers range requests with 206 and exact bytes, and 416 when unsatisfiable', async () => {
    const c = client(ds1.creds);
    const body = randomBytes(10_000);
    await c.send(new PutObjectCommand({ Bucket: A, Key: 'range.bin', Body: body }));
    const part = await c.send(new GetObjectCommand({ Bucket: A, Key: 'range.bin', Range: 'bytes=100-1099' }));
    expect(part.$metadata.httpStatusCode).toBe(206);
    expect(part.ContentRange).toBe('bytes 100-1099/10000');
    expect(Buffer.from(await part.Body!.transformToByteArray()).equals(body.subarray(100, 1100))).toBe(true);
    const tail = await c.send(new GetObjectCommand({ Bucket: A, Key: 'range.bin', Range: 'bytes=-10' }));
    expect(Buffer.from(await tail.Body!.transformToByteArray()).equals(body.subarray(9990))).toBe(true);
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: A, Key: 'range.bin', Range: 'bytes=20000-30000' })))).toEqual({
      name: 'InvalidRange',
      status: 416,
    });
    const head = await c.send(new HeadObjectCommand({ Bucket: A, Key: 'range.bin' }));
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: A, Key: 'range.bin', IfNoneMatch: head.ETag })))).toMatchObject({ status: 304 });
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: A, Key: 'range.bin', IfMatch: '"0000"' })))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: A, Key: 'missing.bin' })))).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  it('serves presigned URLs and virtual-host style requests (GATEWAY_DOMAIN)', async () => {
    const body = randomBytes(2048);
    await client(ds1.creds).send(new PutObjectCommand({ Bucket: A, Key: 'pre/signed file.bin', Body: body }));
    const port = Number(new URL(endpoint).port);
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: ds1.creds, sha256: Sha256, uriEscapePath: false });
    const path = `/${A}/pre/signed%20file.bin`;
    const pre = await signer.presign(
      new HttpRequest({
        method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port, path,
        headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      }),
      { expiresIn: 300 },
    );
    const qs = Object.entries(pre.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
    const res = await fetch(`${endpoint}${path}?${qs}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    const tampered = await fetch(`${endpoint}/${A}/pre/other.bin?${qs}`);
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');

    // virtual-host: <bucket>.gw.test, the key is the whole path
    const vhost = `${A}.gw.test:${port}`;
    const signed = await signer.sign(
      new HttpRequest({
        method: 'GET', protocol: 'http:', hostname: `${A}.gw.test`, port, path: '/pre/signed%20file.bin',
        headers: { host: vhost, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      }),
    );
    const got = await new Promise<{ status: number; data: Buffer }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/pre/signed%20file.bin', headers: signed.headers }, (r) => {
        const parts: Buffer[] = [];
        r.on('data', (d: Buffer) => parts.push(d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, data: Buffer.concat(parts) }));
      }).on('error', reject);
    });
    expect(got.status).toBe(200);
    expect(got.data.equals(body)).toBe(true);
  });

  it('copies between selected buckets and refuses a copy from an unselected one', async () => {
    const c = client(ds1.creds);
    const body = randomBytes(5000);
    await c.send(new PutObjectCommand({ Bucket: A, Key: 'copy/src.bin', Body: body }));
    await c.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/dst.bin', CopySource: `${A}/copy/src.bin` }));
    const got = await c.send(new GetObjectCommand({ Bucket: B, Key: 'copy/dst.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);

    await admin.send(new PutObjectCommand({ Bucket: C, Key: 'secret.bin', Body: 'not yours' }));
    expect(await errorOf(c.send(new CopyObjectCommand({ Bucket: A, Key: 'stolen.bin', CopySource: `${C}/secret.bin` })))).toEqual({
      name: 'AccessDenied',
      status: 403,
    });
    expect(await errorOf(admin.send(new HeadObjectCommand({ Bucket: A, Key: 'stolen.bin' })))).toMatchObject({ status: 404 });
  });

  it('deletes single objects and batches', async () => {
    const c = client(ds1.creds);
    for (const k of ['del/1', 'del/2', 'del/3']) await c.send(new PutObjectCommand({ Bucket: A, Key: k, Body: k }));
    await c.send(new DeleteObjectCommand({ Bucket: A, Key: 'del/1' }));
    expect(await errorOf(c.send(new HeadObjectCommand({ Bucket: A, Key: 'del/1' })))).toMatchObject({ status: 404 });
    const res = await c.send(new DeleteObjectsCommand({ Bucket: A, Delete: { Objects: [{ Key: 'del/2' }, { Key: 'del/3' }] } }));
    expect((res.Deleted ?? []).map((d) => d.Key).sort()).toEqual(['del/2', 'del/3']);
    const left = await admin.send(new ListObjectsV2Command({ Bucket: A, Prefix: 'del/' }));
    expect(left.KeyCount ?? 0).toBe(0);
  });

  it('lists more than 1000 keys with pagination (SDK v2 and v1, aws cli)', async () => {
    const keys = Array.from({ length: 1010 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 64) {
      await Promise.all(keys.slice(i, i + 64).map((k) => admin.send(new PutObjectCommand({ Bucket: B, Key: k, Body: new Uint8Array(0) }))));
    }
    const c = client(ds1.creds);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await c.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'many/', ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen).toEqual(keys);

    const v1 = await c.send(new ListObjectsCommand({ Bucket: B, Prefix: 'many/', MaxKeys: 1000 }));
    expect(v1.IsTruncated).toBe(true);
    expect(v1.Contents).toHaveLength(1000);
    const v1b = await c.send(new ListObjectsCommand({ Bucket: B, Prefix: 'many/', Marker: v1.Contents![999]!.Key }));
    expect(v1b.Contents).toHaveLength(10);

    const delim = await c.send(new ListObjectsV2Command({ Bucket: B, Delimiter: '/', StartAfter: 'd' }));
    expect((delim.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual(['many/']);

    const { stdout } = await cli(ds1.creds, ['s3', 'ls', '--recursive', `s3://${B}/many/`]);
    expect(stdout.trim().split('\n')).toHaveLength(1010);
  });

  it('refuses an unselected bucket without touching it on the remote', async () => {
    const c = client(ds1.creds);
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: C, Key: 'secret.bin' })))).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(c.send(new ListObjectsV2Command({ Bucket: C })))).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(c.send(new PutObjectCommand({ Bucket: C, Key: 'planted.bin', Body: 'x' })))).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(c.send(new DeleteObjectCommand({ Bucket: C, Key: 'secret.bin' })))).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(c.send(new CreateBucketCommand({ Bucket: NEVER })))).toEqual({ name: 'AccessDenied', status: 403 });
    // no way round the selection through dot segments in the key
    const traversal = await errorOf(c.send(new GetObjectCommand({ Bucket: A, Key: `../${C}/secret.bin` })));
    expect([400, 403]).toContain(traversal.status);
    expect(await errorOf(c.send(new HeadBucketCommand({ Bucket: NEVER })))).toMatchObject({ status: 403 });
    // the remote is untouched
    expect(await errorOf(admin.send(new HeadObjectCommand({ Bucket: C, Key: 'planted.bin' })))).toMatchObject({ status: 404 });
    expect((await admin.send(new HeadObjectCommand({ Bucket: C, Key: 'secret.bin' }))).ContentLength).toBe(9);
    expect(await errorOf(admin.send(new HeadBucketCommand({ Bucket: NEVER })))).toMatchObject({ status: 404 });
    await expect(cli(ds1.creds, ['s3', 'ls', `s3://${C}/`])).rejects.toMatchObject({ stderr: expect.stringContaining('AccessDenied') });
  });

  it('refuses writes on a read-only datasource and allows reads', async () => {
    const c = client(dsro.creds);
    await admin.send(new PutObjectCommand({ Bucket: A, Key: 'ro/file.txt', Body: 'hello' }));
    const got = await c.send(new GetObjectCommand({ Bucket: A, Key: 'ro/file.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');
    expect(await errorOf(c.send(new PutObjectCommand({ Bucket: A, Key: 'ro/new.txt', Body: 'x' })))).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(c.send(new DeleteObjectCommand({ Bucket: A, Key: 'ro/file.txt' })))).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(c.send(new CreateMultipartUploadCommand({ Bucket: A, Key: 'ro/mp.bin' })))).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(c.send(new CopyObjectCommand({ Bucket: A, Key: 'ro/copy.txt', CopySource: `${A}/ro/file.txt` })))).toEqual({
      name: 'AccessDenied',
      status: 403,
    });
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: B, Key: 'big/cli.bin' })))).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(admin.send(new HeadObjectCommand({ Bucket: A, Key: 'ro/new.txt' })))).toMatchObject({ status: 404 });
    expect(await (await admin.send(new GetObjectCommand({ Bucket: A, Key: 'ro/file.txt' }))).Body!.transformToString()).toBe('hello');
  });

  it('refuses a wrong secret (SignatureDoesNotMatch) and an unknown key (InvalidAccessKeyId)', async () => {
    const wrong = client({ accessKeyId: ds1.creds.accessKeyId, secretAccessKey: 'not-the-secret-0000000000000000000000000' });
    expect(await errorOf(wrong.send(new ListObjectsV2Command({ Bucket: A })))).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    const unknown = client(issued());
    expect(await errorOf(unknown.send(new ListBucketsCommand({})))).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
    const remoteKey = client({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    expect(await errorOf(remoteKey.send(new ListBucketsCommand({})))).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
  });

  it('answers CreateBucket on a served bucket like S3 does for an owned one, so rclone can upload without flags', async () => {
    const c = client(ds1.creds);
    await c.send(new CreateBucketCommand({ Bucket: A })); // 200, nothing created or changed
    expect(await errorOf(c.send(new DeleteBucketCommand({ Bucket: A })))).toEqual({ name: 'NotImplemented', status: 501 });
    const dir = await mkdtemp(join(tmpdir(), 'bg-rclone-'));
    try {
      const file = join(dir, 'r.bin');
      const data = randomBytes(256 * 1024);
      await writeFile(file, data);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        RCLONE_CONFIG_GW_TYPE: 's3', RCLONE_CONFIG_GW_PROVIDER: 'Other', RCLONE_CONFIG_GW_ENDPOINT: endpoint,
        RCLONE_CONFIG_GW_ACCESS_KEY_ID: ds1.creds.accessKeyId, RCLONE_CONFIG_GW_SECRET_ACCESS_KEY: ds1.creds.secretAccessKey,
        RCLONE_CONFIG_GW_FORCE_PATH_STYLE: 'true', RCLONE_CONFIG: join(dir, 'none.conf'),
      };
      delete env.AWS_CA_BUNDLE; // rclone fails to load the bundle this machine points at
      await run('rclone', ['copyto', '--retries', '1', file, `gw:${A}/rclone/r.bin`], { env, timeout: 60_000 });
      const got = await c.send(new GetObjectCommand({ Bucket: A, Key: 'rclone/r.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers NotImplemented for operations it does not implement (after authorization)', async () => {
    const c = client(ds1.creds);
    expect(await errorOf(c.send(new GetBucketAclCommand({ Bucket: A })))).toEqual({ name: 'NotImplemented', status: 501 });
    expect(await errorOf(c.send(new GetBucketAclCommand({ Bucket: C })))).toEqual({ name: 'AccessDenied', status: 403 });
  });

  it('stores nothing when an upload fails verification mid-way', async () => {
    const body = randomBytes(3 * 1024 * 1024);
    const url = new URL(`${endpoint}/${A}/tampered.bin`);
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: ds1.creds, sha256: Sha256, uriEscapePath: false });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'PUT',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: {
          host: url.host,
          'content-length': String(body.length),
          // signed, but the body sent is different: the mismatch shows only once the last byte is in
          'x-amz-content-sha256': sha256(Buffer.from('something else')),
        },
      }),
    );
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ method: 'PUT', host: url.hostname, port: url.port, path: url.pathname, headers: signed.headers }, (r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => (text += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(await errorOf(admin.send(new HeadObjectCommand({ Bucket: A, Key: 'tampered.bin' })))).toMatchObject({ status: 404 });
  });

  it('aborts the onward download when the client goes away mid-way, and keeps serving', async () => {
    const c = client(ds1.creds);
    const ac = new AbortController();
    const out = await c.send(new GetObjectCommand({ Bucket: A, Key: 'big/sdk.bin' }), { abortSignal: ac.signal });
    const body = out.Body as Readable;
    await new Promise<void>((resolve) => body.once('data', () => resolve()));
    ac.abort();
    body.destroy();
    const worker = gw.workers.byAccessKey(ds1.creds.accessKeyId)!;
    await waitFor('in-flight back to 0 and onward socket closed', async () =>
      worker.inFlight === 0 && worker.remote.busySockets() === 0 ? true : undefined,
    );
    expect((await c.send(new HeadObjectCommand({ Bucket: A, Key: 'big/sdk.bin' }))).ContentLength).toBe(50 * 1024 * 1024);
  });

  it('follows datasource updates live: selection, remote secret, re-issued keys', async () => {
    const c = client(ds1.creds);
    // selection grows
    await publish(baseConfig(ds1.name, ds1.creds, { buckets: [A, B, C] }));
    await waitFor('C selected', async () => ((await c.send(new ListBucketsCommand({}))).Buckets ?? []).some((b) => b.Name === C), 2_000);
    expect(await (await c.send(new GetObjectCommand({ Bucket: C, Key: 'secret.bin' }))).Body!.transformToString()).toBe('not yours');

    // the remote secret is rotated to a wrong one, then back
    await publish(baseConfig(ds1.name, ds1.creds, { remote: { accessKeyId: s3.accessKeyId, secretAccessKey: 'wrong-remote-secret-000000000000000000000' } }));
    const denied = await waitFor('remote refuses the rotated secret', async () => {
      const e = await errorOf(c.send(new HeadBucketCommand({ Bucket: A }))).catch(() => undefined);
      return e?.status === 403 ? e : undefined;
    }, 2_000);
    expect(denied.status).toBe(403);
    await publish(baseConfig(ds1.name, ds1.creds));
    await waitFor('served again', async () => (await c.send(new HeadBucketCommand({ Bucket: A })), true), 2_000);
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: C, Key: 'secret.bin' })))).toEqual({ name: 'AccessDenied', status: 403 });

    // keys re-issued: the old ones stop, the new ones work
    const fresh = issued();
    await publish(baseConfig(ds1.name, fresh));
    await waitFor('old key refused', async () => (await errorOf(c.send(new HeadBucketCommand({ Bucket: A })))).status === 403, 2_000);
    expect(await errorOf(c.send(new ListBucketsCommand({})))).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
    expect((await client(fresh).send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name).sort()).toEqual([A, B]);
    ds1.creds = fresh;
  });

  it('keeps serving the last settings while the config service is down, then catches up', async () => {
    const c = client(ds1.creds);
    configDown = true;
    const calls = resolveCalls;
    await publish(baseConfig(ds1.name, ds1.creds, { buckets: [A, B, C] }));
    await waitFor('gateway tried to resolve', async () => resolveCalls > calls + 1, 5_000);
    expect(((await c.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name).sort()).toEqual([A, B]);
    const status = gw.workers.workerStatuses().find((w) => w.name === ds1.name)!;
    expect(status.state).toBe('serving');
    expect(status.error).toContain('config store is down');
    configDown = false;
    await waitFor('update applied after config came back', async () =>
      ((await c.send(new ListBucketsCommand({}))).Buckets ?? []).some((b) => b.Name === C), 15_000);
    expect(gw.workers.workerStatuses().find((w) => w.name === ds1.name)!.error).toBeUndefined();
    await publish(baseConfig(ds1.name, ds1.creds));
  });

  it('writes its heartbeat to bg_gateways and answers /_health', async () => {
    const gateways = await new Kvm(nc).create(KV.gateways, { history: 1, ttl: 15_000 });
    const entry = await waitFor('heartbeat', async () => (await gateways.get(`gw-test-${RAND}`)) ?? undefined, 7_000);
    const status = GatewayStatus.parse(entry.json());
    expect(status.endpoint).toBe('http://gateway.test:9100');
    expect(status.workers.find((w) => w.name === ds1.name)).toMatchObject({ state: 'serving' });
    expect(status.workers.find((w) => w.name === ds1.name)!.requests).toBeGreaterThan(10);
    const health = await fetch(`${endpoint}/_health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', instanceId: `gw-test-${RAND}` });
  });

  it('stops a deleted datasource: its keys are refused', async () => {
    const c = client(dsro.creds);
    await c.send(new HeadBucketCommand({ Bucket: A }));
    await kv.delete(dsro.name);
    await waitFor('ds-ro keys refused', async () => (await errorOf(c.send(new ListBucketsCommand({})))).name === 'InvalidAccessKeyId', 2_000);
    expect(gw.workers.workerStatuses().find((w) => w.name === dsro.name)?.state).toBe('stopped');
  });

  it('survives a NATS restart: keeps serving while NATS is down, picks up changes after', async () => {
    const c = client(ds1.creds);
    const natsHealth = async () => ((await (await fetch(`${endpoint}/_health`)).json()) as { nats: string }).nats;
    expect(await natsHealth()).toBe('connected');
    await nats.stop();
    expect((await c.send(new HeadObjectCommand({ Bucket: A, Key: 'range.bin' }))).ContentLength).toBe(10_000);
    await waitFor('/_health reports the outage', async () => (await natsHealth()) === 'disconnected', 5_000);
    await nats.restart();
    await waitFor('/_health reports NATS back', async () => (await natsHealth()) === 'connected', 15_000);
    const late = { name: 'ds-late', creds: issued() };
    await waitFor('KV writable again', async () => (await publish(baseConfig(late.name, late.creds, { buckets: [B] }))) > 0, 15_000);
    await waitFor('datasource created after the restart is served', async () =>
      ((await client(late.creds).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name).join() === B, 15_000);
    await kv.delete(late.name);
    await waitFor('deleted after restart', async () => (await errorOf(client(late.creds).send(new ListBucketsCommand({})))).name === 'InvalidAccessKeyId', 5_000);
  });
  describe('a second gateway (re)started while the config service is down', () => {
    let gw2: GatewayApp;
    let ep2: string;
    const lines: string[] = [];
    const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

    /** A raw signed request (UNSIGNED-PAYLOAD) to gw2: headers only, the test decides what body bytes follow. */
    async function rawSigned(method: string, path: string, headers: Record<string, string>) {
      const port = Number(new URL(ep2).port);
      const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: ds1.creds, sha256: Sha256, uriEscapePath: false });
      const signed = await signer.sign(
        new HttpRequest({ method, protocol: 'http:', hostname: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers } }),
      );
      const req = http.request({ method, host: '127.0.0.1', port, path, headers: signed.headers });
      const answer = new Promise<{ status: number; text: string; at: number }>((resolve, reject) => {
        req.on('response', (r) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (d: string) => (text += d));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, text, at: Date.now() }));
        });
        req.on('error', reject);
      });
      return { req, answer };
    }

    beforeAll(async () => {
      configDown = true;
      const env: GatewayEnv = {
        natsServers: [nats.url], logLevel: 'info', host: '127.0.0.1', port: 0, publicUrl: 'http://gateway2.test:9100',
        instanceId: `gw-test2-${RAND}`, maxInflight: 8, remoteTimeoutMs: 10_000, headersTimeoutMs: 1_500, clientIdleTimeoutMs: 1_000,
      };
      const calls = resolveCalls;
      gw2 = await startGateway(env, pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }));
      ep2 = `http://127.0.0.1:${gw2.port}`;
      await waitFor('gw2 tried to resolve ds1', async () => resolveCalls > calls + 1, 10_000);
    });
    afterAll(async () => {
      configDown = false;
      await gw2?.close();
    });

    const client2 = (creds: { accessKeyId: string; secretAccessKey: string }) =>
      new S3Client({ endpoint: ep2, region: 'us-east-1', credentials: creds, forcePathStyle: true, maxAttempts: 1 });

    it('answers a valid key 503 (retryable) and /_health "starting" until its datasources are loaded', async () => {
      expect(await errorOf(client2(ds1.creds).send(new ListBucketsCommand({})))).toEqual({ name: 'ServiceUnavailable', status: 503 });
      const starting = await fetch(`${ep2}/_health`);
      expect(starting.status).toBe(503);
      expect(await starting.json()).toMatchObject({ status: 'starting', nats: 'connected' });
      configDown = false;
      await waitFor('gw2 healthy', async () => (await fetch(`${ep2}/_health`)).status === 200, 15_000);
      expect(((await client2(ds1.creds).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name).sort()).toEqual([A, B]);
      expect(await errorOf(client2(issued()).send(new ListBucketsCommand({})))).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
      expect((await fetch(`${ep2}/_health`, { method: 'POST' })).status).toBe(405);
    });

    it('cuts a stalled upload body after GATEWAY_CLIENT_IDLE_TIMEOUT_MS: 400 RequestTimeout, slot freed, nothing stored', async () => {
      const { req, answer } = await rawSigned('PUT', `/${A}/stalled.bin`, { 'content-length': '1000' });
      const sent = Date.now();
      req.write(Buffer.alloc(10, 1)); // then nothing more
      const res = await answer;
      req.destroy();
      expect(res.status).toBe(400);
      expect(res.text).toContain('<Code>RequestTimeout</Code>');
      expect(res.at - sent).toBeGreaterThanOrEqual(900);
      expect(res.at - sent).toBeLessThan(5_000);
      const worker = gw2.workers.byAccessKey(ds1.creds.accessKeyId)!;
      await waitFor('slot freed', async () => worker.inFlight === 0, 2_000);
      expect(await errorOf(admin.send(new HeadObjectCommand({ Bucket: A, Key: 'stalled.bin' })))).toMatchObject({ status: 404 });
    });

    it('refuses a PUT over 5 GiB at once (EntityTooLarge) instead of waiting for the body', async () => {
      const { req, answer } = await rawSigned('PUT', `/${A}/huge.bin`, { 'content-length': String(6 * 1024 ** 3) });
      req.flushHeaders();
      const res = await answer;
      req.destroy();
      expect(res.status).toBe(400);
      expect(res.text).toContain('<Code>EntityTooLarge</Code>');
    });

    it('cuts a connection that trickles its headers (slowloris) after GATEWAY_HEADERS_TIMEOUT_MS', async () => {
      const port = Number(new URL(ep2).port);
      const started = Date.now();
      const closedAfter = await new Promise<number>((resolve) => {
        const sock = net.connect(port, '127.0.0.1', () => sock.write(`GET /${A} HTTP/1.1\r\nHost: 127.0.0.1\r\n`));
        const trickle = setInterval(() => sock.writable && sock.write('X-Slow: 1\r\n'), 200);
        const giveUp = setTimeout(() => sock.destroy(), 10_000);
        sock.on('error', () => undefined);
        sock.resume();
        sock.on('close', () => {
          clearInterval(trickle);
          clearTimeout(giveUp);
          resolve(Date.now() - started);
        });
      });
      expect(closedAfter).toBeGreaterThanOrEqual(1_400);
      expect(closedAfter).toBeLessThan(5_000);
    });

    it('logs a request the client abandoned with status 499', async () => {
      const ac = new AbortController();
      const out = await client2(ds1.creds).send(new GetObjectCommand({ Bucket: A, Key: 'big/sdk.bin' }), { abortSignal: ac.signal });
      const body = out.Body as Readable;
      await new Promise<void>((resolve) => body.once('data', () => resolve()));
      ac.abort();
      body.destroy();
      const entry = await waitFor('request log line', async () => logs().find((l) => l.msg === 'request' && l.aborted === true && l.method === 'GET'), 5_000);
      expect(entry.status).toBe(499);
    });
  });
});
