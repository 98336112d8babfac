import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { natsServerOptions, PinoNestLogger, RpcErrorFilter } from '@bucketgate/runtime';
import { AppModule } from './app.module.js';
import type { DiscoveryEnv } from './config/env.js';

export const SERVICE_NAME = 'discovery-service';

/** Boots the discovery microservice on NATS (queue group "discovery-service") and starts answering. */
export async function startDiscoveryService(env: DiscoveryEnv, logger: Logger): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule.register(env, logger), {
    ...natsServerOptions(env.natsServers, SERVICE_NAME),
    logger: new PinoNestLogger(logger),
  });
  app.useGlobalFilters(new RpcErrorFilter(logger));
  await app.listen();
  logger.info(
    { nats: env.natsServers, connectTimeoutMs: env.connectTimeoutMs, requestTimeoutMs: env.requestTimeoutMs, callDeadlineMs: env.callDeadlineMs },
    'discovery-service listening on NATS',
  );
  return app;
}
