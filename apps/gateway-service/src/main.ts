import { createLogger } from '@bucketgate/runtime';
import { loadGatewayEnv, type GatewayEnv } from './config/env.js';
import { startGateway, type GatewayApp } from './gateway.app.js';

async function main(): Promise<void> {
  let env: GatewayEnv;
  try {
    env = loadGatewayEnv();
  } catch (err) {
    process.stderr.write(`gateway-service: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger('gateway-service', env.logLevel);
  let gw: GatewayApp | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    // A signal during boot: close once booted (startGateway resolves or fails below).
    if (gw) {
      await gw.close();
      process.exit(0);
    }
  };
  // Installed first, so a signal that arrives while booting still shuts down cleanly.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  gw = await startGateway(env, log);
  if (stopping) {
    await gw.close();
    process.exit(0);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway-service failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
