import { createReadStream, existsSync, realpathSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bucketgate</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>bucketgate config service</h1>
<p>The web UI is not built (no <code>WEB_DIST_DIR</code> directory). Build it with <code>pnpm build</code> in <code>apps/web</code>,
or set <code>WEB_DIST_DIR</code> to the directory holding its <code>index.html</code>.</p>
<p>The REST API works without it: <a href="/api/datasources"><code>GET /api/datasources</code></a>,
<code>POST /api/datasources</code>, <a href="/api/gateways"><code>GET /api/gateways</code></a>,
<a href="/api/health"><code>GET /api/health</code></a>.</p>
</body></html>
`;

type Next = (err?: unknown) => void;

/**
 * Serves the built web page for GET/HEAD outside /api: the file when it exists, `index.html` for other paths
 * without a file extension (client-side routes), never anything outside the directory. Without a directory,
 * `/` explains that the UI is not built.
 */
export function staticFiles(dir: string | undefined) {
  const root = dir && existsSync(dir) ? resolve(dir) : undefined;
  const realRoot = root ? realpathSync(root) : undefined;

  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (rawPath === '/api' || rawPath.startsWith('/api/')) return next();
    if (!root || !realRoot) {
      if (rawPath === '/' || rawPath === '/index.html') return send(req, res, 200, 'text/html; charset=utf-8', NOT_BUILT_PAGE);
      return next();
    }
    serve(root, realRoot, rawPath, req, res).then((served) => (served ? undefined : next()), next);
  };
}

async function serve(root: string, realRoot: string, rawPath: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return false;
  }
  if (path.includes('\0') || path.includes('\\')) return false;
  const candidate = resolve(root, `.${path}`);
  if (candidate !== root && !candidate.startsWith(root + sep)) return false;

  const file = (await fileInside(candidate, realRoot)) ?? (await fileInside(resolve(candidate, 'index.html'), realRoot));
  if (file) return sendFile(req, res, file);
  // a client-side route (no extension) gets the app; a missing asset stays a 404
  if (extname(path) === '') {
    const index = await fileInside(resolve(root, 'index.html'), realRoot);
    if (index) return sendFile(req, res, index);
  }
  return false;
}

/** The real path of a regular file that lies inside the root after resolving symlinks, else undefined. */
async function fileInside(path: string, realRoot: string): Promise<string | undefined> {
  try {
    const real = await realpath(path);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string): Promise<boolean> {
  const { size } = await stat(file);
  const type = contentTypeFor(file);
  res.statusCode = 200;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', size);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', type.startsWith('text/html') ? 'no-cache' : 'public, max-age=3600');
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  await pipeline(createReadStream(file), res).catch(() => res.destroy());
  return true;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-cache');
  res.end(req.method === 'HEAD' ? undefined : body);
}
