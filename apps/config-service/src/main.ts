import { createLogger, runService } from '@bucketgate/runtime';
import { startConfigApp } from './app.js';
import { loadEnv } from './config/env.js';

runService({ name: 'config-service', loadEnv, logger: (env) => createLogger('config-service', env.logLevel), start: startConfigApp });
