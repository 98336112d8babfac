import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { BucketgateError, CreateDatasourceRequest, DatasourcePatch, parseOrThrow, type EventDef } from '@bucketgate/contracts';
import { REDACT_PATHS } from '@bucketgate/runtime';
import { pino } from 'pino';
import type { z } from 'zod';
import { Clock } from '../clock.js';
import { SecretBox } from '../crypto/secret-box.js';
import { ACCESS_KEY_ID_RE, SECRET_ACCESS_KEY_RE } from '../crypto/issued-credentials.js';
import {
  DiscoveryClient,
  type CheckCredentialsRequest,
  type CheckCredentialsResult,
  type CreateBucketResult,
  type ListBucketsResult,
} from '../discovery/discovery.client.js';
import type { StoredDatasource, StoredEntry } from './datasource.record.js';
import { toChange } from './datasources.input.js';
import { DatasourcesService } from './datasources.service.js';
import { DatasourcesStore, modifiedConcurrently } from './datasources.store.js';

/** In-memory KV with the same compare-and-set rules as JetStream KV. */
class FakeStore extends DatasourcesStore {
  readonly records = new Map<string, StoredEntry>();
  readonly events: { subject: string; payload: unknown; msgId: string }[] = [];
  seq = 0;
  failPublish = false;
  /** Runs inside update() before the revision check: lets a test slip in a concurrent write. */
  beforeUpdate?: () => void;

  async create(record: StoredDatasource): Promise<number> {
    if (this.records.has(record.name)) throw new BucketgateError('CONFLICT', `datasource "${record.name}" already exists`);
    const revision = ++this.seq;
    this.records.set(record.name, { record: structuredClone(record), revision });
    return revision;
  }
  async get(name: string): Promise<StoredEntry | null> {
    const e = this.records.get(name);
    return e ? structuredClone(e) : null;
  }
  async list(): Promise<StoredEntry[]> {
    return [...this.records.values()].map((e) => structuredClone(e));
  }
  async update(record: StoredDatasource, revision: number): Promise<number> {
    const hook = this.beforeUpdate;
    this.beforeUpdate = undefined;
    hook?.();
    if (this.records.get(record.name)?.revision !== revision) throw modifiedConcurrently(record.name, revision);
    const next = ++this.seq;
    this.records.set(record.name, { record: structuredClone(record), revision: next });
    return next;
  }
  async delete(name: string, revision: number): Promise<number | undefined> {
    if (this.records.get(name)?.revision !== revision) throw modifiedConcurrently(name, revision);
    this.records.delete(name);
    return ++this.seq;
  }
  async publish<P extends z.ZodType>(def: EventDef<P>, payload: z.input<P>, msgId: string): Promise<void> {
    if (this.failPublish) throw new BucketgateError('UNAVAILABLE', 'stream down');
    this.events.push({ subject: def.subject, payload, msgId });
  }
}

class FakeDiscovery extends DiscoveryClient {
  readonly checks: CheckCredentialsRequest[] = [];
  result: CheckCredentialsResult = { canListBuckets: true, missingBuckets: [] };
  error?: BucketgateError;
  async checkCredentials(req: CheckCredentialsRequest): Promise<CheckCredentialsResult> {
    this.checks.push(req);
    if (this.error) throw this.error;
    return this.result;
  }
  async listBuckets(): Promise<ListBucketsResult> {
    throw new Error('not used here');
  }
  async createBucket(): Promise<CreateBucketResult> {
    throw new Error('not used here');
  }
}

class FixedClock extends Clock {
  t = Date.parse('2026-01-02T03:04:05.000Z');
  now(): Date {
    return new Date(this.t);
  }
}

const REMOTE_SECRET = 'remote-secret-Zq8/+xyz';

function createRequest(overrides: Record<string, unknown> = {}): CreateDatasourceRequest {
  return parseOrThrow(CreateDatasourceRequest, {
    name: 'cells',
    apiKey: 'AKREMOTE',
    apiSecret: REMOTE_SECRET,
    endpoint: 'http://127.0.0.1:8000',
    buckets: ['alpha', 'beta'],
    ...overrides,
  });
}

function patch(raw: Record<string, unknown>) {
  return toChange(parseOrThrow(DatasourcePatch, raw), raw);
}

