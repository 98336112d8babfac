import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { S3Error } from '../protocol/index.js';
import { revealsCredentials } from './credential-leak.js';
import { queryObject, queryString, remoteAddress, type QueryPairs } from './remote-address.js';

export interface RemoteClientConfig {
  /** scheme://host[:port]; null = Amazon S3. */
  endpoint: string | null;
  region: string | null;
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** Connect, and waiting for response headers once the request body is sent. */
  timeoutMs: number;
  maxSockets: number;
}

export interface OnwardRequest {
  method: string;
  bucket?: string;
  key?: string;
  query?: QueryPairs;
  /** Lower-case names; already filtered to what S3 understands. */
  headers?: Record<string, string>;
  /** A Buffer can be replayed (region retry); a stream cannot. */
  body?: Readable | Buffer;
  contentLength?: number;
  signal?: AbortSignal;
}

export interface RemoteResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** True when a text from this answer (an error message) contains the remote's credentials: never pass it on. */
  revealsCredentials(text: string): boolean;
}

/** The remote did not answer, or not in time: the client may retry (503). Details go to the log only. */
export class RemoteUnavailableError extends S3Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super('ServiceUnavailable', 'The remote storage of this datasource is not reachable right now; try again later.', undefined, options);
  }
}

const DEFAULT_REGION = 'us-east-1';

/**
 * Onward S3 requests for one datasource: signs with the remote credentials (SigV4, UNSIGNED-PAYLOAD),
 * streams bodies both ways, keeps connections alive, learns each bucket's region.
 */
export class RemoteClient {
  private readonly agent: http.Agent;
  private readonly signers = new Map<string, SignatureV4>();
  /** bucket -> region the remote told us (x-amz-bucket-region). */
  private readonly bucketRegions = new Map<string, string>();

  /** A private field: the remote secret never shows up when a client object is logged or serialized. */
  readonly #cfg: RemoteClientConfig;

  constructor(cfg: RemoteClientConfig) {
    this.#cfg = cfg;
    const isHttps = cfg.endpoint === null || cfg.endpoint.startsWith('https:');
    const opts = { keepAlive: true, maxSockets: cfg.maxSockets, maxFreeSockets: 32, scheduling: 'lifo' as const };
    this.agent = isHttps ? new https.Agent(opts) : new http.Agent(opts);
  }

  regionFor(bucket?: string): string {
    return (bucket && this.bucketRegions.get(bucket)) || this.#cfg.region || DEFAULT_REGION;
  }

  async send(r: OnwardRequest): Promise<RemoteResponse> {
    if (r.bucket && this.#cfg.endpoint === null && r.body instanceof Readable && !this.bucketRegions.has(r.bucket)) {
      // A streamed body cannot be replayed after a wrong-region answer: learn the region first.
      const probe = await this.once({ method: 'HEAD', bucket: r.bucket, signal: r.signal }, this.regionFor(r.bucket));
      probe.body.resume();
      this.learnRegion(r.bucket, probe, this.regionFor(r.bucket));
    }
    const region = this.regionFor(r.bucket);
    const res = await this.once(r, region);
    if (r.bucket && this.learnRegion(r.bucket, res, region) && res.status >= 300 && !(r.body instanceof Readable)) {
      res.body.resume();
      return this.once(r, this.regionFor(r.bucket));
    }
    return res;
  }

  /** Records x-amz-bucket-region; true when it differs from the region the request was signed for. */
  private learnRegion(bucket: string, res: RemoteResponse, used: string): boolean {
    const told = res.headers['x-amz-bucket-region'];
    if (typeof told !== 'string' || told === '' || !/^[a-z0-9-]{1,64}$/.test(told)) return false;
    this.bucketRegions.set(bucket, told);
    return told !== used;
  }

  private signer(region: string): SignatureV4 {
    let s = this.signers.get(region);
    if (!s) {
      s = new SignatureV4({
        service: 's3',
        region,
        credentials: { accessKeyId: this.#cfg.accessKeyId, secretAccessKey: this.#cfg.secretAccessKey },
        sha256: Sha256,
        uriEscapePath: false,
        applyChecksum: false,
      });
      this.signers.set(region, s);
    }
    return s;
  }

  private async once(r: OnwardRequest, region: string): Promise<RemoteResponse> {
    const addr = remoteAddress(this.#cfg, region, r.bucket, r.key);
    const query = r.query ?? [];
    const headers: Record<string, string> = { ...(r.headers ?? {}), host: addr.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const length = Buffer.isBuffer(r.body) ? r.body.length : r.contentLength;
    if (length !== undefined) headers['content-length'] = String(length);
    else if (r.body === undefined && needsZeroLength(r.method)) headers['content-length'] = '0';
    const signed = await this.signer(region).sign(
      new HttpRequest({
        method: r.method,
        protocol: addr.protocol,
        hostname: addr.hostname,
        port: addr.port,
        path: addr.path,
        query: queryObject(query),
        headers,
      }),
      { signingDate: new Date() },
    );
    const mod = addr.protocol === 'https:' ? https : http;
    return new Promise<RemoteResponse>((resolve, reject) => {
      let settled = false;
      let bodyError: unknown;
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      };
      const arm = (what: string) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          req.destroy(new RemoteUnavailableError(`remote ${what} timed out after ${this.#cfg.timeoutMs} ms`));
        }, this.#cfg.timeoutMs);
      };
      const req = mod.request({
        method: r.method,
        hostname: addr.hostname,
        port: addr.port,
        path: addr.path + queryString(query),
        headers: signed.headers,
        agent: this.agent,
        signal: r.signal,
      });
      // Deadlines: connecting, then (once the whole body is sent) waiting for the response headers. Streaming an
      // upload is paced by the client, so no deadline runs while the body flows.
      let finished = false;
      arm('connect');
      const connected = () => {
        if (!finished) clearTimeout(timer);
      };
      req.on('socket', (socket) => {
        if ((socket as { connecting?: boolean }).connecting) socket.once('connect', connected);
        else connected();
      });
      req.on('finish', () => {
        finished = true;
        arm('response');
      });
      req.on('response', (res) => {
        clearTimeout(timer);
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        const creds = { accessKeyId: this.#cfg.accessKeyId, secretAccessKey: this.#cfg.secretAccessKey };
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: res, revealsCredentials: (text) => revealsCredentials(text, creds) });
      });
      req.on('error', (err) => {
        if (bodyError !== undefined) return fail(bodyError);
        if (err instanceof S3Error) return fail(err);
        if ((err as { name?: string }).name === 'AbortError') return fail(err);
        fail(new RemoteUnavailableError(`${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`.trim(), { cause: err }));
      });
      if (r.body === undefined) req.end();
      else if (Buffer.isBuffer(r.body)) req.end(r.body);
      else {
        pipeline(r.body, req).catch((err: unknown) => {
          // The client's upload failed (verification, disconnect): the onward request is destroyed before it
          // completes, so the remote never stores a partial object.
          bodyError = err;
          req.destroy(err instanceof Error ? err : new Error(String(err)));
          fail(err);
        });
      }
    });
  }

  /** Connections currently carrying a request (a finished or aborted request leaves none behind). */
  busySockets(): number {
    return Object.values(this.agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0);
  }

  /** Closes every connection of this client (called once its last running request is done). */
  close(): void {
    this.agent.destroy();
  }
}

function needsZeroLength(method: string): boolean {
  return method === 'PUT' || method === 'POST';
}
