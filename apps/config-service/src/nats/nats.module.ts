import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '@bucketgate/runtime';
import type { Logger } from 'pino';
import { CONFIG_ENV, type ConfigEnv } from '../config/env.js';
import { LOGGER } from '../logger.js';

/** DI token for the service's own NATS connection (KV, JetStream); reconnects forever. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

@Global()
@Module({
  providers: [
    {
      provide: NATS_CONNECTION,
      inject: [CONFIG_ENV, LOGGER],
      useFactory: async (env: ConfigEnv, logger: Logger): Promise<NatsConnection> => {
        const nc = await connectNats(env.natsServers, 'config-service');
        void (async () => {
          for await (const s of nc.status()) {
            if (s.type === 'disconnect') logger.warn({ server: s.server }, 'NATS disconnected; reconnecting');
            else if (s.type === 'reconnect') logger.info({ server: s.server }, 'NATS reconnected');
          }
        })().catch(() => undefined);
        return nc;
      },
    },
  ],
  exports: [NATS_CONNECTION],
})
export class NatsModule implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}
