import { createBucketMatcher, type WorkerConfig } from '@bucketgate/contracts';
import { RemoteClient, type RemoteClientConfig } from '../remote/remote-client.js';

/** Counters per datasource; shared by the successive workers of one datasource so a reload keeps them. */
export interface DatasourceCounters {
  inFlight: number;
  requests: number;
}

export interface WorkerOptions {
  maxInflight: number;
  remoteTimeoutMs: number;
}

/** The onward-request seam (a test can hand in a fake remote). */
export interface RemoteLike {
  send: RemoteClient['send'];
  regionFor(bucket?: string): string;
  busySockets(): number;
  close(): void;
}
export type RemoteFactory = (cfg: RemoteClientConfig) => RemoteLike;

/**
 * One datasource's worker: its bucket matcher, its issued credentials, its onward client to the remote and its
 * concurrency limit. Immutable: a datasource change builds a new Worker and swaps it in; requests that hold the
 * old one finish on the old settings, then the old one's connections are closed.
 */
export class Worker {
  readonly name: string;
  readonly revision: number;
  readonly accessKeyId: string;
  readonly readOnly: boolean;
  /** The explicit bucket list, when the selection is one (null for a regexp selection). */
  readonly explicitBuckets: readonly string[] | null;
  readonly remote: RemoteLike;
  readonly #issuedSecret: string;
  readonly #matches: (bucket: string) => boolean;
  #own = 0;
  #retired = false;

  constructor(
    cfg: WorkerConfig,
    private readonly opts: WorkerOptions,
    readonly counters: DatasourceCounters,
    remoteFactory: RemoteFactory = (c) => new RemoteClient(c),
  ) {
    this.name = cfg.name;
    this.revision = cfg.revision;
    this.accessKeyId = cfg.issued.accessKeyId;
    this.#issuedSecret = cfg.issued.secretAccessKey;
    this.readOnly = cfg.readOnly;
    this.explicitBuckets = cfg.bucketsRegexp ? null : (cfg.buckets ?? []);
    this.#matches = cfg.bucketsRegexp
      ? createBucketMatcher({ bucketsRegexp: cfg.bucketsRegexp })
      : createBucketMatcher({ buckets: cfg.buckets ?? [] });
    this.remote = remoteFactory({
      endpoint: cfg.endpoint,
      region: cfg.region,
      pathStyle: cfg.pathStyle,
      accessKeyId: cfg.remote.accessKeyId,
      secretAccessKey: cfg.remote.secretAccessKey,
      timeoutMs: opts.remoteTimeoutMs,
      maxSockets: opts.maxInflight,
    });
  }

  /** The issued secret that client signatures are checked against (a getter: never serialized or logged). */
  get issuedSecret(): string {
    return this.#issuedSecret;
  }

  matches(bucket: string): boolean {
    return this.#matches(bucket);
  }

  /** Takes a concurrency slot of the datasource; undefined when GATEWAY_MAX_INFLIGHT requests are running. */
  tryAcquire(): (() => void) | undefined {
    if (this.counters.inFlight >= this.opts.maxInflight) return undefined;
    this.counters.inFlight++;
    this.counters.requests++;
    this.#own++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.counters.inFlight--;
      this.#own--;
      if (this.#retired && this.#own === 0) this.remote.close();
    };
  }

  get inFlight(): number {
    return this.#own;
  }

  /** No new requests come here; connections close once the last running request is done. */
  retire(): void {
    if (this.#retired) return;
    this.#retired = true;
    if (this.#own === 0) this.remote.close();
  }

  get retired(): boolean {
    return this.#retired;
  }
}
