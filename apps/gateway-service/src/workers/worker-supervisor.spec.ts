import { BucketgateError, type WorkerConfig } from '@bucketgate/contracts';
import { FakeRemote, silentLog, workerConfig } from '../testing/fakes.js';
import { Worker } from './worker.js';
import { WorkerSupervisor, type ChangeStream, type DatasourceChange, type DatasourceSource } from './worker-supervisor.js';

/** The KV + resolve seam, driven by the test. */
class FakeSource implements DatasourceSource {
  live = new Set<string>();
  configs = new Map<string, WorkerConfig>();
  down = false;
  /** Fails resolve the way the RPC client does when the config service does not answer. */
  unavailable = false;
  /** keys() fails (NATS down). */
  kvDown = false;
  resolves = 0;
  private pending?: (c: DatasourceChange | null) => void;
  private queue: Array<DatasourceChange | null> = [];
  watches = 0;
  /** Delays resolve until this promise settles (to interleave a delete). */
  gate?: Promise<void>;

  async keys() {
    if (this.kvDown) throw new Error('NATS down');
    return [...this.live];
  }
  async watch(): Promise<ChangeStream> {
    this.watches++;
    this.queue = [...this.live].map((name) => ({ name, revision: this.configs.get(name)?.revision ?? 1, operation: 'PUT' as const }));
    const self = this;
    return {
      stop: () => self.push(null),
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = self.queue.shift() ?? (await new Promise<DatasourceChange | null>((r) => (self.pending = r)));
          if (next === null) return;
          yield next;
        }
      },
    };
  }
  push(c: DatasourceChange | null) {
    if (this.pending) {
      const p = this.pending;
      this.pending = undefined;
      p(c);
    } else this.queue.push(c);
  }
  async resolve(name: string): Promise<WorkerConfig> {
    this.resolves++;
    if (this.gate) await this.gate;
    if (this.down) throw new Error('config unreachable');
    if (this.unavailable) throw new BucketgateError('UNAVAILABLE', 'no service answers config.v1.datasource.resolve');
    const cfg = this.configs.get(name);
    if (!cfg) throw new Error(`no ${name}`);
    return cfg;
  }
  /** The config service's write: record + KV put. */
  put(cfg: WorkerConfig) {
    this.configs.set(cfg.name, cfg);
    this.live.add(cfg.name);
    this.push({ name: cfg.name, revision: cfg.revision, operation: 'PUT' });
  }
  del(name: string) {
    this.live.delete(name);
    this.push({ name, revision: 99, operation: 'DEL' });
  }
}

