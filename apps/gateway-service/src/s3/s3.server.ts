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
  /** Body of GET /_health; HTTP 503 unless `status` is "ok". */
  health: () => { status: string } & Record<string, unknown>;
  /** Time a client has to send the request line and headers (GATEWAY_HEADERS_TIMEOUT_MS). */
  headersTimeoutMs?: number;
}

export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** The S3 front: plain node:http, one pipeline run per request. */
export class S3HttpServer {
  private readonly server: http.Server;

  constructor(private readonly deps: S3ServerDeps) {
    // No total request deadline (an upload or download may last hours; an idle upload body is cut by the
    // operation, GATEWAY_CLIENT_IDLE_TIMEOUT_MS). Headers must arrive within headersTimeout, counted from the first
    // byte of the request however slowly it trickles; Node enforces it only on its connections check, so that
    // check runs often enough for the deadline to mean something.
    const headersTimeout = deps.headersTimeoutMs ?? 30_000;
    this.server = http.createServer({
      requestTimeout: 0,
      headersTimeout,
      connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(headersTimeout / 4))),
      keepAliveTimeout: 65_000,
    });
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

  /** GET/HEAD /_health: JSON; HTTP 503 unless its status is "ok"; other methods 405. */
  private health(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0, 'x-amz-request-id': requestId });
      res.end();
      return;
    }
    const health = this.deps.health();
    const body = JSON.stringify(health);
    res.writeHead(health.status === 'ok' ? 200 : 503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': requestId });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    const started = process.hrtime.bigint();
    const requestId = newRequestId();
    if (req.url === '/_health' || req.url?.startsWith('/_health?')) {
      this.health(req, res, requestId);
      return;
    }
    const aborter = new AbortController();
    res.on('close', () => {
      const aborted = !res.writableFinished;
      if (aborted) aborter.abort();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // 499: the client closed the connection before the answer was complete (whatever status was set).
      ctx.log.info({ method: req.method, status: aborted ? 499 : res.statusCode, ms: Math.round(ms), aborted: aborted || undefined }, 'request');
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
