import { createLogger } from '@bucketgate/runtime';
import { startConfigApp } from './app.js';
import { loadEnv } from './config/env.js';

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger('config-service', env.logLevel);
  const started = await startConfigApp(env, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    started.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  // a clear one-line reason (e.g. a bad BUCKETGATE_MASTER_KEY) instead of a stack trace loop
  process.stderr.write(`config-service failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
