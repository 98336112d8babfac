import { KV as KV_NAMES, ResolveDatasource, type WorkerConfig } from '@bucketgate/contracts';
import type { RpcClient } from '@bucketgate/runtime';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ChangeStream, DatasourceChange, DatasourceSource } from './worker-supervisor.js';

/** Same options on every side, so whoever opens the bucket first creates it and the others just open it. */
export const DATASOURCES_KV_OPTIONS = { history: 10 } as const;

/** All I/O of the supervisor: the bg_datasources KV (keys, revisions, delete markers) and the resolve RPC. */
export class NatsDatasourceSource implements DatasourceSource {
  private kv?: KV;

  constructor(
    private readonly nc: NatsConnection,
    private readonly rpc: Pick<RpcClient, 'call'>,
    private readonly resolveTimeoutMs = 5_000,
  ) {}

  private async open(): Promise<KV> {
    if (!this.kv) this.kv = await new Kvm(this.nc).create(KV_NAMES.datasources, DATASOURCES_KV_OPTIONS);
    return this.kv;
  }

  async keys(): Promise<string[]> {
    try {
      const kv = await this.open();
      const out: string[] = [];
      for await (const k of await kv.keys()) out.push(k);
      return out;
    } catch (err) {
      this.kv = undefined; // re-open next time (e.g. JetStream restarted)
      throw err;
    }
  }

  async watch(): Promise<ChangeStream> {
    let iter: Awaited<ReturnType<KV['watch']>>;
    try {
      iter = await (await this.open()).watch();
    } catch (err) {
      this.kv = undefined;
      throw err;
    }
    return {
      stop: () => iter.stop(),
      async *[Symbol.asyncIterator](): AsyncIterator<DatasourceChange> {
        for await (const e of iter) yield { name: e.key, revision: e.revision, operation: e.operation };
      },
    };
  }

  resolve(name: string): Promise<WorkerConfig> {
    return this.rpc.call(ResolveDatasource, { name }, { timeoutMs: this.resolveTimeoutMs });
  }
}
