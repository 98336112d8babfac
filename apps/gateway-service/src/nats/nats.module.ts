import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { connectNats, RpcClient } from '@bucketgate/runtime';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { LOGGER } from '../config/config.module.js';
import { GATEWAY_ENV, type GatewayEnv } from '../config/env.js';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const RPC_CLIENT = Symbol('RPC_CLIENT');

/** Closes the NATS connection and the RPC client last, after everything that uses them has stopped. */
@Injectable()
class NatsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await this.rpc.close().catch(() => undefined);
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: NATS_CONNECTION,
      inject: [GATEWAY_ENV, LOGGER],
      useFactory: async (env: GatewayEnv, log: Logger): Promise<NatsConnection> => {
        const nc = await connectNats(env.natsServers, `gateway-service:${env.instanceId}`);
        log.info({ servers: env.natsServers }, 'connected to NATS');
        return nc;
      },
    },
    {
      provide: RPC_CLIENT,
      inject: [GATEWAY_ENV, LOGGER],
      useFactory: async (env: GatewayEnv, log: Logger): Promise<RpcClient> => {
        const rpc = new RpcClient(env.natsServers, `gateway-service-rpc:${env.instanceId}`);
        await rpc.connect().catch((err: unknown) => log.warn({ err: (err as Error)?.message }, 'RPC client not connected yet'));
        return rpc;
      },
    },
    NatsLifecycle,
  ],
  exports: [NATS_CONNECTION, RPC_CLIENT],
})
export class NatsModule {}
