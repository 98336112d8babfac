/**
 * The operator's path end to end (issue 1): REST on the config service, bucket discovery through the discovery service,
 * then real S3 clients (@aws-sdk/client-s3 and the aws cli) through the gateway, against a real NATS and a real,
 * signature-checking S3 server (Ceph RGW).
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  CopyObjectCommand, CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand,
  HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { pollUntil, testS3 } from '@bucketgate/runtime/testing';
import { startStack, type Stack } from '../src/stack.js';
// the aws-chunked encoder of the gateway's protocol tests: no stock client here sends STREAMING-AWS4-HMAC-SHA256-PAYLOAD
import { buildStreamingUpload, sendRequest } from '../../../apps/gateway-service/src/protocol/testing.js';

const run = promisify(execFile);
const AWS = process.env.AWS_CLI ?? '/usr/bin/aws';
const s3 = testS3();
const rnd = randomBytes(3).toString('hex');
const CELLS_A = `cells-${rnd}-a`;
const CELLS_B = `cells-${rnd}-b`;
const OTHER = `other-${rnd}`;
const MiB = 1024 * 1024;

const direct = new S3Client({
  endpoint: s3.endpoint, region: s3.region, forcePathStyle: true,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
});

function gatewayClient(stack: Stack, accessKeyId: string, secretAccessKey: string): S3Client {
  return new S3Client({ endpoint: stack.gatewayUrl, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

async function s3Code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof S3ServiceException) return err.name;
    throw err;
  }
  return 'OK';
}

async function sha256OfStream(body: Readable): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of body) h.update(chunk as Buffer);
  return h.digest('hex');
}

function awsCli(stack: Stack, creds: { accessKeyId: string; secretAccessKey: string }, args: string[]) {
  return run(AWS, ['--endpoint-url', stack.gatewayUrl, '--region', 'us-east-1', ...args], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' },
    maxBuffer: 64 * MiB,
  });
}

describe('bucketgate end to end', () => {
  let stack: Stack;
  let creds: { accessKeyId: string; secretAccessKey: string };
  let gw: S3Client;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bg-e2e-'));
    for (const b of [CELLS_A, CELLS_B, OTHER]) await direct.send(new CreateBucketCommand({ Bucket: b }));
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.stop();
    for (const b of [CELLS_A, CELLS_B, OTHER]) {
      for (;;) {
        const page = await direct.send(new ListObjectsV2Command({ Bucket: b })).catch(() => undefined);
        if (!page?.Contents?.length) break;
        await direct.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: page.Contents.map((o) => ({ Key: o.Key! })) } }));
      }
      await direct.send(new DeleteBucketCommand({ Bucket: b })).catch(() => undefined);
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('discovers the buckets the credentials reach and previews a regexp', async () => {
    const res = await stack.rest('POST', '/api/buckets', {
      endpoint: s3.endpoint, region: '', apiKey: s3.accessKeyId, apiSecret: s3.secretAccessKey, bucketsRegexp: `^cells-${rnd}`,
    });
    expect(res.status).toBe(200);
    const mine = (res.body.buckets as { name: string; selected: boolean }[]).filter((b) => b.name.includes(rnd));
    expect(mine).toEqual([
      expect.objectContaining({ name: CELLS_A, selected: true }),
      expect.objectContaining({ name: CELLS_B, selected: true }),
      expect.objectContaining({ name: OTHER, selected: false }),
    ]);
  });

  it('explains bad credentials, an unreachable endpoint and a bad regexp', async () => {
    const badSecret = await stack.rest('POST', '/api/buckets', { endpoint: s3.endpoint, apiKey: s3.accessKeyId, apiSecret: 'wrong-secret' });
    expect(badSecret.status).toBe(400);
    expect(badSecret.body.error.code).toBe('INVALID_CREDENTIALS');
    // AWS answers SignatureDoesNotMatch; Ceph RGW with STS on (as the test server runs) answers AccessDenied
    expect(badSecret.body.error.message).toMatch(/SignatureDoesNotMatch|AccessDenied/);

    const started = Date.now();
    const unreachable = await stack.rest('POST', '/api/buckets', { endpoint: 'http://127.0.0.1:1', apiKey: 'a', apiSecret: 'b' });
    expect(unreachable.body.error.code).toBe('REMOTE_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(10_000);

    const badRe = await stack.rest('POST', '/api/datasources', {
      name: `bad-${rnd}`, endpoint: s3.endpoint, apiKey: s3.accessKeyId, apiSecret: s3.secretAccessKey, bucketsRegexp: '(',
    });
    expect(badRe.status).toBe(400);
    expect(badRe.body.error.message).toMatch(/bucketsRegexp does not compile/);

    const wrongCreate = await stack.rest('POST', '/api/datasources', {
      name: `bad-${rnd}`, endpoint: s3.endpoint, apiKey: s3.accessKeyId, apiSecret: 'nope', bucketsRegexp: '^cells',
    });
    expect(wrongCreate.status).toBe(400);
    expect(wrongCreate.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await stack.rest('GET', `/api/datasources/bad-${rnd}`)).status).toBe(404);
  });

  it('creates a datasource and returns its gateway credentials once', async () => {
    const res = await stack.rest('POST', '/api/datasources', {
      name: `ds-${rnd}`, endpoint: s3.endpoint, region: '', apiKey: s3.accessKeyId, apiSecret: s3.secretAccessKey,
      bucketsRegexp: `^cells-${rnd}`,
    });
    expect(res.status).toBe(201);
    creds = res.body.credentials;
    expect(creds.accessKeyId).toMatch(/^[A-Z0-9]{16,}$/);
    expect(creds.secretAccessKey.length).toBeGreaterThanOrEqual(30);
    expect(res.body.gateway.endpoint).toBe(stack.gatewayUrl);
    const all = JSON.stringify([(await stack.rest('GET', '/api/datasources')).body, (await stack.rest('GET', `/api/datasources/ds-${rnd}`)).body]);
    expect(all).toContain(`ds-${rnd}`);
    expect(all).not.toContain(creds.secretAccessKey);
    expect(all).not.toContain(s3.secretAccessKey);
    gw = gatewayClient(stack, creds.accessKeyId, creds.secretAccessKey);
    // served within 2 s
    const listed = await pollUntil(() => gw.send(new ListBucketsCommand({})).catch(() => undefined), (r) => !!r, 2_000);
    expect(listed?.Buckets?.map((b) => b.Name).sort()).toEqual([CELLS_A, CELLS_B]);
  });

  it('puts and gets a 50 MiB object byte-exact with the SDK, ranges included', async () => {
    const data = randomBytes(50 * MiB);
    const want = createHash('sha256').update(data).digest('hex');
    // a stream body: the SDK sends it aws-chunked with a CRC32 trailer
    await gw.send(new PutObjectCommand({ Bucket: CELLS_A, Key: 'big/sdk.bin', Body: Readable.from([data.subarray(0, 20 * MiB), data.subarray(20 * MiB)]), ContentLength: data.length }));
    const got = await gw.send(new GetObjectCommand({ Bucket: CELLS_A, Key: 'big/sdk.bin' }));
    expect(got.ContentLength).toBe(50 * MiB);
    expect(await sha256OfStream(got.Body as Readable)).toBe(want);
    const onRemote = await direct.send(new GetObjectCommand({ Bucket: CELLS_A, Key: 'big/sdk.bin' }));
    expect(await sha256OfStream(onRemote.Body as Readable)).toBe(want); // no chunk framing stored

    const range = await gw.send(new GetObjectCommand({ Bucket: CELLS_A, Key: 'big/sdk.bin', Range: 'bytes=1000-1999' }));
    expect(range.$metadata.httpStatusCode).toBe(206);
    expect(range.ContentRange).toBe(`bytes 1000-1999/${50 * MiB}`);
    expect(Buffer.from(await range.Body!.transformToByteArray()).equals(data.subarray(1000, 2000))).toBe(true);
    expect(await s3Code(gw.send(new GetObjectCommand({ Bucket: CELLS_A, Key: 'big/sdk.bin', Range: `bytes=${60 * MiB}-` })))).toBe('InvalidRange');
  });

  it.each(['streaming-signed', 'streaming-signed-trailer', 'streaming-unsigned-trailer'] as const)(
    'stores a %s aws-chunked upload byte-exact and refuses a tampered one without storing it',
    async (mode) => {
      const data = randomBytes(3 * MiB + 123);
      const url = `${stack.gatewayUrl}/${CELLS_A}/chunked/${mode}.bin`;
      const upload = await buildStreamingUpload({ url, body: data, mode, chunkSize: 64 * 1024, ...creds });
      const put = await sendRequest(upload);
      expect(put.status).toBe(200);
      const onRemote = await direct.send(new GetObjectCommand({ Bucket: CELLS_A, Key: `chunked/${mode}.bin` }));
      expect(Buffer.from(await onRemote.Body!.transformToByteArray()).equals(data)).toBe(true);

      const tamperedUrl = `${stack.gatewayUrl}/${CELLS_A}/chunked/${mode}-tampered.bin`;
      const tampered = await buildStreamingUpload({ url: tamperedUrl, body: data, mode, chunkSize: 64 * 1024, ...creds });
      tampered.body[tampered.body.length - 4096] ^= 0xff; // a data byte of the last chunk
      const refused = await sendRequest(tampered);
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.body.toString()).toMatch(mode === 'streaming-unsigned-trailer' ? /BadDigest/ : /SignatureDoesNotMatch/);
      expect(await s3Code(direct.send(new HeadObjectCommand({ Bucket: CELLS_A, Key: `chunked/${mode}-tampered.bin` })))).toMatch(/NotFound|NoSuchKey/);
    },
  );

  it('copies, heads and deletes objects; remote errors keep their S3 code', async () => {
    await gw.send(new PutObjectCommand({ Bucket: CELLS_A, Key: 'docs/a.txt', Body: 'hello gateway', ContentType: 'text/plain', Metadata: { owner: 'e2e' } }));
    await gw.send(new CopyObjectCommand({ Bucket: CELLS_B, Key: 'copied/a.txt', CopySource: `${CELLS_A}/docs/a.txt` }));
    const head = await gw.send(new HeadObjectCommand({ Bucket: CELLS_B, Key: 'copied/a.txt' }));
    expect(head.ContentLength).toBe(13);
    expect(head.Metadata).toEqual({ owner: 'e2e' });
    const got = await gw.send(new GetObjectCommand({ Bucket: CELLS_B, Key: 'copied/a.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello gateway');
    await gw.send(new DeleteObjectCommand({ Bucket: CELLS_B, Key: 'copied/a.txt' }));
    expect(await s3Code(gw.send(new GetObjectCommand({ Bucket: CELLS_B, Key: 'copied/a.txt' })))).toBe('NoSuchKey');
    // copying out of a bucket that is not selected is refused
    expect(await s3Code(gw.send(new CopyObjectCommand({ Bucket: CELLS_B, Key: 'stolen', CopySource: `${OTHER}/x` })))).toBe('AccessDenied');
  });

  it('lists more than 1,000 keys page by page', async () => {
    const keys = Array.from({ length: 1_050 }, (_, i) => `many/k${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 25) {
      await Promise.all(keys.slice(i, i + 25).map((Key) => gw.send(new PutObjectCommand({ Bucket: CELLS_B, Key, Body: Key }))));
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await gw.send(new ListObjectsV2Command({ Bucket: CELLS_B, Prefix: 'many/', ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual(keys);
    const { stdout } = await awsCli(stack, creds, ['s3', 'ls', '--recursive', `s3://${CELLS_B}/many/`]);
    expect(stdout.trim().split('\n')).toHaveLength(1_050);
  });

  it('works with the aws cli: ls, a 50 MiB multipart cp both ways, rm', async () => {
    const file = join(work, 'cli.bin');
    writeFileSync(file, randomBytes(50 * MiB));
    const want = createHash('sha256').update(await readAll(file)).digest('hex');
    const ls = await awsCli(stack, creds, ['s3', 'ls']);
    expect(ls.stdout).toContain(CELLS_A);
    expect(ls.stdout).toContain(CELLS_B);
    expect(ls.stdout).not.toContain(OTHER);
    await awsCli(stack, creds, ['s3', 'cp', file, `s3://${CELLS_A}/cli/cli.bin`]);
    const back = join(work, 'back.bin');
    await awsCli(stack, creds, ['s3', 'cp', `s3://${CELLS_A}/cli/cli.bin`, back]);
    expect(statSync(back).size).toBe(50 * MiB);
    expect(createHash('sha256').update(await readAll(back)).digest('hex')).toBe(want);
    // a presigned URL made by the aws cli works with a plain HTTP client, for a range too
    const { stdout: url } = await awsCli(stack, creds, ['s3', 'presign', `s3://${CELLS_A}/cli/cli.bin`, '--expires-in', '300']);
    const presigned = await fetch(url.trim(), { headers: { range: 'bytes=0-99' } });
    expect(presigned.status).toBe(206);
    expect(Buffer.from(await presigned.arrayBuffer()).equals((await readAll(file)).subarray(0, 100))).toBe(true);
    const tamperedUrl = url.trim().replace('cli.bin', 'cli.bin2');
    expect((await fetch(tamperedUrl)).status).toBe(403);
    await awsCli(stack, creds, ['s3', 'rm', `s3://${CELLS_A}/cli/cli.bin`]);
    expect(await s3Code(direct.send(new HeadObjectCommand({ Bucket: CELLS_A, Key: 'cli/cli.bin' })))).toMatch(/NotFound|NoSuchKey/);
  });

  it('refuses a bucket that is not selected without touching the remote', async () => {
    expect(await s3Code(gw.send(new ListObjectsV2Command({ Bucket: OTHER })))).toBe('AccessDenied');
    expect(await s3Code(gw.send(new PutObjectCommand({ Bucket: OTHER, Key: 'sneaky.txt', Body: 'x' })))).toBe('AccessDenied');
    expect(await s3Code(direct.send(new HeadObjectCommand({ Bucket: OTHER, Key: 'sneaky.txt' })))).toMatch(/NotFound|NoSuchKey/);
    await expect(awsCli(stack, creds, ['s3', 'ls', `s3://${OTHER}/`])).rejects.toMatchObject({ stderr: expect.stringMatching(/AccessDenied/) });
  });

  it('refuses a wrong secret, an unknown key and a skewed clock', async () => {
    const wrong = gatewayClient(stack, creds.accessKeyId, creds.secretAccessKey.slice(0, -2) + 'xx');
    expect(await s3Code(wrong.send(new ListBucketsCommand({})))).toBe('SignatureDoesNotMatch');
    const unknown = gatewayClient(stack, 'BGUNKNOWNKEY00000000', creds.secretAccessKey);
    expect(await s3Code(unknown.send(new ListBucketsCommand({})))).toBe('InvalidAccessKeyId');
    const skewed = new S3Client({ endpoint: stack.gatewayUrl, region: 'us-east-1', forcePathStyle: true, credentials: creds, maxAttempts: 1, systemClockOffset: -20 * 60_000 });
    expect(await s3Code(skewed.send(new ListBucketsCommand({})))).toBe('RequestTimeTooSkewed');
    await expect(awsCli(stack, { ...creds, secretAccessKey: 'wrong' }, ['s3', 'ls'])).rejects.toMatchObject({ stderr: expect.stringMatching(/SignatureDoesNotMatch/) });
  });

  it('rotates the remote credentials live while an in-flight download finishes on the old ones', async () => {
    const data = randomBytes(8 * MiB);
    await gw.send(new PutObjectCommand({ Bucket: CELLS_A, Key: 'rotate.bin', Body: data }));
    const slow = await gw.send(new GetObjectCommand({ Bucket: CELLS_A, Key: 'rotate.bin' }));
    const body = slow.Body as Readable;
    const first = await new Promise<Buffer>((resolve) => body.once('data', (c: Buffer) => { body.pause(); resolve(c); }));

    // rotate to a key the remote refuses: new requests must use it (and fail), the in-flight stream must not
    const bad = await stack.rest('PATCH', `/api/datasources/ds-${rnd}`, { apiSecret: 'rotated-but-wrong', skipCheck: true });
    expect(bad.status).toBe(200);
    const failing = await pollUntil(() => s3Code(gw.send(new HeadObjectCommand({ Bucket: CELLS_A, Key: 'rotate.bin' }))), (c) => c !== 'OK', 2_000);
    expect(failing).not.toBe('OK');

    const chunks: Buffer[] = [first];
    body.resume();
    for await (const c of body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);

    const good = await stack.rest('PATCH', `/api/datasources/ds-${rnd}`, { apiSecret: s3.secretAccessKey });
    expect(good.status).toBe(200);
    const ok = await pollUntil(() => s3Code(gw.send(new HeadObjectCommand({ Bucket: CELLS_A, Key: 'rotate.bin' }))), (c) => c === 'OK', 2_000);
    expect(ok).toBe('OK');
  });

  it('follows a selection change and read-only live', async () => {
    const patched = await stack.rest('PATCH', `/api/datasources/ds-${rnd}`, { buckets: [CELLS_B], readOnly: true });
    expect(patched.status).toBe(200);
    const names = await pollUntil(async () => (await gw.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name), (n) => n?.length === 1, 2_000);
    expect(names).toEqual([CELLS_B]);
    expect(await s3Code(gw.send(new GetObjectCommand({ Bucket: CELLS_A, Key: 'docs/a.txt' })))).toBe('AccessDenied');
    expect(await s3Code(gw.send(new PutObjectCommand({ Bucket: CELLS_B, Key: 'ro.txt', Body: 'x' })))).toBe('AccessDenied');
    expect(await s3Code(gw.send(new ListObjectsV2Command({ Bucket: CELLS_B, MaxKeys: 1 })))).toBe('OK');
    await stack.rest('PATCH', `/api/datasources/ds-${rnd}`, { bucketsRegexp: `^cells-${rnd}`, readOnly: false });
  });

  it('deletes the datasource and its keys are refused', async () => {
    const del = await stack.rest('DELETE', `/api/datasources/ds-${rnd}`);
    expect(del.status).toBe(200);
    const code = await pollUntil(() => s3Code(gw.send(new ListBucketsCommand({}))), (c) => c === 'InvalidAccessKeyId', 2_000);
    expect(code).toBe('InvalidAccessKeyId');
    expect((await stack.rest('GET', `/api/datasources/ds-${rnd}`)).status).toBe(404);
  });
});

async function readAll(file: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of createReadStream(file)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
