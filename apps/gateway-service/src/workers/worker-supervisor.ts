import { BucketgateError, type WorkerConfig, type WorkerStatus } from '@bucketgate/contracts';
import type { Logger } from 'pino';
import type { WorkerLookup } from '../s3/s3.types.js';
import type { DatasourceCounters, Worker } from './worker.js';

/** One change of the datasource KV, reduced to what a gateway uses. */
export interface DatasourceChange {
  name: string;
  revision: number;
  operation: 'PUT' | 'DEL' | 'PURGE';
}

/** A running watch; stop() ends its iteration. */
export interface ChangeStream extends AsyncIterable<DatasourceChange> {
  stop(): void;
}

/** The supervisor's I/O seam: the datasource KV and the config service's resolve RPC. */
export interface DatasourceSource {
  /** Names that exist right now (not deleted). */
  keys(): Promise<string[]>;
  /** The last value of every key (delete markers included), then live changes. */
  watch(): Promise<ChangeStream>;
  /** Everything a worker needs, secrets decrypted (config.v1.datasource.resolve). */
  resolve(name: string): Promise<WorkerConfig>;
}

export type WorkerFactory = (cfg: WorkerConfig, counters: DatasourceCounters) => Worker;

export interface SupervisorOptions {
  /** First retry delay after a failed resolve or watch; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a stopped datasource stays listed in the status. */
  keepStoppedMs?: number;
}

interface Slot {
  name: string;
  /** Latest KV revision seen for the key. */
  wanted: number;
  /** KV revision whose resolve produced the current worker. */
  loadedFor: number;
  worker?: Worker;
  state: WorkerStatus['state'];
  error?: string;
  attempt: number;
  timer?: NodeJS.Timeout;
  busy: boolean;
  again: boolean;
  /** Resolved once, or failed for a reason other than unavailability (a retry will not change it soon). */
  settled: boolean;
  /** Bumped on delete so a resolve that was running cannot bring the worker back. */
  generation: number;
  stoppedAt?: number;
  counters: DatasourceCounters;
}

/**
 * Keeps one worker per datasource in step with the KV: start on put, reload in place on change, stop on
 * delete. A failed resolve (config service down) is retried with backoff while the old worker keeps serving.
 */
