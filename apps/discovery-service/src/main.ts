import { createLogger, runService } from '@bucketgate/runtime';
import { startDiscoveryService, SERVICE_NAME } from './app.js';
import { loadEnv } from './config/env.js';

runService({ name: SERVICE_NAME, loadEnv, logger: (env) => createLogger(SERVICE_NAME, env.logLevel), start: startDiscoveryService });
