import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DatasourceWithCredentials, ResolveDatasource } from '@bucketgate/contracts';
import { RpcClient } from '@bucketgate/runtime';
import { startNatsServer, type TestNats } from '@bucketgate/runtime/testing';
import { startConfigApp } from '../src/app.js';
import { loadEnv } from '../src/config/env.js';
import { api, bootApp, datasourceBody, eventually, newMasterKey, type BootedApp } from './support.js';

describe('config service persistence (restarts of NATS and of the service)', () => {
  let nats: TestNats;
  let rpc: RpcClient;
  let dir: string;
  const key = newMasterKey();
  let app: BootedApp | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    rpc = new RpcClient([nats.url], 'test');
    await rpc.connect();
    dir = mkdtempSync(join(tmpdir(), 'bg-config-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await rpc?.close();
    await nats?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function create(base: string, name: string) {
    const body = datasourceBody(name);
    const res = await api(base, 'POST', '/api/datasources', body);
    expect(res.status).toBe(201);
    return { secret: body.apiSecret as string, created: DatasourceWithCredentials.parse(res.json) };
  }

  it('keeps datasources across a NATS restart, reports UNAVAILABLE while NATS is down, and serves again after', async () => {
    app = await bootApp(nats.url, { BUCKETGATE_MASTER_KEY: key });
    const { secret, created } = await create(app.url, 'survivor');

    await nats.stop();
    const down = await api(app.url, 'GET', '/api/datasources/survivor');
    expect(down.status).toBe(503);
    expect(down.json.error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/NATS JetStream.*retry/) });

    await nats.restart();
    const back = await eventually(async () => {
      const res = await api(app!.url, 'GET', '/api/datasources/survivor');
      if (res.status !== 200) throw new Error(`status ${res.status}: ${res.text}`);
      return res;
    });
    expect(back.json).toEqual(created.datasource);
    const worker = await eventually(() => rpc.call(ResolveDatasource, { name: 'survivor' }, { timeoutMs: 2_000 }));
    expect(worker.remote.secretAccessKey).toBe(secret);
    expect(worker.issued).toEqual(created.credentials);
    // writes work again too
    await eventually(async () => {
      const res = await api(app!.url, 'POST', '/api/datasources', datasourceBody('after-restart'));
      if (res.status !== 201) throw new Error(`status ${res.status}: ${res.text}`);
    });
  }, 60_000);

  it('keeps datasources across a restart of the service (same master key) and decrypts them', async () => {
    app = await bootApp(nats.url, { BUCKETGATE_MASTER_KEY: key });
    const { secret, created } = await create(app.url, 'twice');
    await app.close();

    app = await bootApp(nats.url, { BUCKETGATE_MASTER_KEY: key });
    expect((await api(app.url, 'GET', '/api/datasources/twice')).json).toEqual(created.datasource);
    const worker = await rpc.call(ResolveDatasource, { name: 'twice' });
    expect(worker.remote.secretAccessKey).toBe(secret);
    expect(worker.issued).toEqual(created.credentials);
  });

  it('generates a 0600 key file on first boot and reuses it on the next boot', async () => {
    const file = join(dir, 'data', 'master.key');
    const isolated = await startNatsServer();
    try {
      app = await bootApp(isolated.url, { BUCKETGATE_MASTER_KEY_FILE: file });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const { secret } = await create(app.url, 'keyfile');
      await app.close();
      app = await bootApp(isolated.url, { BUCKETGATE_MASTER_KEY_FILE: file });
      const client = new RpcClient([isolated.url], 'test');
      await client.connect();
      try {
        expect((await client.call(ResolveDatasource, { name: 'keyfile' })).remote.secretAccessKey).toBe(secret);
      } finally {
        await client.close();
      }
    } finally {
      await app?.close();
      app = undefined;
      await isolated.close();
    }
  });

  it('with the wrong master key: views still work, resolve is a clear INTERNAL error naming the datasource', async () => {
    app = await bootApp(nats.url, { BUCKETGATE_MASTER_KEY: key });
    await create(app.url, 'wrongkey');
    await app.close();

    app = await bootApp(nats.url, { BUCKETGATE_MASTER_KEY: newMasterKey() });
    expect((await api(app.url, 'GET', '/api/datasources/wrongkey')).status).toBe(200);
    expect((await api(app.url, 'GET', '/api/datasources')).status).toBe(200);
    await expect(rpc.call(ResolveDatasource, { name: 'wrongkey' })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/datasource "wrongkey" cannot be decrypted with this master key/),
    });
    // an endpoint change has to decrypt the stored secret to re-check it: same clear error over REST
    const res = await api(app.url, 'PATCH', '/api/datasources/wrongkey', { endpoint: 'http://127.0.0.1:9000' });
    expect(res.status).toBe(500);
    expect(res.json.error.message).toMatch(/datasource "wrongkey" cannot be decrypted/);
    // the service keeps serving
    expect((await api(app.url, 'GET', '/api/health')).status).toBe(200);
  });

  it.each([
    ['not base64', 'not base64 at all!', /BUCKETGATE_MASTER_KEY is not base64/],
    ['16 bytes', Buffer.alloc(16, 1).toString('base64'), /BUCKETGATE_MASTER_KEY decodes to 16 bytes: it must be the base64 encoding of exactly 32 bytes/],
  ])('refuses to start with a master key that is %s', async (_what, badKey, message) => {
    const env = loadEnv({ NATS_URL: nats.url, CONFIG_PORT: '0', BUCKETGATE_MASTER_KEY: badKey });
    await expect(startConfigApp(env, pino({ level: 'silent' }))).rejects.toThrow(message);
  });

  it('refuses a bad environment with a message naming the variable', () => {
    expect(() => loadEnv({ CONFIG_PORT: 'eighty' })).toThrow(/CONFIG_PORT/);
    expect(() => loadEnv({ GATEWAY_PUBLIC_URL: 'gateway:9100' })).toThrow(/GATEWAY_PUBLIC_URL/);
  });
});
