import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DatasourceWithCredentials, EVENTS_STREAM, KV, ListDatasources, ResolveDatasource, UpdateDatasource, CreateDatasource } from '@bucketgate/contracts';
import { RpcClient } from '@bucketgate/runtime';
import { startNatsServer, type TestNats } from '@bucketgate/runtime/testing';
import { api, bootApp, datasourceBody, newMasterKey, type BootedApp } from './support.js';

describe('config service (REST + NATS, real NATS)', () => {
  let nats: TestNats;
  let app: BootedApp;
  let base: string;
  let rpc: RpcClient;
  let nc: NatsConnection;
  /** Every secret the tests create, to check none of them is ever shown or logged where it must not be. */
  const secrets: string[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    app = await bootApp(nats.url, { BUCKETGATE_MASTER_KEY: newMasterKey() });
    base = app.url;
    rpc = new RpcClient([nats.url], 'test');
    await rpc.connect();
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await rpc?.close();
    await nc?.close();
    await app?.close();
    await nats?.close();
  });

  async function create(name: string, extra: Record<string, unknown> = {}) {
    const body = datasourceBody(name, extra);
    const res = await api(base, 'POST', '/api/datasources', body);
    expect(res.status).toBe(201);
    const parsed = DatasourceWithCredentials.parse(res.json);
    secrets.push(body.apiSecret as string, parsed.credentials.secretAccessKey);
    return { body, res: parsed };
  }

  it('answers health', async () => {
    expect(await api(base, 'GET', '/api/health')).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('creates a datasource (skipCheck) and returns the issued credentials once, never again', async () => {
    const { body, res } = await create('cells', { region: 'us-east-1' });
    expect(res.credentials.accessKeyId).toMatch(/^BG[A-Z0-9]{18}$/);
    expect(res.credentials.secretAccessKey).toMatch(/^[A-Za-z0-9/+]{40}$/);
    expect(res.gateway.endpoint).toBe('http://127.0.0.1:9100');
    expect(res.datasource).toMatchObject({ name: 'cells', endpoint: 'http://127.0.0.1:8000', region: 'us-east-1', pathStyle: true, buckets: ['alpha-bucket', 'beta-bucket'], bucketsRegexp: null, apiKey: 'AKIAREMOTEKEY', accessKeyId: res.credentials.accessKeyId });

    const one = await api(base, 'GET', '/api/datasources/cells');
    const all = await api(base, 'GET', '/api/datasources');
    expect(one.status).toBe(200);
    expect(one.headers.get('etag')).toBe(`"${res.datasource.revision}"`);
    expect(one.json).toEqual(res.datasource);
    expect(all.json.datasources.map((d: { name: string }) => d.name)).toContain('cells');
    for (const text of [one.text, all.text]) {
      expect(text).not.toContain(body.apiSecret as string);
      expect(text).not.toContain(res.credentials.secretAccessKey);
      expect(text).not.toMatch(/apiSecret|secretAccessKey/);
    }
  });

  it('refuses a duplicate name with 409 CONFLICT', async () => {
    await create('dup');
    const res = await api(base, 'POST', '/api/datasources', datasourceBody('dup'));
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: 'CONFLICT', message: 'datasource "dup" already exists' });
  });

  it.each([
    ['a bad name', datasourceBody('Bad_Name'), /name: name must be 1-63 characters of a-z, 0-9 and "-"/],
    ['an endpoint without a scheme', datasourceBody('ep', { endpoint: '10.0.0.5:9000' }), /write it as http:\/\/10\.0\.0\.5:9000 or https:\/\/10\.0\.0\.5:9000/],
    ['both selections', datasourceBody('both', { bucketsRegexp: '.*' }), /either buckets or bucketsRegexp, not both/],
    ['no selection', datasourceBody('none', { buckets: undefined }), /select buckets: give buckets .* or bucketsRegexp/],
    ['a regexp that does not compile', datasourceBody('re', { buckets: undefined, bucketsRegexp: '(' }), /bucketsRegexp does not compile: .*missing closing \)/],
    ['an unknown field', datasourceBody('unk', { colour: 'blue' }), /Unrecognized key: "colour"/],
    ['a missing secret', datasourceBody('nosecret', { apiSecret: '' }), /apiSecret: apiSecret is required/],
    ['a bad bucket name', datasourceBody('bb', { buckets: ['x'] }), /buckets\.0: bucket names are 3-63 characters/],
  ])('refuses %s with 400 INVALID and says what is wrong', async (_what, body, message) => {
    const res = await api(base, 'POST', '/api/datasources', body);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('INVALID');
    expect(res.json.error.message).toMatch(message);
  });

  it.each([
    ['malformed JSON', '{"name": "x",', {}, /not valid JSON/],
    ['a non-JSON content type', '{}', { 'content-type': 'text/plain' }, /Content-Type: application\/json.*got "text\/plain"/],
    ['a form post', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }, /Content-Type: application\/json/],
    ['a JSON array', '[]', {}, /expected object/i],
    ['a huge body', JSON.stringify({ ...datasourceBody('huge'), junk: 'x'.repeat(200 * 1024) }), {}, /larger than 64 KiB/],
  ])('refuses %s with 400 INVALID', async (_what, raw, headers, message) => {
    const res = await api(base, 'POST', '/api/datasources', raw, headers);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'INVALID', message: expect.stringMatching(message) });
  });

  it('refuses an empty body', async () => {
    const res = await api(base, 'POST', '/api/datasources');
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/needs a JSON object body/);
  });

  it('accepts a hostile-looking regexp quickly (RE2, linear time)', async () => {
    const started = Date.now();
    const { res } = await create('hostile', { buckets: undefined, bucketsRegexp: '(a+)+$' });
    expect(res.datasource.bucketsRegexp).toBe('(a+)+$');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers unknown /api routes with a JSON 404', async () => {
    const res = await api(base, 'GET', '/api/nope');
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('/api/nope') });
    expect((await api(base, 'GET', '/api/datasources/missing')).json.error).toEqual({ code: 'NOT_FOUND', message: 'datasource "missing" does not exist', details: { name: 'missing' } });
  });

  it('shows a page at / saying the web UI is not built', async () => {
    const res = await api(base, 'GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toMatch(/web UI is not built/);
  });

  describe('PATCH', () => {
    it('updates what it is given and keeps the rest', async () => {
      await create('patchme');
      const res = await api(base, 'PATCH', '/api/datasources/patchme', { bucketsRegexp: '^cells-', readOnly: true, skipCheck: true });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ bucketsRegexp: '^cells-', buckets: null, readOnly: true, endpoint: 'http://127.0.0.1:8000' });
      expect(res.headers.get('etag')).toBe(`"${res.json.revision}"`);
    });

    it('lets exactly one of two concurrent PATCHes from the same revision win; the other gets 409', async () => {
      await create('race');
      const etag = (await api(base, 'GET', '/api/datasources/race')).headers.get('etag')!;
      const results = await Promise.all([
        api(base, 'PATCH', '/api/datasources/race', { region: 'eu-west-1', skipCheck: true }, { 'if-match': etag }),
        api(base, 'PATCH', '/api/datasources/race', { region: 'us-west-2', skipCheck: true }, { 'if-match': etag }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const loser = results.find((r) => r.status === 409)!;
      expect(loser.json.error.message).toMatch(/modified concurrently.*re-read it and retry/);
      const winner = results.find((r) => r.status === 200)!;
      expect((await api(base, 'GET', '/api/datasources/race')).json.region).toBe(winner.json.region);
    });

    it('lets concurrent PATCHes without a condition race safely: each is applied on a fresh read or refused with 409', async () => {
      await create('race2');
      const results = await Promise.all(
        ['eu-west-1', 'us-west-2', 'ap-south-1'].map((region) => api(base, 'PATCH', '/api/datasources/race2', { region, skipCheck: true })),
      );
      for (const r of results) expect([200, 409]).toContain(r.status);
      const winners = results.filter((r) => r.status === 200).map((r) => r.json.revision as number);
      expect(new Set(winners).size).toBe(winners.length); // no two writes claim the same revision
      const final = (await api(base, 'GET', '/api/datasources/race2')).json;
      expect(final.revision).toBe(Math.max(...winners));
    });

    it('refuses a stale If-Match or expectedRevision with 409', async () => {
      const { res } = await create('stale');
      const first = res.datasource.revision;
      expect((await api(base, 'PATCH', '/api/datasources/stale', { readOnly: true }, { 'if-match': `"${first}"` })).status).toBe(200);
      const stale = await api(base, 'PATCH', '/api/datasources/stale', { readOnly: false }, { 'if-match': `"${first}"` });
      expect(stale.status).toBe(409);
      expect(stale.json.error.code).toBe('CONFLICT');
      expect((await api(base, 'PATCH', `/api/datasources/stale?expectedRevision=${first}`, { readOnly: false })).status).toBe(409);
      expect((await api(base, 'PATCH', '/api/datasources/stale', { readOnly: false }, { 'if-match': 'nonsense' })).status).toBe(400);
    });

    it('refuses a bad patch with 400 and a missing datasource with 404', async () => {
      await create('badpatch');
      const both = await api(base, 'PATCH', '/api/datasources/badpatch', { buckets: ['abc'], bucketsRegexp: '.*' });
      expect(both.status).toBe(400);
      expect(both.json.error.message).toMatch(/not both/);
      expect((await api(base, 'PATCH', '/api/datasources/badpatch', { name: 'other' })).json.error.message).toMatch(/Unrecognized key: "name"/);
      expect((await api(base, 'PATCH', '/api/datasources/nothere', { readOnly: true })).status).toBe(404);
    });
  });

  it('deletes a datasource; then it is 404, and deleting again is 404', async () => {
    await create('gone');
    expect(await api(base, 'DELETE', '/api/datasources/gone')).toMatchObject({ status: 200, json: { deleted: true } });
    expect((await api(base, 'GET', '/api/datasources/gone')).status).toBe(404);
    expect((await api(base, 'DELETE', '/api/datasources/gone')).status).toBe(404);
    // the name is free again
    await create('gone');
  });

  it('refuses a delete with a stale revision', async () => {
    const { res } = await create('keepme');
    await api(base, 'PATCH', '/api/datasources/keepme', { readOnly: true });
    const del = await api(base, 'DELETE', `/api/datasources/keepme?expectedRevision=${res.datasource.revision}`);
    expect(del.status).toBe(409);
    expect((await api(base, 'GET', '/api/datasources/keepme')).status).toBe(200);
  });

  it('re-issues credentials: new keys returned once, resolve serves only the new ones', async () => {
    const { res: created } = await create('reissue');
    const again = await api(base, 'POST', '/api/datasources/reissue/credentials');
    expect(again.status).toBe(200);
    const fresh = DatasourceWithCredentials.parse(again.json);
    secrets.push(fresh.credentials.secretAccessKey);
    expect(fresh.credentials.accessKeyId).not.toBe(created.credentials.accessKeyId);
    expect(fresh.datasource.accessKeyId).toBe(fresh.credentials.accessKeyId);
    const worker = await rpc.call(ResolveDatasource, { name: 'reissue' });
    expect(worker.issued).toEqual(fresh.credentials);
    expect((await api(base, 'GET', '/api/datasources/reissue')).text).not.toContain(fresh.credentials.secretAccessKey);
    expect((await api(base, 'POST', '/api/datasources/nothere/credentials')).status).toBe(404);
  });

  it('resolves a datasource over NATS with decrypted secrets, and never over REST', async () => {
    const { body, res } = await create('resolved', { readOnly: true });
    const worker = await rpc.call(ResolveDatasource, { name: 'resolved' });
    expect(worker).toEqual({
      name: 'resolved',
      revision: res.datasource.revision,
      endpoint: 'http://127.0.0.1:8000',
      region: null,
      pathStyle: true,
      readOnly: true,
      buckets: ['alpha-bucket', 'beta-bucket'],
      bucketsRegexp: null,
      remote: { accessKeyId: 'AKIAREMOTEKEY', secretAccessKey: body.apiSecret },
      issued: res.credentials,
    });
    expect((await api(base, 'GET', '/api/datasources/resolved/resolve')).status).toBe(404);
    await expect(rpc.call(ResolveDatasource, { name: 'nothere' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('serves the same operations over NATS RPC, validated with the contract', async () => {
    const created = await rpc.call(CreateDatasource, { ...datasourceBody('viarpc'), skipCheck: true } as never);
    secrets.push(`remote-secret-viarpc-Zq8/+`, created.credentials.secretAccessKey);
    const updated = await rpc.call(UpdateDatasource, { name: 'viarpc', patch: { readOnly: true }, expectedRevision: created.datasource.revision });
    expect(updated.readOnly).toBe(true);
    await expect(rpc.call(UpdateDatasource, { name: 'viarpc', patch: { readOnly: false }, expectedRevision: created.datasource.revision })).rejects.toMatchObject({ code: 'CONFLICT' });
    const { datasources } = await rpc.call(ListDatasources, {});
    expect(datasources.find((d) => d.name === 'viarpc')).toMatchObject({ readOnly: true });
    // a malformed message that bypasses client-side validation is refused by the handler with INVALID
    const raw = await nc.request('config.v1.datasource.get', JSON.stringify({ pattern: 'config.v1.datasource.get', id: '1', data: { name: 'Bad Name' } }));
    expect(raw.json<{ err: { code: string; message: string } }>().err).toMatchObject({ code: 'INVALID', message: expect.stringMatching(/name must be/) });
  });

  it('stores only encrypted secrets in KV (raw bytes never contain a secret)', async () => {
    const { body, res } = await create('rawkv');
    const kv = await new Kvm(nc).open(KV.datasources);
    const entry = await kv.get('rawkv');
    const raw = Buffer.from(entry!.value).toString('latin1');
    expect(entry!.revision).toBe(res.datasource.revision);
    expect(raw).toContain('AKIAREMOTEKEY');
    expect(raw).not.toContain(body.apiSecret as string);
    expect(raw).not.toContain(res.credentials.secretAccessKey);
    expect(raw).toMatch(/"apiSecretEnc":"v1\./);
    const status = await kv.status();
    expect(status.history).toBe(10);
  });

  it('publishes created/updated/deleted events to the BUCKETGATE_EVENTS stream (file storage, 7 days, explicit subjects)', async () => {
    const { res } = await create('evented');
    const upd = await api(base, 'PATCH', '/api/datasources/evented', { readOnly: true });
    await api(base, 'DELETE', '/api/datasources/evented');

    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(EVENTS_STREAM.name);
    expect(info.config.subjects.sort()).toEqual([...EVENTS_STREAM.subjects].sort());
    expect(info.config.storage).toBe('file');
    expect(info.config.max_age).toBe(7 * 24 * 3600 * 1e9);

    const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM.name);
    const seen: { subject: string; data: { name: string; revision: number; at: string }; raw: string }[] = [];
    const batch = await consumer.fetch({ max_messages: 500, expires: 1_000 });
    for await (const m of batch) seen.push({ subject: m.subject, data: m.json(), raw: m.string() });
    const mine = seen.filter((e) => e.data.name === 'evented');
    expect(mine.map((e) => e.subject)).toEqual(['config.v1.datasource.created', 'config.v1.datasource.updated', 'config.v1.datasource.deleted']);
    expect(mine[0]!.data.revision).toBe(res.datasource.revision);
    expect(mine[1]!.data.revision).toBe(upd.json.revision);
    expect(mine[2]!.data.revision).toBeGreaterThan(upd.json.revision);
    for (const e of seen) for (const s of secrets) expect(e.raw).not.toContain(s);
  });

  it('lists live gateways from their heartbeats in KV bg_gateways', async () => {
    const kv = await new Kvm(nc).create(KV.gateways, { history: 1, ttl: 15_000 });
    const status = { instanceId: 'gw-test-1', endpoint: 'http://127.0.0.1:9100', startedAt: new Date().toISOString(), at: new Date().toISOString(), workers: [{ name: 'cells', revision: 1, state: 'serving' }] };
    await kv.put('gw-test-1', JSON.stringify(status));
    await kv.put('gw-broken', 'not json');
    const res = await api(base, 'GET', '/api/gateways');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ gateways: [status] });
  });

  it('answers 503 UNAVAILABLE quickly when discovery is not running and the check is requested', async () => {
    const started = Date.now();
    const res = await api(base, 'POST', '/api/datasources', datasourceBody('nodiscovery', { skipCheck: false }));
    expect(res.status).toBe(503);
    expect(res.json.error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/discovery service is not reachable.*skipCheck/) });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await api(base, 'GET', '/api/datasources/nodiscovery')).status).toBe(404);
    const buckets = await api(base, 'POST', '/api/buckets', { apiKey: 'AK', apiSecret: 'S', endpoint: 'http://127.0.0.1:8000' });
    expect(buckets.status).toBe(503);
  });

  it('never logged a secret', () => {
    const logs = app.logs();
    expect(logs).toContain('datasource created');
    expect(secrets.length).toBeGreaterThan(10);
    for (const s of secrets) expect(logs).not.toContain(s);
  });
});
