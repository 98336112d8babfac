import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { handle } from './pipeline.js';
import type { PipelineSettings, S3Ctx, WorkerLookup } from './s3.types.js';

export interface S3ServerDeps {
  workers: WorkerLookup;
  settings: PipelineSettings;
  log: Logger;
  /** Body of GET /_health. */
  health: () => Record<string, unknown>;
}

export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** The S3 front: plain node:http, one pipeline run per request. */
export class S3HttpServer {
  private readonly server: http.Server;

  constructor(private readonly deps: S3ServerDeps) {
    this.server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 });
    this.server.on('request', (req, res) => this.onRequest(req, res, false));
    this.server.on('checkContinue', (req, res) => this.onRequest(req, res, true));
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  address(): AddressInfo | null {
    return this.server.address() as AddressInfo | null;
  }

  /** Stops accepting connections, lets running requests finish for up to graceMs, then cuts the rest. */
  async close(graceMs = 10_000): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    const started = process.hrtime.bigint();
    const requestId = newRequestId();
    if (req.url === '/_health' || req.url?.startsWith('/_health?')) {
      const body = JSON.stringify(this.deps.health());
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': requestId });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborter.abort();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      ctx.log.info({ method: req.method, status: res.statusCode, ms: Math.round(ms), aborted: !res.writableFinished || undefined }, 'request');
    });
    const ctx: S3Ctx = {
      requestId,
      req,
      res,
      log: this.deps.log.child({ requestId }),
      workers: this.deps.workers,
      settings: this.deps.settings,
      signal: aborter.signal,
      expectContinue,
    };
    void handle(ctx);
  }
}
