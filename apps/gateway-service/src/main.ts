import { createLogger, runService } from '@bucketgate/runtime';
import { loadGatewayEnv } from './config/env.js';
import { startGateway } from './gateway.app.js';

runService({ name: 'gateway-service', loadEnv: loadGatewayEnv, logger: (env) => createLogger('gateway-service', env.logLevel), start: startGateway });