describe(DatasourcesService.name, () => {
  let store: FakeStore;
  let discovery: FakeDiscovery;
  let clock: FixedClock;
  let box: SecretBox;
  let logs: string;
  let sut: DatasourcesService;

  function build(withBox: SecretBox): DatasourcesService {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logs += String(chunk);
        cb();
      },
    });
    const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    return new DatasourcesService(store, discovery, withBox, clock, { gatewayPublicUrl: 'http://gw.test:9100' }, logger);
  }

  beforeEach(() => {
    store = new FakeStore();
    discovery = new FakeDiscovery();
    clock = new FixedClock();
    box = new SecretBox(randomBytes(32));
    logs = '';
    sut = build(box);
  });

  describe('create', () => {
    it('checks the remote, issues credentials once, stores secrets sealed and publishes created', async () => {
      const res = await sut.create(createRequest({ region: 'eu-west-1' }));

      expect(discovery.checks).toEqual([
        { apiKey: 'AKREMOTE', apiSecret: REMOTE_SECRET, endpoint: 'http://127.0.0.1:8000', region: 'eu-west-1', pathStyle: true, buckets: ['alpha', 'beta'] },
      ]);
      expect(res.credentials.accessKeyId).toMatch(ACCESS_KEY_ID_RE);
      expect(res.credentials.secretAccessKey).toMatch(SECRET_ACCESS_KEY_RE);
      expect(res.datasource).toEqual({
        name: 'cells',
        endpoint: 'http://127.0.0.1:8000',
        region: 'eu-west-1',
        pathStyle: true,
        readOnly: false,
        buckets: ['alpha', 'beta'],
        bucketsRegexp: null,
        apiKey: 'AKREMOTE',
        accessKeyId: res.credentials.accessKeyId,
        createdAt: '2026-01-02T03:04:05.000Z',
        updatedAt: '2026-01-02T03:04:05.000Z',
        revision: 1,
      });
      expect(res.gateway).toEqual({ endpoint: 'http://gw.test:9100' });

      const stored = JSON.stringify(store.records.get('cells'));
      expect(stored).not.toContain(REMOTE_SECRET);
      expect(stored).not.toContain(res.credentials.secretAccessKey);
      expect(store.events).toEqual([
        { subject: 'config.v1.datasource.created', payload: { name: 'cells', revision: 1, at: '2026-01-02T03:04:05.000Z' }, msgId: 'config.v1.datasource.created:cells:1' },
      ]);
      expect(logs).toContain('datasource created');
      expect(logs).not.toContain(REMOTE_SECRET);
      expect(logs).not.toContain(res.credentials.secretAccessKey);
    });

    it('saves without asking the remote when skipCheck is set', async () => {
      await sut.create(createRequest({ skipCheck: true }));
      expect(discovery.checks).toHaveLength(0);
      expect(store.records.has('cells')).toBe(true);
    });

    it('defaults to path-style for a custom endpoint and virtual-host style for AWS', async () => {
      expect((await sut.create(createRequest({ name: 'minio', skipCheck: true }))).datasource.pathStyle).toBe(true);
      const aws = await sut.create(createRequest({ name: 'aws', endpoint: '', skipCheck: true }));
      expect(aws.datasource).toMatchObject({ endpoint: null, pathStyle: false });
      expect((await sut.create(createRequest({ name: 'forced', pathStyle: false, skipCheck: true }))).datasource.pathStyle).toBe(false);
    });

    it('refuses a named bucket the remote does not have, naming it, and stores nothing', async () => {
      discovery.result = { canListBuckets: true, missingBuckets: ['beta'] };
      await expect(sut.create(createRequest())).rejects.toMatchObject({ code: 'INVALID', message: 'bucket "beta" does not exist on the remote storage' });
      expect(store.records.size).toBe(0);
      expect(store.events).toHaveLength(0);
    });

    it('accepts credentials that may not list buckets when the named buckets exist', async () => {
      discovery.result = { canListBuckets: false, missingBuckets: [] };
      await expect(sut.create(createRequest())).resolves.toMatchObject({ datasource: { name: 'cells' } });
    });

    it.each(['INVALID_CREDENTIALS', 'REMOTE_UNREACHABLE', 'TLS_ERROR', 'TIMEOUT', 'ACCESS_DENIED', 'UNAVAILABLE'] as const)(
      'passes a %s from the remote check through with its reason',
      async (code) => {
        discovery.error = new BucketgateError(code, `remote says: ${code}`);
        await expect(sut.create(createRequest())).rejects.toMatchObject({ code, message: `remote says: ${code}` });
        expect(store.records.size).toBe(0);
      },
    );

    it('refuses a duplicate name before asking the remote', async () => {
      await sut.create(createRequest({ skipCheck: true }));
      await expect(sut.create(createRequest())).rejects.toMatchObject({ code: 'CONFLICT', message: 'datasource "cells" already exists' });
      expect(discovery.checks).toHaveLength(0);
    });

    it('still succeeds when the event cannot be published (the KV write is the truth), and logs it', async () => {
      store.failPublish = true;
      await expect(sut.create(createRequest({ skipCheck: true }))).resolves.toBeDefined();
      expect(logs).toContain('could not publish datasource event');
    });
  });

  describe('views', () => {
    it('get and list never carry a secret', async () => {
      const { credentials } = await sut.create(createRequest({ skipCheck: true }));
      const text = JSON.stringify([await sut.get('cells'), await sut.list()]);
      expect(text).toContain('AKREMOTE');
      expect(text).not.toContain(REMOTE_SECRET);
      expect(text).not.toContain(credentials.secretAccessKey);
      expect(text).not.toMatch(/apiSecret|secretAccessKey/);
    });

    it('answers NOT_FOUND for an unknown datasource', async () => {
      await expect(sut.get('nope')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'datasource "nope" does not exist' });
    });
  });

  describe('update', () => {
    beforeEach(async () => {
      await sut.create(createRequest({ skipCheck: true }));
      clock.t += 60_000;
    });

    it('re-checks the remote with the new secret and stores it sealed', async () => {
      const view = await sut.update('cells', patch({ apiSecret: 'rotated-secret' }));
      expect(discovery.checks).toEqual([expect.objectContaining({ apiKey: 'AKREMOTE', apiSecret: 'rotated-secret', buckets: ['alpha', 'beta'] })]);
      expect(view.revision).toBe(2);
      expect(view.updatedAt).toBe('2026-01-02T03:05:05.000Z');
      expect((await sut.resolve('cells')).remote).toEqual({ accessKeyId: 'AKREMOTE', secretAccessKey: 'rotated-secret' });
      expect(JSON.stringify(store.records.get('cells'))).not.toContain('rotated-secret');
      expect(store.events.at(-1)).toMatchObject({ subject: 'config.v1.datasource.updated', payload: { name: 'cells', revision: 2 } });
    });

    it('re-checks a new endpoint with the stored (decrypted) secret', async () => {
      await sut.update('cells', patch({ endpoint: 'https://s3.example.com:9443' }));
      expect(discovery.checks).toEqual([expect.objectContaining({ endpoint: 'https://s3.example.com:9443', apiSecret: REMOTE_SECRET })]);
    });

    it('does not ask the remote when only readOnly changes', async () => {
      const view = await sut.update('cells', patch({ readOnly: true }));
      expect(view.readOnly).toBe(true);
      expect(discovery.checks).toHaveLength(0);
    });

    it('replaces an explicit list with a regexp (and back), clearing the other', async () => {
      expect(await sut.update('cells', patch({ bucketsRegexp: '^cells-', skipCheck: true }))).toMatchObject({ buckets: null, bucketsRegexp: '^cells-' });
      expect(await sut.update('cells', patch({ buckets: ['gamma'], skipCheck: true }))).toMatchObject({ buckets: ['gamma'], bucketsRegexp: null });
    });

    it('clears the endpoint (back to AWS) and the region when given as empty', async () => {
      await sut.update('cells', patch({ region: 'eu-west-1', skipCheck: true }));
      const view = await sut.update('cells', patch({ endpoint: '', region: null, skipCheck: true }));
      expect(view).toMatchObject({ endpoint: null, region: null, pathStyle: false });
    });

    it('keeps what a patch does not mention', async () => {
      const view = await sut.update('cells', patch({ region: 'us-west-2', skipCheck: true }));
      expect(view).toMatchObject({ endpoint: 'http://127.0.0.1:8000', region: 'us-west-2', pathStyle: true, buckets: ['alpha', 'beta'] });
    });

    it('writes nothing for an empty patch', async () => {
      const view = await sut.update('cells', patch({}));
      expect(view.revision).toBe(1);
      expect(store.events).toHaveLength(1);
    });

    it('refuses a stale expectedRevision without asking the remote', async () => {
      await sut.update('cells', patch({ readOnly: true }));
      await expect(sut.update('cells', patch({ apiSecret: 'x' }), 1)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/modified concurrently.*re-read/) });
      expect(discovery.checks).toHaveLength(0);
    });

    it('loses a race against a write that lands between its read and its write', async () => {
      store.beforeUpdate = () => {
        const e = store.records.get('cells')!;
        store.records.set('cells', { record: { ...e.record, readOnly: true }, revision: ++store.seq });
      };
      await expect(sut.update('cells', patch({ region: 'eu-west-1', skipCheck: true }))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(store.records.get('cells')!.record.region).toBeNull();
    });

    it('refuses a selection the remote does not have', async () => {
      discovery.result = { canListBuckets: true, missingBuckets: ['xx1', 'xx2'] };
      await expect(sut.update('cells', patch({ buckets: ['xx1', 'xx2'] }))).rejects.toMatchObject({
        code: 'INVALID',
        message: 'buckets "xx1", "xx2" do not exist on the remote storage',
        details: { missingBuckets: ['xx1', 'xx2'] },
      });
    });

    it('answers NOT_FOUND for an unknown datasource', async () => {
      await expect(sut.update('nope', patch({ readOnly: true }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('delete', () => {
    it('deletes, publishes deleted, and then the datasource is gone', async () => {
      await sut.create(createRequest({ skipCheck: true }));
      await expect(sut.delete('cells')).resolves.toEqual({ deleted: true });
      expect(store.events.at(-1)).toMatchObject({ subject: 'config.v1.datasource.deleted', payload: { name: 'cells' } });
      await expect(sut.get('cells')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(sut.delete('cells')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('refuses a stale expectedRevision', async () => {
      await sut.create(createRequest({ skipCheck: true }));
      await sut.update('cells', patch({ readOnly: true }));
      await expect(sut.delete('cells', 1)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(store.records.has('cells')).toBe(true);
    });
  });

  describe('reissue and resolve', () => {
    it('issues new credentials that replace the old ones', async () => {
      const created = await sut.create(createRequest({ skipCheck: true }));
      const again = await sut.reissue('cells');
      expect(again.credentials.accessKeyId).toMatch(ACCESS_KEY_ID_RE);
      expect(again.credentials.accessKeyId).not.toBe(created.credentials.accessKeyId);
      expect(again.credentials.secretAccessKey).not.toBe(created.credentials.secretAccessKey);
      expect(again.datasource).toMatchObject({ accessKeyId: again.credentials.accessKeyId, revision: 2 });
      expect((await sut.resolve('cells')).issued).toEqual(again.credentials);
      expect(logs).not.toContain(again.credentials.secretAccessKey);
    });

    it('resolves everything a gateway worker needs, decrypted', async () => {
      const { credentials } = await sut.create(createRequest({ skipCheck: true, readOnly: true }));
      expect(await sut.resolve('cells')).toEqual({
        name: 'cells',
        revision: 1,
        endpoint: 'http://127.0.0.1:8000',
        region: null,
        pathStyle: true,
        readOnly: true,
        buckets: ['alpha', 'beta'],
        bucketsRegexp: null,
        remote: { accessKeyId: 'AKREMOTE', secretAccessKey: REMOTE_SECRET },
        issued: credentials,
      });
    });

    it('reports a record sealed under another master key as INTERNAL naming the datasource', async () => {
      await sut.create(createRequest({ skipCheck: true }));
      const other = build(new SecretBox(randomBytes(32)));
      await expect(other.resolve('cells')).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('datasource "cells" cannot be decrypted') });
      await expect(other.get('cells')).resolves.toMatchObject({ name: 'cells' });
    });
  });
});
