/** Typed fakes for unit tests (excluded from the build). */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { pino } from 'pino';
import type { WorkerConfig } from '@bucketgate/contracts';
import { revealsCredentials } from '../remote/credential-leak.js';
import type { OnwardRequest, RemoteResponse } from '../remote/remote-client.js';
import type { S3Ctx, WorkerLookup } from '../s3/s3.types.js';
import { Worker, type RemoteLike } from '../workers/worker.js';

export const silentLog = pino({ level: 'silent' });

export function workerConfig(over: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    name: 'ds1',
    revision: 1,
    endpoint: 'http://127.0.0.1:1',
    region: null,
    pathStyle: true,
    readOnly: false,
    buckets: ['alpha', 'beta'],
    bucketsRegexp: null,
    remote: { accessKeyId: 'REMOTEKEY', secretAccessKey: 'remote-secret' },
    issued: { accessKeyId: 'BGKEY1', secretAccessKey: 'issued-secret' },
    ...over,
  };
}

/** A remote that records what it was asked and answers from a function. */
export class FakeRemote implements RemoteLike {
  readonly sent: OnwardRequest[] = [];
  /** Bodies the remote received (streams are read to the end, as a remote would). */
  readonly bodies: Buffer[] = [];
  closed = 0;
  constructor(private readonly answer: (r: OnwardRequest) => Partial<RemoteResponse> & { text?: string } = () => ({ status: 200 })) {}
  async send(r: OnwardRequest): Promise<RemoteResponse> {
    this.sent.push(r);
    if (r.body !== undefined) {
      if (Buffer.isBuffer(r.body)) this.bodies.push(r.body);
      else {
        const parts: Buffer[] = [];
        for await (const c of r.body) parts.push(c as Buffer);
        this.bodies.push(Buffer.concat(parts));
      }
    }
    const a = this.answer(r);
    const body = new PassThrough();
    body.end(a.text ?? '');
    const creds = workerConfig().remote;
    return { status: a.status ?? 200, headers: a.headers ?? {}, body: body as unknown as IncomingMessage, revealsCredentials: (t) => revealsCredentials(t, creds) };
  }
  regionFor(): string {
    return 'us-east-1';
  }
  busySockets(): number {
    return 0;
  }
  close(): void {
    this.closed++;
  }
}

export function fakeWorker(over: Partial<WorkerConfig> = {}, remote = new FakeRemote(), maxInflight = 10): Worker {
  return new Worker(workerConfig(over), { maxInflight, remoteTimeoutMs: 1000 }, { inFlight: 0, requests: 0 }, () => remote);
}

export function lookup(...workers: Worker[]): WorkerLookup {
  return { byAccessKey: (k) => workers.find((w) => w.accessKeyId === k), loading: () => false };
}

/** A response that records status, headers and body bytes. */
export class FakeRes extends Writable {
  statusCode = 200;
  private readonly headers = new Map<string, string | number>();
  readonly chunks: Buffer[] = [];
  continued = false;
  private sent = false;

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.sent = true;
    this.chunks.push(Buffer.from(chunk));
    cb();
  }
  override end(chunk?: unknown, ...rest: unknown[]): this {
    this.sent = true;
    return super.end(chunk as Buffer, ...(rest as [])) as this;
  }
  get headersSent(): boolean {
    return this.sent;
  }
  setHeader(name: string, value: string | number): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }
  getHeader(name: string): string | number | undefined {
    return this.headers.get(name.toLowerCase());
  }
  hasHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }
  removeHeader(name: string): void {
    this.headers.delete(name.toLowerCase());
  }
  getHeaderNames(): string[] {
    return [...this.headers.keys()];
  }
  writeContinue(): void {
    this.continued = true;
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** A context for a request signed (SigV4 header, UNSIGNED-PAYLOAD unless headers say otherwise) with creds. */
export async function signedCtx(
  input: { method?: string; path: string; query?: Record<string, string>; headers?: Record<string, string>; body?: Buffer; workers: WorkerLookup },
  creds: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: 'BGKEY1', secretAccessKey: 'issued-secret' },
): Promise<S3Ctx & { res: ServerResponse & FakeRes }> {
  const { Sha256 } = await import('@aws-crypto/sha256-js');
  const { HttpRequest } = await import('@smithy/protocol-http');
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { queryString } = await import('../remote/remote-address.js');
  const method = input.method ?? 'GET';
  const headers: Record<string, string> = { host: 'localhost:9100', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...(input.headers ?? {}) };
  if (input.body) headers['content-length'] = String(input.body.length);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: creds, sha256: Sha256, uriEscapePath: false });
  const signed = await signer.sign(
    new HttpRequest({ method, protocol: 'http:', hostname: 'localhost', port: 9100, path: input.path, query: input.query ?? {}, headers }),
  );
  const lower = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return fakeCtx({ method, url: input.path + queryString(Object.entries(input.query ?? {})), headers: lower, body: input.body, workers: input.workers });
}

export interface FakeCtxInput {
  method?: string;
  url?: string;
  headers?: IncomingHttpHeaders;
  body?: Buffer;
  workers?: WorkerLookup;
  domain?: string;
}

/** A context as the server builds it, over a fake request/response. */
export function fakeCtx(input: FakeCtxInput = {}): S3Ctx & { res: ServerResponse & FakeRes } {
  const req = new PassThrough() as unknown as IncomingMessage & PassThrough;
  Object.assign(req, { method: input.method ?? 'GET', url: input.url ?? '/', headers: input.headers ?? { host: 'localhost' }, complete: true });
  (req as unknown as PassThrough).end(input.body ?? Buffer.alloc(0));
  const res = new FakeRes() as unknown as ServerResponse & FakeRes;
  return {
    requestId: 'REQ123',
    req,
    res,
    log: silentLog,
    workers: input.workers ?? lookup(),
    settings: { domain: input.domain, publicUrl: 'http://gw.example:9100', clientIdleTimeoutMs: 60_000 },
    signal: new AbortController().signal,
    expectContinue: false,
  };
}
