import { request } from 'node:http';
import { DatasourceWithCredentials, ResolveDatasource } from '@bucketgate/contracts';
import { RpcClient } from '@bucketgate/runtime';
import { startNatsServer, type TestNats } from '@bucketgate/runtime/testing';
import { api, bootApp, datasourceBody, newMasterKey, type BootedApp } from './support.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  text: string;
}

/** One HTTP call with exactly the given headers (fetch would not let a test choose Host). */
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = 'application/x-www-form-urlencoded';

describe('config service REST edge: CSRF, DNS rebinding, 405, query checks (real NATS)', () => {
  let nats: TestNats;
  let app: BootedApp;
  let base: string;
  let own: string;
  let rpc: RpcClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    app = await bootApp(nats.url, { BUCKETGATE_MASTER_KEY: newMasterKey() });
    base = app.url;
    own = new URL(base).host;
    rpc = new RpcClient([nats.url], 'test');
    await rpc.connect();
  });
  afterAll(async () => {
    await rpc?.close();
    await app?.close();
    await nats?.close();
  });

  async function create(name: string, extra: Record<string, unknown> = {}) {
    const res = await api(base, 'POST', '/api/datasources', datasourceBody(name, extra));
    expect(res.status).toBe(201);
    return DatasourceWithCredentials.parse(res.json);
  }
  const issuedKey = async (name: string) => (await rpc.call(ResolveDatasource, { name })).issued.accessKeyId;

  describe('CSRF', () => {
    it('refuses a cross-origin form POST (any web page the operator visits) with 403 and rotates nothing', async () => {
      const created = await create('csrf-form');
      const res = await raw(base, 'POST', '/api/datasources/csrf-form/credentials', { origin: 'http://evil.example.com', 'content-type': FORM, 'content-length': '0' });
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ code: 'ACCESS_DENIED', message: expect.stringMatching(/Origin "http:\/\/evil.example.com" may not change bucketgate.*CONFIG_ALLOWED_ORIGINS/) });
      expect(await issuedKey('csrf-form')).toBe(created.credentials.accessKeyId);
    });

    it.each([
      ['a text/plain JSON body (a "simple" cross-site request)', { origin: 'http://evil.example.com', 'content-type': 'text/plain' }, '{}'],
      ['a bodyless DELETE-like POST from another port of localhost', { origin: 'http://127.0.0.1:1' }, undefined],
      ['Origin: null (sandboxed frame, file:// page)', { origin: 'null', 'content-type': 'application/json' }, '{}'],
      ['a JSON POST from a foreign origin', { origin: 'https://evil.example.com', 'content-type': 'application/json' }, '{}'],
    ])('refuses %s with 403 and rotates nothing', async (_what, headers, body) => {
      const created = await create(`csrf-${Math.random().toString(36).slice(2, 8)}`);
      const name = created.datasource.name;
      const res = await raw(base, 'POST', `/api/datasources/${name}/credentials`, headers as Record<string, string>, body);
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('ACCESS_DENIED');
      expect(await issuedKey(name)).toBe(created.credentials.accessKeyId);
    });

    it('refuses a cross-origin DELETE and PATCH; the datasource is untouched', async () => {
      const created = await create('csrf-del');
      expect((await raw(base, 'DELETE', '/api/datasources/csrf-del', { origin: 'http://evil.example.com' })).status).toBe(403);
      const patch = await raw(base, 'PATCH', '/api/datasources/csrf-del', { origin: 'http://evil.example.com', 'content-type': 'application/json' }, '{"readOnly":true}');
      expect(patch.status).toBe(403);
      expect((await api(base, 'GET', '/api/datasources/csrf-del')).json).toMatchObject({ readOnly: false, revision: created.datasource.revision });
    });

    it('refuses a bodyless form POST without Origin (old browsers) with 400: JSON only, and rotates nothing', async () => {
      const created = await create('csrf-noorigin');
      const res = await raw(base, 'POST', '/api/datasources/csrf-noorigin/credentials', { 'content-type': FORM, 'content-length': '0' });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'INVALID', message: expect.stringMatching(/Content-Type: application\/json.*got "application\/x-www-form-urlencoded"/) });
      expect(await issuedKey('csrf-noorigin')).toBe(created.credentials.accessKeyId);
    });

    it('lets the service\'s own page (same origin) work the way apps/web calls it: JSON bodies, bodyless re-issue and DELETE', async () => {
      const sameOrigin = { origin: `http://${own}` };
      const body = JSON.stringify(datasourceBody('same-origin'));
      const created = await raw(base, 'POST', '/api/datasources', { ...sameOrigin, 'content-type': 'application/json', accept: 'application/json' }, body);
      expect(created.status).toBe(201);
      const before = DatasourceWithCredentials.parse(created.json).credentials.accessKeyId;
      const reissued = await raw(base, 'POST', '/api/datasources/same-origin/credentials', { ...sameOrigin, accept: 'application/json' });
      expect(reissued.status).toBe(200);
      expect(await issuedKey('same-origin')).toBe(reissued.json.credentials.accessKeyId);
      expect(reissued.json.credentials.accessKeyId).not.toBe(before);
      const patched = await raw(base, 'PATCH', '/api/datasources/same-origin', { ...sameOrigin, 'content-type': 'application/json', 'if-match': `"${reissued.json.datasource.revision}"` }, '{"readOnly":true}');
      expect(patched.status).toBe(200);
      const deleted = await raw(base, 'DELETE', `/api/datasources/same-origin?expectedRevision=${patched.json.revision}`, sameOrigin);
      expect(deleted).toMatchObject({ status: 200, json: { deleted: true } });
    });

    it('lets clients without Origin (curl, SDKs) call with JSON, and with no body and no Content-Type', async () => {
      const created = await create('no-origin');
      const res = await raw(base, 'POST', '/api/datasources/no-origin/credentials', { 'content-type': 'application/json' });
      expect(res.status).toBe(200);
      expect(res.json.credentials.accessKeyId).not.toBe(created.credentials.accessKeyId);
      const bare = await raw(base, 'POST', '/api/datasources/no-origin/credentials');
      expect(bare.status).toBe(200);
      expect(await issuedKey('no-origin')).toBe(bare.json.credentials.accessKeyId);
    });
  });

  describe('Host (DNS rebinding)', () => {
    it.each(['/', '/api/datasources', '/api/health'])('refuses GET %s with a foreign Host, naming CONFIG_ALLOWED_HOSTS', async (path) => {
      const res = await raw(base, 'GET', path, { host: 'evil.example.com:8080' });
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ code: 'ACCESS_DENIED', message: expect.stringMatching(/Host "evil.example.com:8080".*CONFIG_ALLOWED_HOSTS/) });
    });

    it('refuses a state change through a rebound name even from "its own" origin; nothing rotated', async () => {
      const created = await create('rebind');
      const res = await raw(base, 'POST', '/api/datasources/rebind/credentials', { host: 'evil.example.com', origin: 'http://evil.example.com', 'content-type': 'application/json' });
      expect(res.status).toBe(403);
      expect(await issuedKey('rebind')).toBe(created.credentials.accessKeyId);
    });

    it('answers loopback names on any spelling', async () => {
      const port = new URL(base).port;
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `127.0.0.2:${port}`]) {
        expect((await raw(base, 'GET', '/api/health', { host })).status).toBe(200);
      }
    });

    it('answers the names in CONFIG_ALLOWED_HOSTS and trusts the origins in CONFIG_ALLOWED_ORIGINS', async () => {
      const proxied = await bootApp(nats.url, {
        BUCKETGATE_MASTER_KEY: newMasterKey(),
        CONFIG_ALLOWED_HOSTS: 'admin.example.com',
        CONFIG_ALLOWED_ORIGINS: 'https://admin.example.com',
      });
      try {
        expect((await raw(proxied.url, 'GET', '/api/health', { host: 'admin.example.com' })).status).toBe(200);
        expect((await raw(proxied.url, 'GET', '/api/health', { host: 'other.example.com' })).status).toBe(403);
        const created = await create('via-proxy');
        // a TLS proxy that rewrites Host to the internal address: the browser's Origin is the public one
        const res = await raw(proxied.url, 'POST', '/api/datasources/via-proxy/credentials', { origin: 'https://admin.example.com' });
        expect(res.status).toBe(200);
        expect(res.json.credentials.accessKeyId).not.toBe(created.credentials.accessKeyId);
        expect((await raw(proxied.url, 'POST', '/api/datasources/via-proxy/credentials', { origin: 'https://evil.example.com' })).status).toBe(403);
      } finally {
        await proxied.close();
      }
    });
  });

  describe('routes and queries', () => {
    it.each([
      ['PUT', '/api/datasources/x', 'GET, HEAD, PATCH, DELETE'],
      ['GET', '/api/datasources/x/credentials', 'POST'],
      ['DELETE', '/api/datasources', 'GET, HEAD, POST'],
      ['POST', '/api/gateways', 'GET, HEAD'],
      ['GET', '/api/buckets/create', 'POST'],
    ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
      const res = await raw(base, method, path, { 'content-type': 'application/json' });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.json.error).toMatchObject({ code: 'INVALID', message: `${method} is not allowed on ${path}; it answers to ${allow}` });
    });

    it('still answers a path that does not exist with 404', async () => {
      const res = await raw(base, 'POST', '/api/datasources/x/y', { 'content-type': 'application/json' });
      expect(res.status).toBe(404);
      expect(res.headers.allow).toBeUndefined();
    });

    it('refuses an empty ?expectedRevision= with 400 instead of ignoring it', async () => {
      await create('emptyrev');
      const patch = await api(base, 'PATCH', '/api/datasources/emptyrev?expectedRevision=', { readOnly: true });
      expect(patch.status).toBe(400);
      expect(patch.json.error.message).toMatch(/expectedRevision must be a positive integer/);
      expect((await api(base, 'DELETE', '/api/datasources/emptyrev?expectedRevision=')).status).toBe(400);
      expect((await api(base, 'GET', '/api/datasources/emptyrev')).json).toMatchObject({ readOnly: false });
    });
  });

  describe('bodies', () => {
    it('stores an apiSecret pasted with a trailing newline without the whitespace', async () => {
      await create('pasted', { apiSecret: '  pasted-Secret/+xyz\n' });
      expect((await rpc.call(ResolveDatasource, { name: 'pasted' })).remote.secretAccessKey).toBe('pasted-Secret/+xyz');
    });

    it('refuses an empty bucket list with 400 saying to pick one', async () => {
      const res = await api(base, 'POST', '/api/datasources', datasourceBody('nobuckets', { buckets: [] }));
      expect(res.status).toBe(400);
      expect(res.json.error.message).toMatch(/buckets: pick at least one bucket/);
      expect((await api(base, 'GET', '/api/datasources/nobuckets')).status).toBe(404);
    });
  });
});
