import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { BucketsModule } from './buckets/buckets.module.js';
import { Clock, SystemClock } from './clock.js';
import { CONFIG_ENV, type ConfigEnv } from './config/env.js';
import { SecretBox } from './crypto/secret-box.js';
import { DatasourcesModule } from './datasources/datasources.module.js';
import { GatewaysModule } from './gateways/gateways.module.js';
import { HealthController } from './health.controller.js';
import { LOGGER } from './logger.js';
import { NatsModule } from './nats/nats.module.js';

/** Boot-time values shared by every feature (env, logger, master key, clock). */
@Module({})
export class CoreModule {
  static forRoot(env: ConfigEnv, logger: Logger, masterKey: Uint8Array): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      providers: [
        { provide: CONFIG_ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        { provide: SecretBox, useValue: new SecretBox(masterKey) },
        { provide: Clock, useClass: SystemClock },
      ],
      exports: [CONFIG_ENV, LOGGER, SecretBox, Clock],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(env: ConfigEnv, logger: Logger, masterKey: Uint8Array): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(env, logger, masterKey), NatsModule, DatasourcesModule, BucketsModule, GatewaysModule],
      controllers: [HealthController],
    };
  }
}
