/**
 * docker/haproxy.cfg for real: HAProxy (Debian package) runs the compose load-balancer config, with only its
 * addresses rewritten for loopback (Docker DNS "gateway" → the two gateway instances of the stack), in front of two
 * gateways. S3 clients sign for the load balancer's address; the gateways must still verify them (Host passed
 * through), bodies must stream through byte-exact, and losing one gateway must not fail requests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { freePort, testS3, waitForPort } from '@bucketgate/runtime/testing';
import { REPO_ROOT } from '../src/paths.js';
import { startStack, type Stack } from '../src/stack.js';

const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
const s3 = testS3();
const rnd = randomBytes(3).toString('hex');
const BUCKET = `lb-${rnd}`;

/** The compose config with loopback addresses; throws if the parts it rewrites are not there any more. */
function loopbackVariant(cfg: string, gateways: string[], lbPort: number, healthPort: number): string {
  const replace = (re: RegExp, by: string) => {
    if (!re.test(cfg)) throw new Error(`docker/haproxy.cfg no longer matches ${re}: update this test with it`);
    cfg = cfg.replace(re, by);
  };
  replace(/^resolvers docker\n(?:[ \t]+.*\n)+/m, '');
  const servers = gateways.map((url, i) => `    server gw${i + 1} ${new URL(url).host} check inter 1s fall 1 rise 1`).join('\n');
  replace(/^[ \t]*server-template .*gateway:\d+.*$/m, servers);
  replace(/^([ \t]*bind) :9100$/m, `$1 127.0.0.1:${lbPort}`);
  replace(/^([ \t]*bind) :8404$/m, `$1 127.0.0.1:${healthPort}`);
  return cfg;
}

const direct = new S3Client({
  endpoint: s3.endpoint, region: s3.region, forcePathStyle: true,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
});

describe('docker/haproxy.cfg in front of two gateways', () => {
  let stack: Stack;
  let haproxy: ChildProcess | undefined;
  let lbUrl: string;
  let client: S3Client;

  beforeAll(async () => {
    if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} is missing: apt-get install haproxy (npm test installs it)`);
    await direct.send(new CreateBucketCommand({ Bucket: BUCKET }));
    stack = await startStack({ gateways: 2, label: 'lb' });
    const lbPort = await freePort();
    const healthPort = await freePort();
    lbUrl = `http://127.0.0.1:${lbPort}`;
    const cfgFile = join(stack.artifactsDir, 'haproxy.cfg');
    writeFileSync(cfgFile, loopbackVariant(readFileSync(join(REPO_ROOT, 'docker', 'haproxy.cfg'), 'utf8'), stack.gatewayUrls, lbPort, healthPort));
    const log = openSync(join(stack.artifactsDir, 'haproxy.log'), 'a');
    haproxy = spawn(HAPROXY, ['-db', '-f', cfgFile], { stdio: ['ignore', log, log] });
    closeSync(log);
    await waitForPort(lbPort, 10_000);
    expect((await fetch(`http://127.0.0.1:${healthPort}/healthz`)).status).toBe(200);

    const created = await stack.rest('POST', '/api/datasources', {
      name: `lb-${rnd}`, endpoint: s3.endpoint, apiKey: s3.accessKeyId, apiSecret: s3.secretAccessKey, buckets: [BUCKET],
    });
    expect(created.status).toBe(201);
    const { accessKeyId, secretAccessKey } = created.body.credentials;
    client = new S3Client({ endpoint: lbUrl, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
    // both gateways load the new datasource from the KV watch
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && !(await client.send(new ListBucketsCommand({})).then(() => true, () => false))) {
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (haproxy && haproxy.exitCode === null) {
      const gone = new Promise((r) => haproxy!.once('exit', r));
      haproxy.kill('SIGTERM');
      await gone;
    }
    await stack?.stop();
    const page = await direct.send(new ListObjectsV2Command({ Bucket: BUCKET })).catch(() => undefined);
    for (const o of page?.Contents ?? []) await direct.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: o.Key! }));
    await direct.send(new DeleteBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  });

  it('passes signed S3 requests through: list, and an 8 MiB object put and read back byte-exact', async () => {
    const listed = await client.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toEqual([BUCKET]);
    const data = randomBytes(8 * 1024 * 1024);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'through-lb.bin', Body: data }));
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'through-lb.bin' }));
    const back = Buffer.from(await got.Body!.transformToByteArray());
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    // requests are balanced: HAProxy's access log names both gateways as servers
    for (let i = 0; i < 4; i++) await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    await new Promise((r) => setTimeout(r, 300));
    const served = new Set(readFileSync(join(stack.artifactsDir, 'haproxy.log'), 'utf8').match(/gateways\/gw\d/g));
    expect([...served].sort()).toEqual(['gateways/gw1', 'gateways/gw2']);
  });

  it('keeps serving when one gateway stops', async () => {
    await stack.stopService('gateway');
    // the health check (inter 1s, fall 1) takes the stopped one out of rotation
    await new Promise((r) => setTimeout(r, 2_500));
    for (let i = 0; i < 6; i++) {
      const res = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
      expect(res.Contents?.map((o) => o.Key)).toEqual(['through-lb.bin']);
    }
    await stack.startService('gateway');
  });
});
