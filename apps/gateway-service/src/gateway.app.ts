import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { createLogger, PinoNestLogger } from '@bucketgate/runtime';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { GatewayEnv } from './config/env.js';
import { S3Service } from './s3/s3.service.js';
import { WorkersService } from './workers/workers.service.js';

export interface GatewayApp {
  app: INestApplicationContext;
  /** The S3 port actually bound (GATEWAY_PORT=0 picks a free one). */
  port: number;
  workers: WorkersService;
  close(): Promise<void>;
}

/** Boots the gateway (NATS, supervisor, heartbeat, S3 port) and returns once it listens. */
export async function startGateway(env: GatewayEnv, logger?: Logger): Promise<GatewayApp> {
  const log = logger ?? createLogger('gateway-service', env.logLevel);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(env, log), { logger: new PinoNestLogger(log) });
  await app.init();
  const port = app.get(S3Service).address()?.port ?? env.port;
  return { app, port, workers: app.get(WorkersService), close: () => app.close() };
}
