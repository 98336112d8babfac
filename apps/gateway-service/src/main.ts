import { createLogger } from '@bucketgate/runtime';
import { loadGatewayEnv } from './config/env.js';
import { startGateway } from './gateway.app.js';

async function main(): Promise<void> {
  let env;
  try {
    env = loadGatewayEnv();
  } catch (err) {
    process.stderr.write(`gateway-service: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger('gateway-service', env.logLevel);
  const gw = await startGateway(env, log);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    await gw.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway-service failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
