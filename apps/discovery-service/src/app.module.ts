import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DiscoveryEnv } from './config/env.js';
import { DISCOVERY_ENV, LOGGER } from './tokens.js';
import { BucketsModule } from './buckets/buckets.module.js';

/** Holds the parsed environment and the logger for every feature module. */
@Global()
@Module({})
class CoreModule {
  static register(env: DiscoveryEnv, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: DISCOVERY_ENV, useValue: env }, { provide: LOGGER, useValue: logger }],
      exports: [DISCOVERY_ENV, LOGGER],
    };
  }
}

@Module({})
export class AppModule {
  static register(env: DiscoveryEnv, logger: Logger): DynamicModule {
    return { module: AppModule, imports: [CoreModule.register(env, logger), BucketsModule] };
  }
}