const until = async (what: string, cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe(WorkerSupervisor.name, () => {
  let source: FakeSource;
  let sup: WorkerSupervisor;
  const remotes: FakeRemote[] = [];

  beforeEach(() => {
    source = new FakeSource();
    remotes.length = 0;
    sup = new WorkerSupervisor(
      source,
      (cfg, counters) => {
        const remote = new FakeRemote();
        remotes.push(remote);
        return new Worker(cfg, { maxInflight: 4, remoteTimeoutMs: 1000 }, counters, () => remote);
      },
      silentLog,
      { minBackoffMs: 10, maxBackoffMs: 40, keepStoppedMs: 50 },
    );
  });
  afterEach(() => sup.stop());

  it('starts a worker for every datasource present, and for new ones as they come', async () => {
    source.configs.set('ds1', workerConfig({ name: 'ds1', revision: 1 }));
    source.live.add('ds1');
    sup.start();
    await until('ds1 served', () => !!sup.byAccessKey('BGKEY1'));
    source.put(workerConfig({ name: 'ds2', revision: 2, issued: { accessKeyId: 'BGKEY2', secretAccessKey: 's2' } }));
    await until('ds2 served', () => !!sup.byAccessKey('BGKEY2'));
    expect(sup.byAccessKey('BGKEY2')!.name).toBe('ds2');
    expect(sup.statuses()).toEqual([
      { name: 'ds1', revision: 1, state: 'serving', inFlight: 0, requests: 0 },
      { name: 'ds2', revision: 2, state: 'serving', inFlight: 0, requests: 0 },
    ]);
  });

  it('reloads in place: new requests get the new worker, running ones finish on the old', async () => {
    sup.start();
    source.put(workerConfig({ revision: 1 }));
    await until('served', () => !!sup.byAccessKey('BGKEY1'));
    const old = sup.byAccessKey('BGKEY1')!;
    const running = old.tryAcquire()!;
    source.put(workerConfig({ revision: 2, readOnly: true, issued: { accessKeyId: 'BGKEY1B', secretAccessKey: 'new' } }));
    await until('reloaded', () => !!sup.byAccessKey('BGKEY1B'));
    expect(sup.byAccessKey('BGKEY1')).toBeUndefined();
    const fresh = sup.byAccessKey('BGKEY1B')!;
    expect(fresh.readOnly).toBe(true);
    expect(old.retired).toBe(true);
    expect(remotes[0]!.closed).toBe(0); // a request still runs on it
    expect(fresh.counters.inFlight).toBe(1); // counters are per datasource, shared across the reload
    running();
    expect(remotes[0]!.closed).toBe(1);
    expect(fresh.counters.inFlight).toBe(0);
  });

  it('keeps the old worker serving while resolve fails, retries, then applies the change', async () => {
    sup.start();
    source.put(workerConfig({ revision: 1 }));
    await until('served', () => !!sup.byAccessKey('BGKEY1'));
    source.down = true;
    const calls = source.resolves;
    source.put(workerConfig({ revision: 2, buckets: ['gamma'] }));
    await until('retried', () => source.resolves >= calls + 3);
    expect(sup.byAccessKey('BGKEY1')!.matches('alpha')).toBe(true);
    expect(sup.statuses()[0]).toMatchObject({ state: 'serving', revision: 1, error: expect.stringContaining('config unreachable') });
    source.down = false;
    await until('applied', () => sup.byAccessKey('BGKEY1')!.matches('gamma'));
    expect(sup.statuses()[0]!.error).toBeUndefined();
  });

  it('reports an error (and serves nothing) when a new datasource cannot be resolved yet', async () => {
    source.down = true;
    sup.start();
    source.put(workerConfig({ revision: 1 }));
    await until('failed', () => sup.statuses()[0]?.state === 'error');
    expect(sup.byAccessKey('BGKEY1')).toBeUndefined();
    source.down = false;
    await until('recovered', () => !!sup.byAccessKey('BGKEY1'));
  });

  it('is loading (and not started) until every datasource of the KV resolved once while config is unavailable', async () => {
    source.configs.set('ds1', workerConfig({ name: 'ds1', revision: 1 }));
    source.live.add('ds1');
    source.configs.set('ds2', workerConfig({ name: 'ds2', revision: 2, issued: { accessKeyId: 'BGKEY2', secretAccessKey: 's2' } }));
    source.live.add('ds2');
    source.unavailable = true;
    expect(sup.loading()).toBe(true); // nothing listed yet
    sup.start();
    await until('resolve tried a few times', () => source.resolves >= 4);
    expect(sup.loading()).toBe(true);
    expect(sup.started).toBe(false);
    expect(sup.statuses().map((s) => s.state)).toEqual(['error', 'error']);
    source.unavailable = false;
    await until('both served', () => !!sup.byAccessKey('BGKEY1') && !!sup.byAccessKey('BGKEY2'), 3000);
    expect(sup.loading()).toBe(false);
    expect(sup.started).toBe(true);
    // later, a new datasource that cannot be resolved yet makes unknown keys retryable again, but start-up stays done
    source.unavailable = true;
    source.put(workerConfig({ name: 'ds3', revision: 3, issued: { accessKeyId: 'BGKEY3', secretAccessKey: 's3' } }));
    await until('ds3 tried', () => sup.statuses().find((s) => s.name === 'ds3')?.state === 'error');
    expect(sup.loading()).toBe(true);
    expect(sup.started).toBe(true);
    source.del('ds3');
    await until('ds3 stopped', () => !sup.loading());
  });

  it('is loading while the KV cannot be listed at all', async () => {
    source.kvDown = true;
    sup.start();
    await new Promise((r) => setTimeout(r, 30));
    expect(sup.loading()).toBe(true);
    expect(sup.started).toBe(false);
    source.kvDown = false;
    await until('listed (empty KV)', () => !sup.loading(), 3000);
    expect(sup.started).toBe(true);
  });

  it('settles a datasource whose resolve fails for a reason other than unavailability', async () => {
    source.live.add('ghost'); // in the KV, but the config service says it does not exist
    sup.start();
    await until('ghost failed', () => sup.statuses()[0]?.state === 'error');
    expect(sup.loading()).toBe(false);
    expect(sup.started).toBe(true);
  });

  it('stops a deleted datasource: its key is refused, its connections closed', async () => {
    sup.start();
    source.put(workerConfig({ revision: 1 }));
    await until('served', () => !!sup.byAccessKey('BGKEY1'));
    source.del('ds1');
    await until('stopped', () => !sup.byAccessKey('BGKEY1'));
    expect(sup.statuses()[0]).toMatchObject({ name: 'ds1', state: 'stopped' });
    expect(remotes[0]!.closed).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(sup.statuses()).toEqual([]);
  });

  it('does not bring a worker back when the delete lands while its resolve runs', async () => {
    sup.start();
    let open!: () => void;
    source.gate = new Promise<void>((r) => (open = r));
    source.put(workerConfig({ revision: 1 }));
    await until('resolving', () => source.resolves === 1);
    source.del('ds1');
    await until('stopped', () => sup.statuses()[0]?.state === 'stopped');
    open();
    await new Promise((r) => setTimeout(r, 30));
    expect(sup.byAccessKey('BGKEY1')).toBeUndefined();
  });

  it('on re-watch, stops what vanished meanwhile and does not reload what did not change', async () => {
    sup.start();
    source.put(workerConfig({ name: 'ds1', revision: 1 }));
    source.put(workerConfig({ name: 'ds2', revision: 2, issued: { accessKeyId: 'BGKEY2', secretAccessKey: 's' } }));
    await until('both served', () => !!sup.byAccessKey('BGKEY1') && !!sup.byAccessKey('BGKEY2'));
    const resolves = source.resolves;
    const ds1 = sup.byAccessKey('BGKEY1');
    source.live.delete('ds2'); // deleted while we were disconnected: no DEL event reached us
    sup.rewatch();
    await until('re-watched', () => source.watches === 2);
    await until('ds2 stopped', () => !sup.byAccessKey('BGKEY2'));
    await new Promise((r) => setTimeout(r, 30));
    expect(sup.byAccessKey('BGKEY1')).toBe(ds1);
    expect(source.resolves).toBe(resolves);
  });
});