export class WorkerSupervisor implements WorkerLookup {
  private readonly slots = new Map<string, Slot>();
  private readonly byKey = new Map<string, Worker>();
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private readonly keepStopped: number;
  private stopped = false;
  private current?: ChangeStream;
  private wake?: () => void;
  private loop?: Promise<void>;
  /** The KV has been listed at least once: the supervisor knows which datasources exist. */
  private listed = false;
  /** Latched once the first load is done (see `started`). */
  private startupDone = false;
  /** Resolves once the first watch has been established (initial values are then flowing). */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly source: DatasourceSource,
    private readonly makeWorker: WorkerFactory,
    private readonly log: Logger,
    opts: SupervisorOptions = {},
  ) {
    this.minBackoff = opts.minBackoffMs ?? 250;
    this.maxBackoff = opts.maxBackoffMs ?? 10_000;
    this.keepStopped = opts.keepStoppedMs ?? 60_000;
    this.ready = new Promise((r) => (this.markReady = r));
  }

  byAccessKey(accessKeyId: string): Worker | undefined {
    return this.byKey.get(accessKeyId);
  }

  /**
   * True while a datasource the KV names has never been resolved and its resolve keeps failing for
   * unavailability (config service down), or before the KV could be listed at all: an unknown access key may
   * then belong to a datasource not loaded yet, so it is answered "retry" instead of "no such key".
   */
  loading(): boolean {
    if (!this.listed) return true;
    for (const slot of this.slots.values()) if (slot.state !== 'stopped' && !slot.settled) return true;
    return false;
  }

  /** The first load is done: the KV was listed and every datasource it named was resolved (or failed for good). */
  get started(): boolean {
    this.checkStarted();
    return this.startupDone;
  }

  private checkStarted(): void {
    if (!this.startupDone && !this.loading()) {
      this.startupDone = true;
      this.log.info({ datasources: this.slots.size }, 'all datasources loaded');
    }
  }

  start(): void {
    if (!this.loop) this.loop = this.watchLoop();
  }

  /** Re-list and re-watch from scratch (after a NATS reconnect: changes may have been missed). */
  rewatch(): void {
    if (this.stopped) return;
    this.log.info('re-watching datasources');
    this.current?.stop();
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.stop();
    this.wake?.();
    await this.loop;
    for (const slot of this.slots.values()) {
      clearTimeout(slot.timer);
      slot.generation++;
      slot.worker?.retire();
    }
    this.byKey.clear();
  }

  statuses(now = Date.now()): WorkerStatus[] {
    const out: WorkerStatus[] = [];
    for (const slot of this.slots.values()) {
      if (slot.state === 'stopped' && slot.stoppedAt !== undefined && now - slot.stoppedAt > this.keepStopped) {
        this.slots.delete(slot.name);
        continue;
      }
      const status: WorkerStatus = {
        name: slot.name,
        revision: slot.worker?.revision ?? slot.wanted,
        state: slot.state,
        inFlight: slot.counters.inFlight,
        requests: slot.counters.requests,
      };
      if (slot.error) status.error = slot.error;
      out.push(status);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Applies one KV change (the watch calls this; tests may too). */
  onChange(change: DatasourceChange): void {
    if (change.operation === 'PUT') this.onPut(change.name, change.revision);
    else this.onDelete(change.name);
  }

  private async watchLoop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        const live = new Set(await this.source.keys());
        for (const slot of this.slots.values()) {
          if (!live.has(slot.name) && slot.state !== 'stopped') this.onDelete(slot.name);
        }
        // Known to exist from now on, even before the watch delivers them (and if it never does).
        for (const name of live) {
          const slot = this.slots.get(name);
          if (!slot || slot.state === 'stopped') this.slot(name, true);
        }
        this.listed = true;
        this.checkStarted();
        const stream = await this.source.watch();
        if (this.stopped) {
          stream.stop();
          break;
        }
        this.current = stream;
        attempt = 0;
        this.markReady();
        for await (const change of stream) this.onChange(change);
        if (!this.stopped) this.log.warn('datasource watch ended; watching again');
      } catch (err) {
        if (this.stopped) break;
        this.log.warn({ err: (err as Error)?.message }, 'cannot watch datasources (NATS/JetStream down?); retrying');
        await this.sleep(this.backoff(attempt++));
        continue;
      } finally {
        this.current = undefined;
      }
      await this.sleep(this.minBackoff);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.maxBackoff, this.minBackoff * 2 ** Math.min(attempt, 16));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private slot(name: string, fresh = false): Slot {
    let slot = this.slots.get(name);
    if (!slot || (fresh && slot.state === 'stopped')) {
      const counters = slot?.counters ?? { inFlight: 0, requests: 0 };
      slot = { name, wanted: 0, loadedFor: 0, state: 'starting', settled: false, attempt: 0, busy: false, again: false, generation: (slot?.generation ?? 0) + 1, counters };
      this.slots.set(name, slot);
    }
    return slot;
  }

  private onPut(name: string, revision: number): void {
    const slot = this.slot(name);
    if (revision > slot.wanted || slot.state === 'stopped') slot.wanted = revision;
    if (slot.state === 'stopped') {
      slot.state = 'starting';
      slot.stoppedAt = undefined;
      slot.loadedFor = 0;
      slot.settled = false;
    }
    if (slot.worker && slot.loadedFor >= slot.wanted) return; // already serving this revision (e.g. a re-watch)
    clearTimeout(slot.timer);
    slot.attempt = 0;
    this.kick(slot);
  }

  private onDelete(name: string): void {
    const slot = this.slots.get(name);
    if (!slot || slot.state === 'stopped') return;
    slot.generation++;
    clearTimeout(slot.timer);
    const old = slot.worker;
    if (old) {
      if (this.byKey.get(old.accessKeyId) === old) this.byKey.delete(old.accessKeyId);
      old.retire();
    }
    slot.worker = undefined;
    slot.state = 'stopped';
    slot.error = undefined;
    slot.stoppedAt = Date.now();
    this.log.info({ datasource: name }, 'datasource deleted: worker stopped');
    this.checkStarted();
  }

  private kick(slot: Slot): void {
    if (this.stopped) return;
    if (slot.busy) {
      slot.again = true;
      return;
    }
    slot.busy = true;
    void this.resolveLoop(slot).finally(() => {
      slot.busy = false;
    });
  }

  private async resolveLoop(slot: Slot): Promise<void> {
    do {
      slot.again = false;
      const generation = slot.generation;
      const target = slot.wanted;
      let cfg: WorkerConfig;
      try {
        cfg = await this.source.resolve(slot.name);
        if (cfg.name !== slot.name) throw new Error(`resolve answered for "${cfg.name}", not "${slot.name}"`);
      } catch (err) {
        if (generation !== slot.generation || this.stopped) return;
        this.failed(slot, err);
        continue;
      }
      if (generation !== slot.generation || this.stopped) return;
      try {
        this.apply(slot, cfg, target);
      } catch (err) {
        this.failed(slot, err);
      }
    } while (slot.again && !this.stopped);
  }

  private failed(slot: Slot, err: unknown): void {
    const reason = (err as Error)?.message ?? String(err);
    const delay = this.backoff(slot.attempt++);
    slot.error = slot.worker ? `reload failed, serving revision ${slot.worker.revision}: ${reason}` : reason;
    slot.state = slot.worker ? 'serving' : 'error';
    if (!isUnavailable(err)) {
      slot.settled = true;
      this.checkStarted();
    }
    this.log.warn({ datasource: slot.name, reason, retryInMs: delay }, 'cannot resolve datasource; retrying');
    if (slot.again) return; // a newer change arrived meanwhile: the loop resolves again right away
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.kick(slot), delay);
  }

  /** Swaps the new worker in: new requests use it at once, running ones finish on the old one. */
  private apply(slot: Slot, cfg: WorkerConfig, kvRevision: number): void {
    const worker = this.makeWorker(cfg, slot.counters);
    const old = slot.worker;
    if (old && this.byKey.get(old.accessKeyId) === old) this.byKey.delete(old.accessKeyId);
    const clash = this.byKey.get(worker.accessKeyId);
    if (clash && clash.name !== slot.name) {
      this.log.error({ datasource: slot.name, other: clash.name }, 'two datasources share one issued access key; the newer wins');
    }
    this.byKey.set(worker.accessKeyId, worker);
    slot.worker = worker;
    slot.loadedFor = Math.max(kvRevision, slot.loadedFor);
    slot.state = 'serving';
    slot.settled = true;
    slot.error = undefined;
    slot.attempt = 0;
    old?.retire();
    this.checkStarted();
    this.log.info({ datasource: slot.name, revision: cfg.revision, reload: old !== undefined }, old ? 'worker reloaded' : 'worker started');
  }
}

/** The config service (or NATS) could not be reached: the datasource exists, it just cannot be resolved yet. */
export function isUnavailable(err: unknown): boolean {
  return err instanceof BucketgateError && err.code === 'UNAVAILABLE';
}
