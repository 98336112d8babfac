import { KV as KV_NAMES, type GatewayStatus } from '@bucketgate/contracts';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

export const GATEWAYS_KV_OPTIONS = { history: 1, ttl: 15_000 } as const;
export const HEARTBEAT_INTERVAL_MS = 5_000;

/** Writes this instance's GatewayStatus to KV bg_gateways every few seconds (entries expire when we die). */
export class Heartbeat {
  private kv?: KV;
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly instanceId: string,
    private readonly status: () => GatewayStatus,
    private readonly log: Logger,
    private readonly intervalMs = HEARTBEAT_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  async beat(): Promise<void> {
    if (this.beating) return this.beating;
    this.beating = (async () => {
      try {
        if (!this.kv) this.kv = await new Kvm(this.nc).create(KV_NAMES.gateways, GATEWAYS_KV_OPTIONS);
        await this.kv.put(this.instanceId, JSON.stringify(this.status()));
      } catch (err) {
        this.kv = undefined;
        this.log.warn({ err: (err as Error)?.message }, 'heartbeat not written (NATS down?)');
      }
    })().finally(() => (this.beating = undefined));
    return this.beating;
  }

  /** Stops beating and removes this instance's entry so it disappears at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    try {
      if (this.kv && !this.nc.isClosed()) await this.kv.delete(this.instanceId);
    } catch {
      // the entry expires by itself
    }
  }
}
