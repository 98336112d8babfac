import { pino } from 'pino';
import { BucketgateError, CheckCredentials, CreateBucket, ListBuckets, parseOrThrow } from '@bucketgate/contracts';
import { REDACT_PATHS } from '@bucketgate/runtime';
import { toDiscoveryEnv } from '../config/env.js';
import type { HeadResult, RemoteBucket, RemoteSession, RemoteStorage } from './buckets.store.js';
import { BucketsService, containsSecret, scrubSecret, WITHHELD } from './buckets.service.js';

const SECRET = 'very-secret-value-42';
const remote = { apiKey: 'AKTEST', apiSecret: SECRET, endpoint: 'http://storage.test:9000' };
const denied = () => new BucketgateError('ACCESS_DENIED', 'http://storage.test:9000 denied ListBuckets (AccessDenied)', { status: 403, remoteCode: 'AccessDenied' });

interface Script {
  list?: () => Promise<RemoteBucket[]>;
  heads?: Record<string, HeadResult>;
  /** What HeadBucket of a bucket that surely does not exist answers. */
  probe?: HeadResult;
  create?: () => Promise<void>;
}

/** A typed fake of the one seam that talks to S3. */
class FakeStorage implements RemoteStorage {
  opened = 0;
  closed = 0;
  heads: string[] = [];
  signal: AbortSignal | undefined;
  constructor(private readonly script: Script) {}
  open(_remote: unknown, signal: AbortSignal): RemoteSession {
    this.opened++;
    this.signal = signal;
    const { script } = this;
    return {
      listBuckets: () => (script.list ? script.list() : Promise.resolve([])),
      headBucket: async (bucket) => {
        this.heads.push(bucket);
        if (bucket.startsWith('bucketgate-probe-')) return script.probe ?? { state: 'missing' };
        return script.heads?.[bucket] ?? { state: 'missing' };
      },
      createBucket: () => (script.create ? script.create() : Promise.resolve()),
      close: () => {
        this.closed++;
      },
    };
  }
}

function sut(script: Script, timeouts = { connectTimeoutMs: 3000, requestTimeoutMs: 10000 }) {
  const storage = new FakeStorage(script);
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const env = toDiscoveryEnv({ natsServers: [], ...timeouts });
  return { service: new BucketsService(storage, env, logger), storage, logs, env };
}

const list = (req: Record<string, unknown>) => parseOrThrow(ListBuckets.request, { ...remote, ...req });
const check = (req: Record<string, unknown>) => parseOrThrow(CheckCredentials.request, { ...remote, ...req });
const create = (req: Record<string, unknown>) => parseOrThrow(CreateBucket.request, { ...remote, ...req });
const day = new Date('2024-05-01T10:00:00.000Z');

