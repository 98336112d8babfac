import { Global, Module, type DynamicModule } from '@nestjs/common';
import { createLogger } from '@bucketgate/runtime';
import type { Logger } from 'pino';
import { GATEWAY_ENV, type GatewayEnv } from './env.js';

export const LOGGER = Symbol('LOGGER');

/** The parsed environment and the root logger, available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(env: GatewayEnv, logger?: Logger): DynamicModule {
    const log = logger ?? createLogger('gateway-service', env.logLevel);
    return {
      module: ConfigModule,
      providers: [
        { provide: GATEWAY_ENV, useValue: env },
        { provide: LOGGER, useValue: log },
      ],
      exports: [GATEWAY_ENV, LOGGER],
    };
  }
}
