import { pino, type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';

/**
 * Secrets are redacted by the logger itself, wherever they appear in a logged object, so no caller has to
 * remember to. Keep this list in step with every field that can carry a secret.
 */
export const REDACT_PATHS = [
  'apiSecret', '*.apiSecret', '*.*.apiSecret',
  'secretAccessKey', '*.secretAccessKey', '*.*.secretAccessKey',
  'apiSecretEnc', '*.apiSecretEnc', 'secretAccessKeyEnc', '*.secretAccessKeyEnc',
  'authorization', '*.authorization', '*.*.authorization', 'headers.authorization', 'req.headers.authorization',
  'masterKey', '*.masterKey',
  'password', '*.password',
];

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service } });
}

/** Lets Nest write through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) { this.logger.info({ context }, String(message)); }
  error(message: unknown, trace?: string, context?: string) { this.logger.error({ context, trace }, String(message)); }
  warn(message: unknown, context?: string) { this.logger.warn({ context }, String(message)); }
  debug(message: unknown, context?: string) { this.logger.debug({ context }, String(message)); }
  verbose(message: unknown, context?: string) { this.logger.trace({ context }, String(message)); }
}