describe(BucketsService.name, () => {
  describe('list', () => {
    const buckets = ['zeta', 'my-cells-1', 'cells-b', 'cells-a', 'other'].map((name) => ({ name, createdAt: day }));

    it('returns the buckets sorted by name with ISO dates, none selected without a selection', async () => {
      const { service, storage } = sut({ list: async () => buckets });
      const reply = await service.list(list({}));
      expect(reply.buckets.map((b) => b.name)).toEqual(['cells-a', 'cells-b', 'my-cells-1', 'other', 'zeta']);
      expect(reply.buckets.every((b) => b.selected === false && b.createdAt === '2024-05-01T10:00:00.000Z')).toBe(true);
      expect(storage.closed).toBe(1);
    });

    it('selects with an unanchored RE2 regexp', async () => {
      const { service } = sut({ list: async () => buckets });
      const reply = await service.list(list({ bucketsRegexp: 'cells' }));
      expect(reply.buckets.filter((b) => b.selected).map((b) => b.name)).toEqual(['cells-a', 'cells-b', 'my-cells-1']);
      const anchored = await service.list(list({ bucketsRegexp: '^cells-[ab]$' }));
      expect(anchored.buckets.filter((b) => b.selected).map((b) => b.name)).toEqual(['cells-a', 'cells-b']);
    });

    it('selects explicit names literally', async () => {
      const { service } = sut({ list: async () => [{ name: 'my.bucket' }, { name: 'myxbucket' }] });
      const reply = await service.list(list({ buckets: ['my.bucket'] }));
      expect(reply.buckets).toEqual([
        { name: 'my.bucket', createdAt: null, selected: true },
        { name: 'myxbucket', createdAt: null, selected: false },
      ]);
    });

    it('refuses both a regexp and names before asking the remote', async () => {
      const { service, storage } = sut({});
      await expect(service.list(list({ buckets: ['a1b'], bucketsRegexp: 'a' }))).rejects.toMatchObject({ code: 'INVALID' });
      expect(storage.opened).toBe(0);
    });

    it('says the credentials are valid but lack s3:ListAllMyBuckets when listing is denied and a lookup is not', async () => {
      const { service } = sut({ list: async () => { throw denied(); }, probe: { state: 'missing' } });
      const err = await service.list(list({ bucketsRegexp: '.*' })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ACCESS_DENIED', details: { missingPermission: 's3:ListAllMyBuckets', remoteCode: 'AccessDenied' } });
      expect((err as Error).message).toMatch(/credentials are valid .*s3:ListAllMyBuckets.*typed bucket names still work/);
    });

    it('says the credentials are refused when even a lookup of a missing bucket is denied', async () => {
      const { service } = sut({ list: async () => { throw denied(); }, probe: { state: 'forbidden' } });
      const err = await service.list(list({})).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_CREDENTIALS', details: { remoteCode: 'AccessDenied', status: 403 } });
      expect((err as Error).message).toMatch(/refused the credentials: it answered AccessDenied .*access key or the secret is wrong/);
    });

    it('passes other remote errors through with their code', async () => {
      const unreachable = new BucketgateError('REMOTE_UNREACHABLE', 'cannot reach http://storage.test:9000: connection refused');
      const { service, storage } = sut({ list: async () => { throw unreachable; } });
      await expect(service.list(list({}))).rejects.toBe(unreachable);
      expect(storage.closed).toBe(1);
    });
  });

  describe('check', () => {
    it('reports a listable remote and the named buckets that do not exist', async () => {
      const { service, storage } = sut({ list: async () => [{ name: 'owned-a' }], heads: { 'shared-b': { state: 'found' }, 'gone-c': { state: 'missing' } } });
      await expect(service.check(check({ buckets: ['owned-a', 'shared-b', 'gone-c'] }))).resolves.toEqual({ canListBuckets: true, missingBuckets: ['gone-c'] });
      expect(storage.heads).toEqual(['shared-b', 'gone-c']); // listed buckets need no lookup
    });

    it('asks bucket by bucket when listing is denied', async () => {
      const { service } = sut({ list: async () => { throw denied(); }, heads: { 'there-a': { state: 'found' }, 'gone-b': { state: 'missing' } } });
      await expect(service.check(check({ buckets: ['there-a', 'gone-b'] }))).resolves.toEqual({ canListBuckets: false, missingBuckets: ['gone-b'] });
    });

    it('names the bucket the credentials may not use', async () => {
      const { service } = sut({ list: async () => { throw denied(); }, heads: { 'there-a': { state: 'found' }, 'private-b': { state: 'forbidden' } } });
      const err = await service.check(check({ buckets: ['there-a', 'private-b'] })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ACCESS_DENIED', details: { buckets: ['private-b'] } });
      expect((err as Error).message).toMatch(/denies access to bucket "private-b"/);
    });

    it('tells refused credentials from denied buckets when every named bucket is denied', async () => {
      const refused = sut({ list: async () => { throw denied(); }, heads: { 'private-a': { state: 'forbidden' } }, probe: { state: 'forbidden' } });
      await expect(refused.service.check(check({ buckets: ['private-a'] }))).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      const valid = sut({ list: async () => { throw denied(); }, heads: { 'private-a': { state: 'forbidden' } }, probe: { state: 'missing' } });
      await expect(valid.service.check(check({ buckets: ['private-a'] }))).rejects.toMatchObject({ code: 'ACCESS_DENIED', details: { buckets: ['private-a'] } });
    });

    it('without bucket names, a denied listing is ACCESS_DENIED that says typed names still work', async () => {
      const { service } = sut({ list: async () => { throw denied(); } });
      await expect(service.check(check({}))).rejects.toMatchObject({ code: 'ACCESS_DENIED', message: expect.stringMatching(/s3:ListAllMyBuckets.*typed bucket names still work/) });
    });

    it('refuses names that are not bucket names before asking the remote', async () => {
      const { service, storage } = sut({});
      await expect(service.check(check({ buckets: ['ok-name', '../etc'] }))).rejects.toMatchObject({ code: 'INVALID', details: { invalid: ['../etc'] } });
      expect(storage.opened).toBe(0);
    });
  });

  describe('create', () => {
    it('creates and confirms', async () => {
      const { service } = sut({});
      await expect(service.create(create({ bucket: 'new-bucket' }))).resolves.toEqual({ name: 'new-bucket', created: true });
    });

    it('answers CONFLICT without creating when the bucket exists and is the account\'s own', async () => {
      let creates = 0;
      const { service, storage } = sut({ heads: { 'mine-already': { state: 'found' } }, list: async () => [{ name: 'mine-already' }], create: async () => void creates++ });
      await expect(service.create(create({ bucket: 'mine-already' }))).rejects.toMatchObject({
        code: 'CONFLICT',
        message: 'bucket "mine-already" already exists on http://storage.test:9000 and is yours; nothing was created',
        details: { bucket: 'mine-already', owned: true },
      });
      expect(creates).toBe(0);
      expect(storage.heads).toEqual(['mine-already']);
    });

    it('answers CONFLICT for a bucket the credentials reach but another account owns, or when listing is denied', async () => {
      const shared = sut({ heads: { shared: { state: 'found' } }, list: async () => [] });
      await expect(shared.service.create(create({ bucket: 'shared' }))).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already exists .* another account owns it/) });
      const unlisted = sut({ heads: { shared: { state: 'found' } }, list: async () => { throw denied(); } });
      await expect(unlisted.service.create(create({ bucket: 'shared' }))).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already exists .* can already use it; nothing was created$/) });
    });

    it('creates when HeadBucket says missing, and lets the store answer for a forbidden name', async () => {
      let creates = 0;
      const { service } = sut({ heads: { taken: { state: 'forbidden' } }, create: async () => void creates++ });
      await expect(service.create(create({ bucket: 'fresh' }))).resolves.toEqual({ name: 'fresh', created: true });
      await expect(service.create(create({ bucket: 'taken' }))).resolves.toEqual({ name: 'taken', created: true });
      expect(creates).toBe(2);
    });

    it('refuses a name S3 would refuse, without asking the remote', async () => {
      const { service, storage } = sut({});
      await expect(service.create(create({ bucket: 'Upper_Case' }))).rejects.toMatchObject({ code: 'INVALID', message: expect.stringMatching(/lowercase/) });
      expect(storage.opened).toBe(0);
    });

    it('turns a denied create with refused credentials into INVALID_CREDENTIALS', async () => {
      const { service } = sut({ create: async () => { throw denied(); }, probe: { state: 'forbidden' } });
      await expect(service.create(create({ bucket: 'new-bucket' }))).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    });

    it('keeps ACCESS_DENIED when the credentials work but may not create', async () => {
      const { service } = sut({ create: async () => { throw denied(); }, probe: { state: 'missing' } });
      await expect(service.create(create({ bucket: 'new-bucket' }))).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    });
  });

  describe('bounds, logs and secrets', () => {
    it('answers TIMEOUT at the call deadline even when the remote never answers, and aborts and closes the session', async () => {
      const { service, storage, env } = sut({ list: () => new Promise<never>(() => {}) }, { connectTimeoutMs: 100, requestTimeoutMs: 100 });
      expect(env.callDeadlineMs).toBe(1200);
      const started = Date.now();
      const err = await service.list(list({})).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(err).toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/did not finish ListBuckets within 1200 ms/) });
      expect(storage.signal?.aborted).toBe(true);
      expect(storage.closed).toBe(1);
    });

    it('caps the call deadline below the time callers wait', () => {
      expect(toDiscoveryEnv({ natsServers: [], connectTimeoutMs: 3000, requestTimeoutMs: 10000 }).callDeadlineMs).toBe(14_000);
      expect(toDiscoveryEnv({ natsServers: [], connectTimeoutMs: 30_000, requestTimeoutMs: 60_000 }).callDeadlineMs).toBe(14_000);
    });

    it('logs endpoint, op, outcome and duration of each call, never the secret', async () => {
      const { service, logs } = sut({ list: async () => { throw new BucketgateError('REMOTE_ERROR', `echo ${SECRET}`, { body: `x ${SECRET} y` }); } });
      await service.list(list({})).catch(() => undefined);
      const ok = sut({ list: async () => [] });
      await ok.service.list(list({}));
      const entries = [...logs, ...ok.logs];
      expect(entries).toEqual([
        expect.objectContaining({ op: 'ListBuckets', endpoint: 'http://storage.test:9000', outcome: 'REMOTE_ERROR', durationMs: expect.any(Number) }),
        expect.objectContaining({ op: 'ListBuckets', endpoint: 'http://storage.test:9000', outcome: 'ok', durationMs: expect.any(Number) }),
      ]);
      expect(JSON.stringify(entries)).not.toContain(SECRET);
    });

    it('never lets the secret out in an error, even when the remote echoes it', async () => {
      const { service } = sut({ list: async () => { throw new BucketgateError('REMOTE_ERROR', `bad header ${SECRET}`, { body: `x ${SECRET} y` }); } });
      const err = (await service.list(list({})).catch((e: unknown) => e)) as BucketgateError;
      expect(err.code).toBe('REMOTE_ERROR');
      expect(err.message).toBe(`http://storage.test:9000 answered ListBuckets with an error (${WITHHELD})`);
      expect(err.details).toEqual({ body: '[withheld]' });
      expect(JSON.stringify(err.toBody())).not.toContain(SECRET);
    });
  });

  describe('secret scrubbing', () => {
    const secret = 'h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==';
    const where = { endpoint: 'http://storage.test:9000', op: 'ListBuckets' };
    const echoed = (text: string) => new BucketgateError('REMOTE_ERROR', `http://storage.test:9000 answered ListBuckets with an error (Weird: ${text}, HTTP 400)`, { status: 400, remoteCode: 'Weird' }, { cause: new Error(text) });

    it.each([
      ['the whole secret', secret],
      ['the secret URL-encoded', encodeURIComponent(secret)],
      ['the secret URL-encoded with lower-case escapes', encodeURIComponent(secret).replace(/%2F/g, '%2f')],
      ['the secret lower-cased', secret.toLowerCase()],
      ['the secret upper-cased', secret.toUpperCase()],
      ['a 16-character piece of it', `signature over ${secret.slice(20, 36)} failed`],
      ['an 8-character piece of it', `key ...${secret.slice(30, 38)}...`],
      ['an 8-character piece of it, upper-cased', secret.slice(3, 11).toUpperCase()],
      ['a piece spanning the slash, URL-encoded', encodeURIComponent(secret.slice(18, 28))],
      ['the secret URL-encoded twice', encodeURIComponent(encodeURIComponent(secret))],
    ])('withholds a message holding %s', (_what, text) => {
      expect(containsSecret(text, secret)).toBe(true);
      const scrubbed = scrubSecret(echoed(text), secret, where) as BucketgateError;
      expect(scrubbed).toBeInstanceOf(BucketgateError);
      expect(scrubbed.code).toBe('REMOTE_ERROR');
      expect(scrubbed.message).toBe(`http://storage.test:9000 answered ListBuckets with an error (${WITHHELD})`);
      expect(scrubbed.details).toEqual({ status: 400, remoteCode: 'Weird' });
      expect(scrubbed.cause).toBeUndefined();
      expect(JSON.stringify(scrubbed.toBody()).toLowerCase()).not.toContain(secret.slice(20, 28).toLowerCase());
    });

    it('keeps a message with at most 7 characters of the secret in a row, unchanged', () => {
      const err = echoed(`${secret.slice(0, 7)} and ${secret.slice(10, 17)}`);
      expect(containsSecret(err.message, secret)).toBe(false);
      expect(scrubSecret(err, secret, where)).toBe(err);
    });

    it('replaces only the detail values that hold the secret', () => {
      const err = new BucketgateError('REMOTE_ERROR', 'plain words', { status: 400, echo: { header: `AWS4 ${secret.toLowerCase()}` }, list: ['ok', encodeURIComponent(secret)] });
      const scrubbed = scrubSecret(err, secret, where) as BucketgateError;
      expect(scrubbed.message).toBe('plain words');
      expect(scrubbed.details).toEqual({ status: 400, echo: { header: '[withheld]' }, list: ['ok', '[withheld]'] });
    });

    it('does not name an endpoint that itself holds the secret', () => {
      const scrubbed = scrubSecret(echoed(secret), secret, { endpoint: `http://u:${secret}@h`, op: 'ListBuckets' }) as BucketgateError;
      expect(scrubbed.message).toBe(`the remote answered ListBuckets with an error (${WITHHELD})`);
    });

    it('leaves errors alone for a secret too short to look for', () => {
      const err = echoed('abc');
      expect(scrubSecret(err, 'abc', where)).toBe(err);
    });
  });
});
