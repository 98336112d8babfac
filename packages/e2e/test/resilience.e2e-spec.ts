/**
 * Hiccups an operator will meet: the config service dies, NATS restarts, a gateway restarts, two gateway instances
 * serve one datasource. Nothing is lost and the gateway keeps serving what it knows.
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { eventually, testS3 } from '@bucketgate/runtime/testing';
import { startStack, type Stack } from '../src/stack.js';

const s3 = testS3();
const rnd = randomBytes(3).toString('hex');
const BUCKET = `resil-${rnd}`;
const direct = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });

type Creds = { accessKeyId: string; secretAccessKey: string };
const client = (endpoint: string, credentials: Creds) => new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1 });

async function readText(c: S3Client, key: string): Promise<string> {
  return (await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
}

describe('resilience', () => {
  let stack: Stack;
  let creds: Creds;
  let second: Creds;

  beforeAll(async () => {
    await direct.send(new CreateBucketCommand({ Bucket: BUCKET }));
    stack = await startStack({ gateways: 2, label: 'resilience' });
    const res = await stack.rest('POST', '/api/datasources', {
      name: `res-${rnd}`, endpoint: s3.endpoint, apiKey: s3.accessKeyId, apiSecret: s3.secretAccessKey, buckets: [BUCKET],
    });
    expect(res.status).toBe(201);
    creds = res.body.credentials;
    await eventually(() => client(stack.gatewayUrls[1]!, creds).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept.txt', Body: 'still here' })), 3_000);
  });

  afterAll(async () => {
    await stack?.stop();
    for (const Key of ['kept.txt', 'after-restart.txt']) await direct.send(new DeleteObjectCommand({ Bucket: BUCKET, Key })).catch(() => undefined);
    await direct.send(new DeleteBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  });

  it('serves one datasource from every gateway instance', async () => {
    for (const url of stack.gatewayUrls) expect(await readText(client(url, creds), 'kept.txt')).toBe('still here');
  });

  it('keeps serving while the config service is down', async () => {
    await stack.stopService('config');
    try {
      expect(await readText(client(stack.gatewayUrl, creds), 'kept.txt')).toBe('still here');
      await client(stack.gatewayUrl, creds).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'after-restart.txt', Body: 'written while config was down' }));
    } finally {
      await stack.startService('config');
    }
    expect((await stack.rest('GET', `/api/datasources/res-${rnd}`)).status).toBe(200);
  });

  it('keeps serving across a NATS restart and keeps every datasource', async () => {
    await stack.nats.restart();
    expect(await readText(client(stack.gatewayUrl, creds), 'after-restart.txt')).toBe('written while config was down');
    const view = await eventually(async () => {
      const r = await stack.rest('GET', `/api/datasources/res-${rnd}`);
      if (r.status !== 200) throw new Error(`status ${r.status}`);
      return r.body;
    }, 15_000);
    expect(view.buckets).toEqual([BUCKET]);
    // a datasource created after the restart reaches the gateways too
    second = await eventually(async () => {
      const r = await stack.rest('POST', '/api/datasources', {
        name: `res2-${rnd}`, endpoint: s3.endpoint, apiKey: s3.accessKeyId, apiSecret: s3.secretAccessKey, buckets: [BUCKET], readOnly: true,
      });
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      return r.body.credentials as Creds;
    }, 15_000);
    for (const url of stack.gatewayUrls) {
      const names = await eventually(async () => (await client(url, second).send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name), 5_000);
      expect(names).toEqual([BUCKET]);
    }
  });

  it('serves every datasource again right after a gateway restarts', async () => {
    await stack.stopService('gateway');
    await stack.startService('gateway');
    const text = await eventually(() => readText(client(stack.gatewayUrl, creds), 'kept.txt'), 5_000);
    expect(text).toBe('still here');
  });

  it('answers a deleted datasource with InvalidAccessKeyId on every instance', async () => {
    expect((await stack.rest('DELETE', `/api/datasources/res2-${rnd}`)).status).toBe(200);
    expect((await stack.rest('GET', `/api/datasources`)).body.datasources.map((d: { name: string }) => d.name)).toEqual([`res-${rnd}`]);
    for (const url of stack.gatewayUrls) {
      const code = await eventually(async () => {
        try {
          await client(url, second).send(new ListBucketsCommand({}));
        } catch (err) {
          if (err instanceof S3ServiceException) return err.name;
        }
        throw new Error('the deleted datasource is still served');
      }, 3_000);
      expect(code).toBe('InvalidAccessKeyId');
      // the other datasource is untouched
      expect(await readText(client(url, creds), 'kept.txt')).toBe('still here');
    }
  });
});
