import type { Logger } from 'pino';

export interface RunnableService {
  close(): Promise<void>;
}

/**
 * The one process entry point of every service: parse env, boot, stop cleanly on SIGINT/SIGTERM (also when the
 * signal arrives while booting), force-exit if shutdown hangs, and print a one-line reason when boot fails
 * (e.g. a bad BUCKETGATE_MASTER_KEY) instead of a stack-trace loop.
 */
export function runService<E>(opts: {
  name: string;
  loadEnv: () => E;
  logger: (env: E) => Logger;
  start: (env: E, logger: Logger) => Promise<RunnableService>;
  /** How long a shutdown may take before the process exits anyway (ms). */
  graceMs?: number;
}): void {
  let env: E;
  try {
    env = opts.loadEnv();
  } catch (err) {
    process.stderr.write(`${opts.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const log = opts.logger(env);
  let app: RunnableService | undefined;
  let stopping = false;
  const finish = (service: RunnableService) =>
    service.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), opts.graceMs ?? 20_000).unref();
    if (app) void finish(app); // otherwise: closed as soon as boot finishes
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  opts.start(env, log).then(
    (started) => {
      app = started;
      if (stopping) void finish(started);
    },
    (err: unknown) => {
      process.stderr.write(`${opts.name} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
