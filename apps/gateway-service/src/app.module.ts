import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { ConfigModule } from './config/config.module.js';
import type { GatewayEnv } from './config/env.js';
import { NatsModule } from './nats/nats.module.js';
import { S3Module } from './s3/s3.module.js';
import { WorkersModule } from './workers/workers.module.js';

@Module({})
export class AppModule {
  static forRoot(env: GatewayEnv, logger?: Logger): DynamicModule {
    return { module: AppModule, imports: [ConfigModule.forRoot(env, logger), NatsModule, WorkersModule, S3Module] };
  }
}
