import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { GatewayStatus, WorkerStatus } from '@bucketgate/contracts';
import type { RpcClient } from '@bucketgate/runtime';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { LOGGER } from '../config/config.module.js';
import { GATEWAY_ENV, type GatewayEnv } from '../config/env.js';
import { NATS_CONNECTION, RPC_CLIENT } from '../nats/nats.module.js';
import type { WorkerLookup } from '../s3/s3.types.js';
import type { Worker } from './worker.js';
import { NatsDatasourceSource } from './datasources.store.js';
import { Heartbeat } from './heartbeat.js';
import { Worker as WorkerImpl } from './worker.js';
import { WorkerSupervisor } from './worker-supervisor.js';

/** Wires the supervisor to NATS: watch on boot, re-watch after a reconnect, heartbeat, stop on shutdown. */
@Injectable()
export class WorkersService implements WorkerLookup, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly supervisor: WorkerSupervisor;
  private readonly heartbeat: Heartbeat;
  private readonly startedAt = new Date().toISOString();
  private closing = false;
  /** Follows the connection's status events (isClosed() alone says nothing of an outage being reconnected). */
  private natsUp = true;

  constructor(
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(RPC_CLIENT) rpc: RpcClient,
  ) {
    const opts = { maxInflight: env.maxInflight, remoteTimeoutMs: env.remoteTimeoutMs };
    this.supervisor = new WorkerSupervisor(
      new NatsDatasourceSource(nc, rpc),
      (cfg, counters) => new WorkerImpl(cfg, opts, counters),
      log.child({ component: 'supervisor' }),
    );
    this.heartbeat = new Heartbeat(nc, env.instanceId, () => this.status(), log.child({ component: 'heartbeat' }));
  }

  byAccessKey(accessKeyId: string): Worker | undefined {
    return this.supervisor.byAccessKey(accessKeyId);
  }

  loading(): boolean {
    return this.supervisor.loading();
  }

  /** The first load of the datasources is done (health says "starting" until then). */
  started(): boolean {
    return this.supervisor.started;
  }

  workerStatuses(): WorkerStatus[] {
    return this.supervisor.statuses();
  }

  status(): GatewayStatus {
    return {
      instanceId: this.env.instanceId,
      endpoint: this.env.publicUrl,
      startedAt: this.startedAt,
      at: new Date().toISOString(),
      workers: this.workerStatuses(),
    };
  }

  /** The NATS connection as it is right now: connected, disconnected (reconnecting), or closed for good. */
  natsState(): 'connected' | 'disconnected' | 'closed' {
    if (this.nc.isClosed() || this.closing) return 'closed';
    return this.natsUp ? 'connected' : 'disconnected';
  }

  onApplicationBootstrap(): void {
    this.supervisor.start();
    this.heartbeat.start();
    void this.followConnection();
  }

  /** After NATS comes back, changes may have been missed: re-list and re-watch. */
  private async followConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'reconnect') {
        this.natsUp = true;
        this.log.info('NATS reconnected');
        this.supervisor.rewatch();
        void this.heartbeat.beat();
      } else if (s.type === 'disconnect' || s.type === 'reconnecting' || s.type === 'staleConnection') {
        if (!this.natsUp) continue;
        this.natsUp = false;
        this.log.warn('NATS disconnected; workers keep serving their last configuration');
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.heartbeat.stop();
    await this.supervisor.stop();
  }
}
