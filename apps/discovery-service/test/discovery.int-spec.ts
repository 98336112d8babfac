import { randomBytes } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { firstValueFrom } from 'rxjs';
import { BucketgateError, CheckCredentials, CreateBucket, ListBuckets } from '@bucketgate/contracts';
import { REDACT_PATHS, RpcClient } from '@bucketgate/runtime';
import { freePort, startNatsServer, testS3, type TestNats } from '@bucketgate/runtime/testing';
import { startDiscoveryService } from '../src/app.js';
import { toDiscoveryEnv } from '../src/config/env.js';
import { startBannerServer, startHangUpServer, startHugeListingServer, startListDeniedS3, startSelfSignedTlsServer, startSilentServer, startWebServer } from './support/fake-remotes.js';
import { MAX_RESPONSE_BYTES } from '../src/buckets/s3-client.js';

/**
 * The discovery service booted in-process on a real NATS server, called through RpcClient exactly as the
 * config service calls it, against the real Ceph RGW (testS3()) and small loopback servers for the
 * failures a real storage cannot play.
 */
const s3 = testS3();
const rgw = { endpoint: s3.endpoint, region: s3.region, apiKey: s3.accessKeyId, apiSecret: s3.secretAccessKey };
const otherUser = { endpoint: s3.endpoint, region: s3.region, apiKey: 'NOPQRSTUVWXYZABCDEFG', apiSecret: 'nopqrstuvwxyzabcdefghijklmnabcdefghijklm' };
const CONNECT_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 3_000;

const prefix = `cells-${randomBytes(4).toString('hex')}`;
const made = new Set<string>();

async function failure(p: Promise<unknown>): Promise<BucketgateError> {
  const err = await p.then(
    () => { throw new Error('expected the call to fail'); },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BucketgateError);
  return err as BucketgateError;
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await p;
  return { value, ms: Date.now() - started };
}

