import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { parseAuth, S3Error, verifySignature, type SignedRequest } from '../protocol/index.js';
import { pino } from 'pino';
import { handle } from '../s3/pipeline.js';
import { lookup, signedCtx, workerConfig } from '../testing/fakes.js';
import { Worker } from '../workers/worker.js';
import { RemoteClient, RemoteUnavailableError, type RemoteClientConfig } from './remote-client.js';

const REMOTE = { accessKeyId: 'REMOTEKEY', secretAccessKey: 'remote/secret+key' };

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  region?: string;
  signatureOk: boolean;
  body: Buffer;
  complete: boolean;
}

/** A loopback "remote" that checks SigV4 with the remote secret and answers from a handler. */
class FakeS3 {
  readonly seen: Seen[] = [];
  private readonly server: http.Server;
  url = '';
  onRequest: (s: Seen, res: http.ServerResponse) => void = (_s, res) => res.end('ok');

  constructor() {
    this.server = http.createServer((req, res) => {
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const sreq: SignedRequest = { method: req.method ?? 'GET', rawPath: q < 0 ? raw : raw.slice(0, q), rawQuery: q < 0 ? '' : raw.slice(q + 1), headers: req.headers };
      const seen: Seen = { method: sreq.method, url: raw, headers: req.headers, signatureOk: false, body: Buffer.alloc(0), complete: false };
      try {
        const auth = parseAuth(sreq);
        seen.region = auth.region;
        verifySignature(sreq, auth, REMOTE.secretAccessKey);
        seen.signatureOk = auth.accessKeyId === REMOTE.accessKeyId;
      } catch {
        seen.signatureOk = false;
      }
      this.seen.push(seen);
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        seen.complete = true;
        seen.body = Buffer.concat(parts);
        this.onRequest(seen, res);
      });
      req.on('close', () => (seen.body = Buffer.concat(parts)));
    });
  }
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop() {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

describe(RemoteClient.name, () => {
  let s3: FakeS3;
  let client: RemoteClient;
  const make = (over: Partial<RemoteClientConfig> = {}) =>
    new RemoteClient({ endpoint: s3.url, region: null, pathStyle: true, ...REMOTE, timeoutMs: 1000, maxSockets: 4, ...over });

  beforeEach(async () => {
    s3 = new FakeS3();
    await s3.start();
    client = make();
  });
  afterEach(async () => {
    client.close();
    await s3.stop();
  });

  it('signs with the remote credentials (UNSIGNED-PAYLOAD) and addresses path-style', async () => {
    const res = await client.send({ method: 'GET', bucket: 'bk1', key: 'dir/a b+c.txt', query: [['list-type', '2'], ['prefix', 'a/b c']], headers: { range: 'bytes=0-1' } });
    res.body.resume();
    expect(res.status).toBe(200);
    const seen = s3.seen[0]!;
    expect(seen.signatureOk).toBe(true);
    expect(seen.region).toBe('us-east-1');
    expect(seen.url).toBe('/bk1/dir/a%20b%2Bc.txt?list-type=2&prefix=a%2Fb%20c');
    expect(seen.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(seen.headers.range).toBe('bytes=0-1');
  });

  it('streams a body onward with its length', async () => {
    const data = Buffer.alloc(300_000, 7);
    const res = await client.send({ method: 'PUT', bucket: 'bk1', key: 'k', body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]), contentLength: data.length });
    res.body.resume();
    expect(s3.seen[0]!.headers['content-length']).toBe(String(data.length));
    expect(s3.seen[0]!.body.equals(data)).toBe(true);
    expect(s3.seen[0]!.signatureOk).toBe(true);
  });

  it('aborts the onward upload when the client body fails mid-way, so the remote never completes it', async () => {
    const body = new PassThrough();
    const p = client.send({ method: 'PUT', bucket: 'bk1', key: 'k', body, contentLength: 100_000 });
    body.write(Buffer.alloc(50_000));
    await new Promise((r) => setTimeout(r, 50));
    body.destroy(new S3Error('BadDigest'));
    await expect(p).rejects.toMatchObject({ code: 'BadDigest' });
    await new Promise((r) => setTimeout(r, 50));
    expect(s3.seen[0]!.complete).toBe(false);
  });

  it('learns a bucket region from x-amz-bucket-region and retries a replayable request once', async () => {
    s3.onRequest = (seen, res) => {
      if (seen.region !== 'eu-west-3') {
        res.writeHead(301, { 'x-amz-bucket-region': 'eu-west-3' });
        res.end('<Error><Code>PermanentRedirect</Code></Error>');
      } else res.end('fine');
    };
    const res = await client.send({ method: 'GET', bucket: 'bk1', key: 'k' });
    expect(res.status).toBe(200);
    res.body.resume();
    expect(s3.seen.map((s) => s.region)).toEqual(['us-east-1', 'eu-west-3']);
    expect(client.regionFor('bk1')).toBe('eu-west-3');
    (await client.send({ method: 'GET', bucket: 'bk1', key: 'k2' })).body.resume();
    expect(s3.seen).toHaveLength(3);
    expect(s3.seen[2]!.region).toBe('eu-west-3');
  });

  it('gives up with ServiceUnavailable when the remote does not answer in time', async () => {
    s3.onRequest = () => undefined; // never answers
    const started = Date.now();
    const err = await client.send({ method: 'GET', bucket: 'bk1', key: 'k' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteUnavailableError);
    expect((err as RemoteUnavailableError).code).toBe('ServiceUnavailable');
    expect((err as RemoteUnavailableError).reason).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports an unreachable remote as ServiceUnavailable without its details', async () => {
    const gone = make({ endpoint: 'http://127.0.0.1:1' });
    const err = await gone.send({ method: 'GET' }).catch((e: unknown) => e);
    gone.close();
    expect(err).toBeInstanceOf(RemoteUnavailableError);
    expect((err as Error).message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    expect((err as RemoteUnavailableError).reason).toMatch(/ECONNREFUSED/);
  });

  it('aborts the onward request when the client goes away', async () => {
    s3.onRequest = (_s, res) => {
      res.writeHead(200, { 'content-length': '10000000' });
      res.write(Buffer.alloc(1000));
    };
    const ac = new AbortController();
    const res = await client.send({ method: 'GET', bucket: 'bk1', key: 'big', signal: ac.signal });
    expect(client.busySockets()).toBe(1);
    ac.abort();
    await new Promise((r) => setTimeout(r, 20));
    expect(res.body.destroyed).toBe(true);
    expect(client.busySockets()).toBe(0);
  });

  it('never exposes the remote secret when serialized', () => {
    expect(JSON.stringify(client)).not.toContain(REMOTE.secretAccessKey);
    expect(JSON.stringify({ ...client })).not.toContain(REMOTE.secretAccessKey);
  });
});

describe('a remote that echoes its own secret in an error', () => {
  let s3: FakeS3;
  beforeEach(async () => {
    s3 = new FakeS3();
    await s3.start();
  });
  afterEach(() => s3.stop());

  it.each([
    ['verbatim', REMOTE.secretAccessKey],
    ['URL-encoded', encodeURIComponent(REMOTE.secretAccessKey)],
    ['as its access key', REMOTE.accessKeyId.toLowerCase()],
  ])('never shows it (%s) to the client nor logs it', async (_how, echoed) => {
    s3.onRequest = (_s, res) => {
      res.writeHead(500, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0"?><Error><Code>InternalError</Code><Message>backend auth with ${echoed} failed</Message></Error>`);
    };
    const worker = new Worker(workerConfig({ endpoint: s3.url, remote: REMOTE }), { maxInflight: 4, remoteTimeoutMs: 1000 }, { inFlight: 0, requests: 0 });
    const ctx = await signedCtx({ path: '/alpha/k', workers: lookup(worker) });
    const lines: string[] = [];
    ctx.log = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
    await handle(ctx);
    worker.retire();
    expect(s3.seen).toHaveLength(1); // the remote really answered
    expect(ctx.res.statusCode).toBe(500);
    expect(ctx.res.text).toContain('<Code>InternalError</Code>');
    expect(ctx.res.text).not.toContain('backend auth');
    const all = (ctx.res.text + lines.join('')).toLowerCase();
    expect(lines.length).toBeGreaterThan(0);
    for (const leak of [REMOTE.secretAccessKey, encodeURIComponent(REMOTE.secretAccessKey), REMOTE.accessKeyId]) expect(all).not.toContain(leak.toLowerCase());
  });
});
