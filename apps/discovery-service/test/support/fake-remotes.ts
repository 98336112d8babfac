import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Small servers on loopback that stand in for remotes a real storage cannot play: one that never answers,
 * a web server, a TLS server with a self-signed certificate, and an S3 endpoint that denies ListBuckets
 * (Ceph RGW always lets a user list their own buckets).
 */
export interface Running {
  endpoint: string;
  close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>): Promise<number> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** Accepts TCP connections and never sends a byte. */
export async function startSilentServer(): Promise<Running & { connections: () => number }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createTcpServer(() => accepted++);
  const port = await listen(server, sockets);
  return { endpoint: `http://127.0.0.1:${port}`, connections: () => accepted, close: closer(server, sockets) };
}

/** Accepts TCP connections and closes them at once, before any answer. */
export async function startHangUpServer(): Promise<Running> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => s.destroy());
  const port = await listen(server, sockets);
  return { endpoint: `http://127.0.0.1:${port}`, close: closer(server, sockets) };
}

/** A plain HTTP server answering every request with `status` and a body of `contentType`. */
export async function startWebServer(status: number, contentType: string, body: string): Promise<Running> {
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  });
  const port = await listen(server, sockets);
  return { endpoint: `http://127.0.0.1:${port}`, close: closer(server, sockets) };
}

/** An HTTPS server whose certificate is self-signed (made with openssl in a temporary directory). */
export async function startSelfSignedTlsServer(): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'bg-discovery-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  const sockets = new Set<Socket>();
  const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>');
  });
  const port = await listen(server, sockets);
  const close = closer(server, sockets);
  return {
    endpoint: `https://127.0.0.1:${port}`,
    close: async () => {
      await close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SeenRequest {
  method: string;
  path: string;
  accessKey: string | undefined;
  signingRegion: string | undefined;
}

/**
 * An S3 endpoint whose credentials are valid but may not list buckets: ListBuckets gets the genuine S3
 * AccessDenied XML; HeadBucket answers per bucket: `buckets` maps a name to 200, 403, or 'moved' (301 to
 * eu-west-1 unless the request is signed for eu-west-1, as Amazon S3 does); anything else is 404.
 */
export async function startListDeniedS3(buckets: Record<string, 200 | 403 | 'moved'>): Promise<Running & { seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers.authorization ?? '';
    const scope = auth.match(/Credential=([^/]+)\/\d{8}\/([^/]+)\/s3\//);
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push({ method: req.method ?? '', path, accessKey: scope?.[1], signingRegion: scope?.[2] });
    const headers = { 'x-amz-request-id': `FAKE${seen.length}`, 'content-type': 'application/xml' };
    if (req.method === 'GET' && path === '/') {
      res.writeHead(403, headers);
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>FAKE${seen.length}</RequestId><HostId>fake-host</HostId></Error>`);
      return;
    }
    const bucket = path.replace(/^\/|\/$/g, '');
    if (req.method === 'HEAD' && bucket && !bucket.includes('/')) {
      const answer = buckets[bucket];
      if (answer === 200) res.writeHead(200, { ...headers, 'x-amz-bucket-region': 'us-east-1' });
      else if (answer === 403) res.writeHead(403, headers);
      else if (answer === 'moved') res.writeHead(scope?.[2] === 'eu-west-1' ? 200 : 301, { ...headers, 'x-amz-bucket-region': 'eu-west-1' });
      else res.writeHead(404, headers);
      res.end();
      return;
    }
    res.writeHead(405, headers);
    res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>MethodNotAllowed</Code><Message>not in this fake</Message></Error>');
  });
  const port = await listen(server, sockets);
  return { endpoint: `http://127.0.0.1:${port}`, seen, close: closer(server, sockets) };
}

/** Accepts TCP connections, writes `banner` (e.g. an SSH greeting) and closes: a port that does not speak HTTP. */
export async function startBannerServer(banner: string): Promise<Running> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => {
    s.on('error', () => undefined);
    s.end(banner);
  });
  const port = await listen(server, sockets);
  return { endpoint: `http://127.0.0.1:${port}`, close: closer(server, sockets) };
}

/**
 * A hostile "S3" endpoint: ListBuckets answers 200 with a valid-looking ListAllMyBucketsResult that goes on
 * for `totalBytes`, generated on the fly and sent chunked (or, with `announce`, with that Content-Length).
 * It writes only as fast as the client reads and stops when the client goes away; `sent()` is the bytes written.
 */
export async function startHugeListingServer(totalBytes: number, opts: { announce?: boolean } = {}): Promise<Running & { sent: () => number; finished: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let sent = 0;
  let done: Promise<void> = Promise.resolve();
  const server = createHttpServer((_req, res) => {
    const head = '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>x</ID></Owner><Buckets>';
    res.writeHead(200, { 'content-type': 'application/xml', ...(opts.announce ? { 'content-length': String(totalBytes) } : {}) });
    done = new Promise<void>((resolve) => {
      res.on('close', resolve);
      let n = 0;
      const entry = () => `<Bucket><Name>bucket-${String(n++).padStart(8, '0')}</Name><CreationDate>2024-05-01T10:00:00.000Z</CreationDate></Bucket>`;
      const chunk = () => {
        let s = '';
        while (s.length < 64 * 1024) s += entry();
        return s;
      };
      const pump = () => {
        if (sent === 0) {
          sent += head.length;
          res.write(head);
        }
        while (!res.destroyed && sent < totalBytes) {
          const c = chunk();
          sent += c.length;
          if (!res.write(c)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end('</Buckets></ListAllMyBucketsResult>');
      };
      pump();
    });
  });
  const port = await listen(server, sockets);
  return { endpoint: `http://127.0.0.1:${port}`, sent: () => sent, finished: () => done, close: closer(server, sockets) };
}
