import { FakeRemote, workerConfig } from '../testing/fakes.js';
import { Worker } from './worker.js';

describe(Worker.name, () => {
  const make = (max = 2, over = {}) => {
    const remote = new FakeRemote();
    const worker = new Worker(workerConfig(over), { maxInflight: max, remoteTimeoutMs: 1000 }, { inFlight: 0, requests: 0 }, () => remote);
    return { worker, remote };
  };

  it('limits concurrent requests per datasource', () => {
    const { worker } = make(2);
    const a = worker.tryAcquire();
    const b = worker.tryAcquire();
    expect(a).toBeInstanceOf(Function);
    expect(b).toBeInstanceOf(Function);
    expect(worker.tryAcquire()).toBeUndefined();
    a!();
    a!(); // releasing twice frees one slot only
    expect(worker.counters).toEqual({ inFlight: 1, requests: 2 });
    expect(worker.tryAcquire()).toBeDefined();
  });

  it('closes its remote connections when retired, once idle', () => {
    const { worker, remote } = make();
    const r = worker.tryAcquire()!;
    worker.retire();
    expect(remote.closed).toBe(0);
    r();
    expect(remote.closed).toBe(1);
    const idle = make();
    idle.worker.retire();
    expect(idle.remote.closed).toBe(1);
  });

  it('never serializes the issued secret', () => {
    const { worker } = make();
    expect(worker.issuedSecret).toBe('issued-secret');
    expect(JSON.stringify({ ...worker })).not.toContain('issued-secret');
    expect(Object.keys(worker)).not.toContain('issuedSecret');
  });

  it('knows whether the selection is an explicit list', () => {
    expect(make(1).worker.explicitBuckets).toEqual(['alpha', 'beta']);
    expect(make(1, { buckets: null, bucketsRegexp: '^a' }).worker.explicitBuckets).toBeNull();
  });
});
