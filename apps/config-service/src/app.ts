import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { natsServerOptions, PinoNestLogger } from '@bucketgate/runtime';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { ConfigEnv } from './config/env.js';
import { loadMasterKey } from './crypto/master-key.js';
import { EdgeErrorFilter } from './http/edge-error.filter.js';
import { jsonBody } from './http/json-body.js';
import { requestContext } from './http/request-context.js';
import { csrfGuard, hostGuard, type GuardPolicy } from './http/request-guards.js';
import { expressRoutes, RouteTable } from './http/route-table.js';
import { staticFiles } from './web/static-files.js';

export interface ConfigApp {
  app: NestExpressApplication;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/**
 * One Nest application: the REST API + web page over HTTP and the NATS RPC handlers (queue group config-service).
 * Throws (never exits) when something at boot is wrong, so callers decide; main.ts exits with the message.
 */
export async function startConfigApp(env: ConfigEnv, logger: Logger): Promise<ConfigApp> {
  const masterKey = loadMasterKey({ key: env.masterKey, file: env.masterKeyFile }, (msg) => logger.warn(msg));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env, logger, masterKey), {
    bodyParser: false,
    abortOnError: false,
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
  });
  try {
    app.disable('x-powered-by');
    const policy: GuardPolicy = { listenHost: env.host.toLowerCase(), allowedHosts: env.allowedHosts, allowedOrigins: env.allowedOrigins };
    app.use(requestContext(logger));
    app.use(hostGuard(policy)); // before the web page too: DNS rebinding must not reach anything
    app.use(csrfGuard(policy));
    app.use(staticFiles(env.webDistDir));
    app.use(jsonBody());
    const routes = new RouteTable(() => expressRoutes(app.getHttpAdapter().getInstance()));
    app.useGlobalFilters(new EdgeErrorFilter(logger, routes));
    app.connectMicroservice<MicroserviceOptions>(natsServerOptions(env.natsServers, 'config-service'), { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.listen(env.port, env.host);
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const address = app.getHttpServer().address() as { port: number };
  const host = env.host.includes(':') ? `[${env.host}]` : env.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info(
    { url, nats: env.natsServers, web: env.webDistDir ?? null, gateway: env.gatewayPublicUrl, allowedHosts: env.allowedHosts, allowedOrigins: env.allowedOrigins },
    'config service listening',
  );
  return { app, url, close: () => app.close() };
}
