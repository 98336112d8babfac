import { Module } from '@nestjs/common';
import { RpcClient } from '@bucketgate/runtime';
import { CONFIG_ENV, type ConfigEnv } from '../config/env.js';
import { DiscoveryClient, NatsDiscoveryClient, RPC_CLIENT } from './discovery.client.js';

@Module({
  providers: [
    {
      provide: RPC_CLIENT,
      inject: [CONFIG_ENV],
      useFactory: async (env: ConfigEnv) => {
        const client = new RpcClient(env.natsServers, 'config-service-rpc');
        await client.connect();
        return client;
      },
    },
    { provide: DiscoveryClient, useClass: NatsDiscoveryClient },
  ],
  exports: [DiscoveryClient],
})
export class DiscoveryModule {}
