import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticFiles } from './static-files.js';

/** Raw GET (fetch would normalize `..` away, a hostile client does not). */
function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(dir: string | undefined): Promise<{ server: Server; port: number }> {
  const handler = staticFiles(dir);
  const server = createServer((req, res) =>
    handler(req, res, () => {
      res.statusCode = 404;
      res.end('next');
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

describe(staticFiles.name, () => {
  let base: string;
  let site: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'bg-web-'));
    site = join(base, 'dist');
    mkdirSync(join(site, 'assets'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(site, 'assets', 'app-1a2b.js'), 'console.log(1)');
    writeFileSync(join(site, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(site, 'logo.svg'), '<svg/>');
    writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
    symlinkSync(join(base, 'secret.txt'), join(site, 'link.txt'));
    ({ server, port } = await serve(site));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(base, { recursive: true, force: true });
  });

  it.each([
    ['/', 'text/html; charset=utf-8', '<!doctype html><title>app</title>'],
    ['/index.html', 'text/html; charset=utf-8', '<!doctype html><title>app</title>'],
    ['/assets/app-1a2b.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
    ['/assets/app.css', 'text/css; charset=utf-8', 'body{}'],
    ['/logo.svg', 'image/svg+xml', '<svg/>'],
    ['/datasources/cells/edit', 'text/html; charset=utf-8', '<!doctype html><title>app</title>'],
  ])('serves %s as %s', async (path, type, body) => {
    expect(await get(port, path)).toEqual({ status: 200, type, body });
  });

  it('answers HEAD without a body', async () => {
    expect(await get(port, '/assets/app.css', 'HEAD')).toEqual({ status: 200, type: 'text/css; charset=utf-8', body: '' });
  });

  it.each(['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/link.txt', '/..%5csecret.txt'])(
    'never serves a file outside the directory (%s)',
    async (path) => {
      const res = await get(port, path);
      expect(res.body).not.toContain('TOP SECRET');
    },
  );

  it('leaves a missing asset, /api and non-GET requests to the next handler', async () => {
    expect(await get(port, '/assets/missing.js')).toMatchObject({ status: 404, body: 'next' });
    expect(await get(port, '/api/datasources')).toMatchObject({ status: 404, body: 'next' });
    expect(await get(port, '/', 'POST')).toMatchObject({ status: 404, body: 'next' });
  });

  it('explains at / that the UI is not built when the directory does not exist', async () => {
    const other = await serve(join(base, 'does-not-exist'));
    try {
      const res = await get(other.port, '/');
      expect(res).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
      expect(res.body).toMatch(/web UI is not built/);
      expect(res.body).toContain('/api/datasources');
      expect(await get(other.port, '/api/health')).toMatchObject({ body: 'next' });
    } finally {
      await new Promise((r) => other.server.close(r));
    }
  });
});