describe('discovery service over NATS', () => {
  let nats: TestNats;
  let app: INestMicroservice;
  let rpc: RpcClient;
  const logLines: string[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, { write: (line: string) => logLines.push(line) });
    const env = toDiscoveryEnv({ natsServers: [nats.url], connectTimeoutMs: CONNECT_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    app = await startDiscoveryService(env, logger);
    rpc = new RpcClient([nats.url], 'discovery-int-test');
    await rpc.connect();
  }, 30_000);

  afterAll(async () => {
    const admin = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    for (const bucket of made) await admin.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    admin.destroy();
    await rpc?.close();
    await app?.close();
    await nats?.close();
  }, 30_000);

  async function createViaService(bucket: string, remote: Record<string, unknown> = rgw) {
    made.add(bucket);
    return rpc.call(CreateBucket, { ...remote, bucket } as never);
  }

  describe('against Ceph RGW', () => {
    beforeAll(async () => {
      for (const suffix of ['a', 'b', 'c']) await createViaService(`${prefix}-${suffix}`);
    }, 30_000);

    it('lists the buckets the credentials reach and flags exactly those the regexp selects', async () => {
      const { buckets } = await rpc.call(ListBuckets, { ...rgw, bucketsRegexp: `^${prefix}-[ab]$` });
      const ours = buckets.filter((b) => b.name.startsWith(prefix));
      expect(ours.map((b) => [b.name, b.selected])).toEqual([
        [`${prefix}-a`, true],
        [`${prefix}-b`, true],
        [`${prefix}-c`, false],
      ]);
      expect(buckets.filter((b) => b.selected).map((b) => b.name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
      expect(buckets.map((b) => b.name)).toEqual([...buckets.map((b) => b.name)].sort());
      for (const b of ours) expect(new Date(b.createdAt!).toISOString()).toBe(b.createdAt);
    });

    it('matches the regexp unanchored, and selects nothing without a selection', async () => {
      const unanchored = await rpc.call(ListBuckets, { ...rgw, bucketsRegexp: prefix.slice(3) });
      expect(unanchored.buckets.filter((b) => b.selected).map((b) => b.name)).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
      const none = await rpc.call(ListBuckets, rgw);
      expect(none.buckets.filter((b) => b.name.startsWith(prefix))).toHaveLength(3);
      expect(none.buckets.some((b) => b.selected)).toBe(false);
    });

    it('selects explicit bucket names literally', async () => {
      const { buckets } = await rpc.call(ListBuckets, { ...rgw, buckets: [`${prefix}-c`] });
      expect(buckets.filter((b) => b.selected).map((b) => b.name)).toEqual([`${prefix}-c`]);
    });

    it('works with an empty region (signs for us-east-1)', async () => {
      const { buckets } = await rpc.call(ListBuckets, { ...rgw, region: '', bucketsRegexp: `^${prefix}-a$` });
      expect(buckets.filter((b) => b.selected).map((b) => b.name)).toEqual([`${prefix}-a`]);
      await expect(createViaService(`${prefix}-noregion`, { ...rgw, region: '' })).resolves.toEqual({ name: `${prefix}-noregion`, created: true });
    });

    it('creates a bucket that then appears in the list', async () => {
      const bucket = `${prefix}-new`;
      await expect(createViaService(bucket)).resolves.toEqual({ name: bucket, created: true });
      const { buckets } = await rpc.call(ListBuckets, { ...rgw, buckets: [bucket] });
      expect(buckets.find((b) => b.name === bucket)).toMatchObject({ name: bucket, selected: true });
    });

    it('asks for the bucket in the datasource region (LocationConstraint) and says so when the storage has no such region', async () => {
      made.add(`${prefix}-euw1`); // cleaned up should the storage ever accept it
      const err = await failure(rpc.call(CreateBucket, { ...rgw, region: 'eu-west-1', bucket: `${prefix}-euw1` }));
      expect(err.code).toBe('INVALID');
      expect(err.message).toMatch(/does not accept region "eu-west-1" for new buckets \(InvalidLocationConstraint/);
    });

    it('answers CONFLICT when another account owns the bucket name', async () => {
      const err = await failure(createViaService(`${prefix}-a`, otherUser));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toMatch(/BucketAlreadyExists/);
    });

    it('answers CONFLICT for a bucket the account already owns (RGW itself answers 200 to that create)', async () => {
      const err = await failure(createViaService(`${prefix}-a`));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toBe(`bucket "${prefix}-a" already exists on ${s3.endpoint} and is yours; nothing was created`);
      expect(err.details).toMatchObject({ bucket: `${prefix}-a`, owned: true });
    });

    it('refuses a bucket name S3 does not accept with INVALID', async () => {
      const err = await failure(rpc.call(CreateBucket, { ...rgw, bucket: 'Not_A_Valid_Name' }));
      expect(err.code).toBe('INVALID');
      expect(err.message).toMatch(/lowercase/);
    });

    it('checks credentials: can list, and reports named buckets that do not exist', async () => {
      await expect(rpc.call(CheckCredentials, { ...rgw, buckets: [`${prefix}-a`, `${prefix}-missing`] })).resolves.toEqual({
        canListBuckets: true,
        missingBuckets: [`${prefix}-missing`],
      });
    });

    it('names a bucket the (valid) credentials may not use', async () => {
      const err = await failure(rpc.call(CheckCredentials, { ...otherUser, buckets: [`${prefix}-a`] }));
      expect(err.code).toBe('ACCESS_DENIED');
      expect(err.message).toContain(`"${prefix}-a"`);
      expect(err.details).toMatchObject({ buckets: [`${prefix}-a`] });
    });

    it('answers INVALID_CREDENTIALS carrying the storage reason for a wrong secret', async () => {
      for (const call of [
        () => rpc.call(ListBuckets, { ...rgw, apiSecret: 'wrong-secret-value' }),
        () => rpc.call(CheckCredentials, { ...rgw, apiSecret: 'wrong-secret-value' }),
        () => rpc.call(CheckCredentials, { ...rgw, apiSecret: 'wrong-secret-value', buckets: [`${prefix}-a`] }),
        () => rpc.call(CreateBucket, { ...rgw, apiSecret: 'wrong-secret-value', bucket: `${prefix}-never` }),
      ]) {
        const err = await failure(call());
        expect(err.code).toBe('INVALID_CREDENTIALS');
        // Ceph RGW (with STS enabled) answers AccessDenied where others say SignatureDoesNotMatch.
        expect(err.details).toMatchObject({ status: 403, remoteCode: 'AccessDenied', requestId: expect.stringMatching(/^tx/) });
        expect(err.message).toMatch(/refused the credentials: it answered AccessDenied/);
        expect(err.message).not.toContain('wrong-secret-value');
      }
    });

    it('answers INVALID_CREDENTIALS for an access key the storage does not know', async () => {
      const err = await failure(rpc.call(ListBuckets, { ...rgw, apiKey: 'NOSUCHKEY0000000000', apiSecret: 'whatever-secret' }));
      expect(err.code).toBe('INVALID_CREDENTIALS');
      expect(err.message).toContain(s3.endpoint);
    });

    it('answers fast for a hostile regexp over long bucket names (RE2, linear time)', async () => {
      const long = `${prefix}-${'a'.repeat(62 - prefix.length - 1)}b`;
      expect(long.length).toBe(63);
      await createViaService(long);
      const { value, ms } = await timed(rpc.call(ListBuckets, { ...rgw, bucketsRegexp: '(a+)+$' }));
      expect(ms).toBeLessThan(2_000);
      const ours = value.buckets.filter((b) => b.name.startsWith(prefix));
      expect(ours.find((b) => b.name === long)?.selected).toBe(false);
      expect(ours.find((b) => b.name === `${prefix}-a`)?.selected).toBe(true);
      expect(ours.find((b) => b.name === `${prefix}-b`)?.selected).toBe(false);
    });

    it('answers TLS_ERROR for https against a plain HTTP port', async () => {
      const err = await failure(rpc.call(ListBuckets, { ...rgw, endpoint: s3.endpoint.replace('http://', 'https://') }));
      expect(err.code).toBe('TLS_ERROR');
      expect(err.message).toMatch(/plain HTTP, not HTTPS/);
    });
  });

  describe('with a denied listing (valid credentials without s3:ListAllMyBuckets)', () => {
    let remote: Awaited<ReturnType<typeof startListDeniedS3>>;
    const creds = { apiKey: 'AKDENIEDLISTING', apiSecret: 'secret-of-the-denied-key', region: 'us-east-1' };
    beforeAll(async () => {
      remote = await startListDeniedS3({ 'named-there': 200, 'named-private': 403, 'named-moved': 'moved' });
    });
    afterAll(() => remote?.close());

    it('ListBuckets answers ACCESS_DENIED saying typed bucket names still work', async () => {
      const err = await failure(rpc.call(ListBuckets, { ...creds, endpoint: remote.endpoint, bucketsRegexp: '.*' }));
      expect(err.code).toBe('ACCESS_DENIED');
      expect(err.message).toMatch(/credentials are valid but may not list .*s3:ListAllMyBuckets.*typed bucket names still work/);
      expect(err.details).toMatchObject({ remoteCode: 'AccessDenied', status: 403 });
      expect(remote.seen.every((r) => r.accessKey === 'AKDENIEDLISTING')).toBe(true);
    });

    it('CheckCredentials without bucket names answers the same ACCESS_DENIED', async () => {
      const err = await failure(rpc.call(CheckCredentials, { ...creds, endpoint: remote.endpoint }));
      expect(err.code).toBe('ACCESS_DENIED');
      expect(err.message).toMatch(/s3:ListAllMyBuckets/);
    });

    it('CheckCredentials with bucket names asks each one, following a region redirect', async () => {
      remote.seen.length = 0;
      await expect(
        rpc.call(CheckCredentials, { ...creds, endpoint: remote.endpoint, buckets: ['named-there', 'named-gone', 'named-moved'] }),
      ).resolves.toEqual({ canListBuckets: false, missingBuckets: ['named-gone'] });
      const moved = remote.seen.filter((r) => r.path.replace(/\/$/, '') === '/named-moved');
      expect(moved.map((r) => r.signingRegion)).toEqual(['us-east-1', 'eu-west-1']);
    });

    it('CheckCredentials names a bucket the credentials may not use', async () => {
      const err = await failure(rpc.call(CheckCredentials, { ...creds, endpoint: remote.endpoint, buckets: ['named-there', 'named-private'] }));
      expect(err.code).toBe('ACCESS_DENIED');
      expect(err.message).toMatch(/denies access to bucket "named-private"/);
    });
  });

  describe('remotes that are not there, not S3, or never answer', () => {
    const creds = { apiKey: 'AKSOMETHING', apiSecret: 'some-secret-value', region: 'us-east-1' };

    it('answers REMOTE_UNREACHABLE for a closed port, naming the endpoint, within a few seconds', async () => {
      const endpoint = `http://127.0.0.1:${await freePort()}`;
      const started = Date.now();
      const err = await failure(rpc.call(ListBuckets, { ...creds, endpoint }));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(err.code).toBe('REMOTE_UNREACHABLE');
      expect(err.message).toBe(`cannot reach ${endpoint}: connection refused (nothing listens on that host and port)`);
    });

    it('answers REMOTE_UNREACHABLE for a host name that does not resolve', async () => {
      const err = await failure(rpc.call(CheckCredentials, { ...creds, endpoint: 'http://no-such-host.invalid:9000' }));
      expect(err.code).toBe('REMOTE_UNREACHABLE');
      expect(err.message).toMatch(/no-such-host\.invalid:9000: the host name/);
    });

    it('answers REMOTE_UNREACHABLE when the server hangs up without answering', async () => {
      const hangUp = await startHangUpServer();
      try {
        const err = await failure(rpc.call(ListBuckets, { ...creds, endpoint: hangUp.endpoint }));
        expect(err.code).toBe('REMOTE_UNREACHABLE');
        expect(err.message).toMatch(new RegExp(`^cannot reach ${hangUp.endpoint.replace(/[.]/g, '\\.')}: .*(closed|hang up)`));
      } finally {
        await hangUp.close();
      }
    });

    it('answers TIMEOUT within the bound when a server accepts and never answers', async () => {
      const silent = await startSilentServer();
      try {
        const started = Date.now();
        const err = await failure(rpc.call(ListBuckets, { ...creds, endpoint: silent.endpoint }));
        const ms = Date.now() - started;
        expect(err.code).toBe('TIMEOUT');
        expect(err.message).toMatch(new RegExp(`did not answer ListBuckets within ${REQUEST_TIMEOUT_MS} ms`));
        expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
        expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
        expect(silent.connections()).toBe(1);
      } finally {
        await silent.close();
      }
    }, 15_000);

    it('answers TLS_ERROR for a self-signed certificate', async () => {
      const tls = await startSelfSignedTlsServer();
      try {
        const err = await failure(rpc.call(ListBuckets, { ...creds, endpoint: tls.endpoint }));
        expect(err.code).toBe('TLS_ERROR');
        expect(err.message).toMatch(/self-signed and not trusted/);
      } finally {
        await tls.close();
      }
    });

    it('answers REMOTE_ERROR saying the endpoint does not look like S3 for a web page', async () => {
      const web = await startWebServer(200, 'text/html; charset=utf-8', '<!doctype html><html><body><h1>Welcome</h1></body></html>');
      const notFound = await startWebServer(404, 'text/plain', 'Not Found');
      try {
        for (const endpoint of [web.endpoint, notFound.endpoint]) {
          const err = await failure(rpc.call(ListBuckets, { ...creds, endpoint }));
          expect(err.code).toBe('REMOTE_ERROR');
          expect(err.message).toMatch(new RegExp(`^${endpoint.replace(/[.]/g, '\\.')} does not look like an S3 storage`));
        }
      } finally {
        await web.close();
        await notFound.close();
      }
    });
  });

  describe('hostile remotes', () => {
    const creds = { apiKey: 'AKSOMETHING', apiSecret: 'some-secret-value', region: 'us-east-1' };
    const MiB = 1024 * 1024;

    it('cuts off a ListBuckets answer past the byte bound (chunked, generated without end) while other calls go on', async () => {
      const huge = await startHugeListingServer(256 * MiB);
      try {
        const hostile = timed(failure(rpc.call(ListBuckets, { ...creds, endpoint: huge.endpoint })));
        const normal = timed(rpc.call(ListBuckets, { ...rgw, bucketsRegexp: `^${prefix}-a$` }));
        const [bad, good] = await Promise.all([hostile, normal]);
        expect(bad.value.code).toBe('REMOTE_ERROR');
        expect(bad.value.message).toBe(
          `${huge.endpoint} does not look like an S3 storage: its answer to ListBuckets is larger than ${MAX_RESPONSE_BYTES} bytes, which is no S3 ListBuckets reply (the rest was not read)`,
        );
        expect(bad.value.details).toMatchObject({ notS3: true, maxBytes: MAX_RESPONSE_BYTES });
        expect(bad.ms).toBeLessThan(3_000);
        expect(good.value.buckets.filter((b) => b.selected).map((b) => b.name)).toEqual([`${prefix}-a`]);
        expect(good.ms).toBeLessThan(3_000);
        // The connection was closed soon after the bound: far from all of it was sent.
        await huge.finished();
        expect(huge.sent()).toBeLessThan(MAX_RESPONSE_BYTES + 16 * MiB);
      } finally {
        await huge.close();
      }
    }, 15_000);

    it('refuses at once an answer that announces a Content-Length past the bound', async () => {
      const huge = await startHugeListingServer(300 * MiB, { announce: true });
      try {
        const { value: err, ms } = await timed(failure(rpc.call(CheckCredentials, { ...creds, endpoint: huge.endpoint })));
        expect(err.code).toBe('REMOTE_ERROR');
        expect(err.message).toMatch(new RegExp(`answer to ListBuckets is larger than ${MAX_RESPONSE_BYTES} bytes`));
        expect(ms).toBeLessThan(2_000);
        await huge.finished();
        expect(huge.sent()).toBeLessThan(MAX_RESPONSE_BYTES);
      } finally {
        await huge.close();
      }
    }, 15_000);

    it('answers REMOTE_ERROR "does not look like an S3 storage" when the port does not speak HTTP', async () => {
      const ssh = await startBannerServer('SSH-2.0-x\r\n');
      const before = logLines.length;
      try {
        for (const call of [
          () => rpc.call(ListBuckets, { ...creds, endpoint: ssh.endpoint }),
          () => rpc.call(CheckCredentials, { ...creds, endpoint: ssh.endpoint, buckets: ['some-bucket'] }),
          () => rpc.call(CreateBucket, { ...creds, endpoint: ssh.endpoint, bucket: 'some-bucket' }),
        ]) {
          const err = await failure(call());
          expect(err.code).toBe('REMOTE_ERROR');
          expect(err.message).toBe(`${ssh.endpoint} does not look like an S3 storage: what answered on that port does not speak HTTP (check the endpoint URL and port)`);
        }
        const logged = logLines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(logged.filter((e) => e.level === 50)).toEqual([]);
        expect(logged.filter((e) => e.outcome === 'REMOTE_ERROR')).toHaveLength(3);
      } finally {
        await ssh.close();
      }
    });
  });

  describe('validation', () => {
    it('refuses a regexp that does not compile with INVALID (caller side and service side)', async () => {
      const err = await failure(rpc.call(ListBuckets, { ...rgw, bucketsRegexp: 'cells-(' }));
      expect(err.code).toBe('INVALID');
      expect(err.message).toMatch(/bucketsRegexp/);

      // A caller that skips validation still gets INVALID from the service itself.
      const raw: ClientProxy = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [nats.url] } }) as ClientProxy;
      try {
        const reply = await firstValueFrom(raw.send(ListBuckets.subject, { ...rgw, bucketsRegexp: 'cells-(' })).catch((e: unknown) => e);
        expect(reply).toMatchObject({ code: 'INVALID', message: expect.stringMatching(/bucketsRegexp: bucketsRegexp does not compile/) });
        const missingKey = await firstValueFrom(raw.send(CheckCredentials.subject, { endpoint: s3.endpoint })).catch((e: unknown) => e);
        expect(missingKey).toMatchObject({ code: 'INVALID', message: expect.stringMatching(/apiKey/) });
      } finally {
        await raw.close();
      }
    });
  });

  it('logs every call with endpoint, op, outcome and duration, and never a secret', () => {
    const entries = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.op);
    expect(entries.length).toBeGreaterThan(10);
    for (const e of entries) expect(e).toMatchObject({ endpoint: expect.any(String), op: expect.any(String), outcome: expect.any(String), durationMs: expect.any(Number) });
    expect(entries.some((e) => e.outcome === 'ok' && e.op === 'ListBuckets' && e.endpoint === s3.endpoint)).toBe(true);
    expect(entries.some((e) => e.outcome === 'TIMEOUT')).toBe(true);
    expect(entries.filter((e) => e.outcome === 'INTERNAL')).toEqual([]);
    const all = logLines.join('\n');
    for (const secret of [s3.secretAccessKey, otherUser.apiSecret, 'wrong-secret-value', 'secret-of-the-denied-key', 'some-secret-value']) {
      expect(all).not.toContain(secret);
    }
  });
});
