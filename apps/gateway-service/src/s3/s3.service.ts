import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { LOGGER } from '../config/config.module.js';
import { GATEWAY_ENV, type GatewayEnv } from '../config/env.js';
import { WorkersService } from '../workers/workers.service.js';
import { S3HttpServer } from './s3.server.js';

/** Owns the S3 port: listens on boot, drains running requests on shutdown. */
@Injectable()
export class S3Service implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server: S3HttpServer;

  constructor(
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(WorkersService) workers: WorkersService,
  ) {
    this.server = new S3HttpServer({
      workers,
      settings: { domain: env.domain, publicUrl: env.publicUrl, clientIdleTimeoutMs: env.clientIdleTimeoutMs },
      headersTimeoutMs: env.headersTimeoutMs,
      log: log.child({ component: 's3' }),
      health: () => {
        const statuses = workers.workerStatuses();
        return {
          // "starting" (HTTP 503) until the KV was listed and every datasource in it resolved once
          status: workers.started() ? 'ok' : 'starting',
          instanceId: env.instanceId,
          nats: workers.natsState(),
          workers: statuses.length,
          serving: statuses.filter((w) => w.state === 'serving').length,
        };
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const addr = await this.server.listen(this.env.port, this.env.host);
    this.log.info({ host: addr.address, port: addr.port, publicUrl: this.env.publicUrl }, 'S3 gateway listening');
  }

  address(): AddressInfo | null {
    return this.server.address();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.server.close();
  }
}
