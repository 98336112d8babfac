import { HeadBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RemoteAccess } from '@bucketgate/contracts';
import { RemoteAccess as RemoteAccessSchema } from '@bucketgate/contracts';
import { createS3Client, endpointLabel, s3ClientConfig, usesPathStyle } from './s3-client.js';

const timeouts = { connectTimeoutMs: 3000, requestTimeoutMs: 10000 };
const remote = (input: Record<string, unknown>): RemoteAccess => RemoteAccessSchema.parse({ apiKey: 'AKEXAMPLE', apiSecret: 'secret-example', ...input });

interface Captured {
  url: string;
  signingRegion: string | undefined;
}

/** Sends a command through the real client stack but stops right after signing: where would it go, signed for what? */
async function capture(client: S3Client, command: HeadBucketCommand | ListBucketsCommand): Promise<Captured> {
  let seen: Captured | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      const r = args.request as { protocol: string; hostname: string; port?: number; path: string; headers: Record<string, string> };
      seen = {
        url: `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path}`,
        signingRegion: r.headers.authorization?.match(/Credential=[^/]+\/\d{8}\/([^/]+)\//)?.[1],
      };
      throw new Error('captured');
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureForTest' },
  );
  await expect(client.send(command as never)).rejects.toThrow('captured');
  client.destroy();
  return seen!;
}

describe('S3 client options', () => {
  it('talks to Amazon S3 in us-east-1, virtual-host style, when endpoint and region are empty', async () => {
    const r = remote({ endpoint: '', region: '' });
    expect(r.endpoint).toBeUndefined();
    const config = s3ClientConfig(r, timeouts);
    expect(config.region).toBe('us-east-1');
    expect(config.endpoint).toBeUndefined();
    expect(config.forcePathStyle).toBe(false);
    expect(await capture(createS3Client(r, timeouts), new HeadBucketCommand({ Bucket: 'my-bucket' }))).toEqual({
      url: 'https://my-bucket.s3.us-east-1.amazonaws.com/',
      signingRegion: 'us-east-1',
    });
    expect(endpointLabel(r)).toBe('Amazon S3 (us-east-1)');
  });

  it('signs for the given AWS region and addresses its regional endpoint', async () => {
    const r = remote({ region: 'eu-west-3' });
    expect(await capture(createS3Client(r, timeouts), new ListBucketsCommand({}))).toEqual({
      url: 'https://s3.eu-west-3.amazonaws.com/',
      signingRegion: 'eu-west-3',
    });
  });

  it('uses path style for a custom endpoint and signs for us-east-1 when the region is empty', async () => {
    const r = remote({ endpoint: 'http://127.0.0.1:9000/', region: '  ' });
    expect(usesPathStyle(r)).toBe(true);
    expect(await capture(createS3Client(r, timeouts), new HeadBucketCommand({ Bucket: 'my-bucket' }))).toEqual({
      url: 'http://127.0.0.1:9000/my-bucket/',
      signingRegion: 'us-east-1',
    });
    expect(endpointLabel(r)).toBe('http://127.0.0.1:9000');
  });

  it('uses virtual-host style on a custom endpoint only when pathStyle is false', async () => {
    const r = remote({ endpoint: 'https://s3.example.test', pathStyle: false, region: 'fr-par' });
    expect(usesPathStyle(r)).toBe(false);
    expect(await capture(createS3Client(r, timeouts), new HeadBucketCommand({ Bucket: 'my-bucket' }))).toEqual({
      url: 'https://my-bucket.s3.example.test/',
      signingRegion: 'fr-par',
    });
  });

  it('uses path style on Amazon S3 when asked to', () => {
    expect(usesPathStyle(remote({ pathStyle: true }))).toBe(true);
    expect(usesPathStyle(remote({}))).toBe(false);
  });

  it('bounds time, does not retry, computes checksums only when required, and uses only the given credentials', async () => {
    const config = s3ClientConfig(remote({ endpoint: 'http://127.0.0.1:9000' }), timeouts);
    expect(config.maxAttempts).toBe(1);
    expect(config.requestChecksumCalculation).toBe('WHEN_REQUIRED');
    expect(config.responseChecksumValidation).toBe('WHEN_REQUIRED');
    expect(config.credentials).toEqual({ accessKeyId: 'AKEXAMPLE', secretAccessKey: 'secret-example' });
    const handlerConfig = await (config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider;
    expect(handlerConfig).toMatchObject({ connectionTimeout: 3000, requestTimeout: 10000, throwOnRequestTimeout: true });
  });
});
