import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { BucketgateError, CheckCredentials, CreateBucket, createBucketMatcher, ListBuckets, type RpcRequest } from '@bucketgate/contracts';
import { natsServerOptions, parseRpc, RpcErrorFilter } from '@bucketgate/runtime';
import { startNatsServer, type TestNats } from '@bucketgate/runtime/testing';
import { api, bootApp, datasourceBody, newMasterKey, type BootedApp } from './support.js';

/** What the stand-in discovery service was asked (the real one is covered by the end-to-end suite). */
const seen: { subject: string; data: Record<string, unknown> }[] = [];

/**
 * A small stand-in for the discovery service on the real contract: same subjects, same schemas, same queue group,
 * with remote behaviour chosen by the key (BADKEY, NOLIST) or endpoint (port 1 = unreachable).
 */
@Controller()
class StandInDiscovery {
  @MessagePattern(CheckCredentials.subject)
  check(@Payload() data: unknown) {
    const req = parseRpc(CheckCredentials, data);
    seen.push({ subject: CheckCredentials.subject, data: req });
    if (req.endpoint === 'http://127.0.0.1:1') throw new BucketgateError('REMOTE_UNREACHABLE', 'cannot connect to http://127.0.0.1:1 (ECONNREFUSED)');
    if (req.apiKey === 'BADKEY') throw new BucketgateError('INVALID_CREDENTIALS', 'the remote refused the access key: InvalidAccessKeyId');
    if (req.apiKey === 'NOLIST') {
      if (!req.buckets?.length) throw new BucketgateError('ACCESS_DENIED', 'the remote refused ListBuckets (AccessDenied); name the buckets explicitly');
      return { canListBuckets: false, missingBuckets: [] };
    }
    return { canListBuckets: true, missingBuckets: (req.buckets ?? []).filter((b) => b.startsWith('missing')) };
  }

  @MessagePattern(ListBuckets.subject)
  list(@Payload() data: unknown) {
    const req = parseRpc(ListBuckets, data);
    seen.push({ subject: ListBuckets.subject, data: req });
    const match = req.bucketsRegexp ? createBucketMatcher({ bucketsRegexp: req.bucketsRegexp }) : createBucketMatcher({ buckets: req.buckets ?? [] });
    const names = ['cells-1', 'cells-2', 'other'];
    return { buckets: names.map((name) => ({ name, createdAt: '2026-01-01T00:00:00.000Z', region: 'us-east-1', selected: match(name) })) };
  }

  @MessagePattern(CreateBucket.subject)
  create(@Payload() data: unknown) {
    const req = parseRpc(CreateBucket, data);
    seen.push({ subject: CreateBucket.subject, data: req });
    return { name: req.bucket, created: true };
  }
}
@Module({ controllers: [StandInDiscovery] })
class StandInModule {}

describe('config service with discovery (credential checks, bucket proxies)', () => {
  let nats: TestNats;
  let discovery: INestMicroservice;
  let app: BootedApp;
  let base: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    discovery = await NestFactory.createMicroservice<MicroserviceOptions>(StandInModule, { ...natsServerOptions([nats.url], 'discovery-service'), logger: false });
    discovery.useGlobalFilters(new RpcErrorFilter());
    await discovery.listen();
    app = await bootApp(nats.url, { BUCKETGATE_MASTER_KEY: newMasterKey() });
    base = app.url;
  });
  beforeEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    await app?.close();
    await discovery?.close();
    await nats?.close();
  });

  const checked = () => seen.filter((s) => s.subject === CheckCredentials.subject).map((s) => s.data);

  it('checks the credentials with the given endpoint, region, path style and buckets before saving', async () => {
    const body = datasourceBody('checked', { skipCheck: false, region: 'eu-central-1', endpoint: ' http://127.0.0.1:8000/ ' });
    const res = await api(base, 'POST', '/api/datasources', body);
    expect(res.status).toBe(201);
    expect(checked()).toEqual([
      { apiKey: 'AKIAREMOTEKEY', apiSecret: body.apiSecret, endpoint: 'http://127.0.0.1:8000', region: 'eu-central-1', pathStyle: true, buckets: ['alpha-bucket', 'beta-bucket'] },
    ]);
  });

  it.each([
    ['credentials the remote refuses', { apiKey: 'BADKEY' }, 400, 'INVALID_CREDENTIALS', /refused the access key: InvalidAccessKeyId/],
    ['an unreachable remote', { endpoint: 'http://127.0.0.1:1' }, 502, 'REMOTE_UNREACHABLE', /ECONNREFUSED/],
    ['a named bucket that does not exist', { buckets: ['alpha-bucket', 'missing-bucket'] }, 400, 'INVALID', /^bucket "missing-bucket" does not exist on the remote storage$/],
    ['a key that may not list buckets with a regexp selection', { apiKey: 'NOLIST', buckets: undefined, bucketsRegexp: '^cells' }, 403, 'ACCESS_DENIED', /refused ListBuckets/],
  ])('refuses %s with the remote reason and saves nothing', async (_what, extra, status, code, message) => {
    const res = await api(base, 'POST', '/api/datasources', datasourceBody('refused', { skipCheck: false, ...extra }));
    expect(res.status).toBe(status);
    expect(res.json.error).toMatchObject({ code, message: expect.stringMatching(message) });
    expect((await api(base, 'GET', '/api/datasources/refused')).status).toBe(404);
  });

  it('accepts a key that may not list buckets when the named buckets exist', async () => {
    const res = await api(base, 'POST', '/api/datasources', datasourceBody('nolist', { skipCheck: false, apiKey: 'NOLIST' }));
    expect(res.status).toBe(201);
  });

  it('re-checks on PATCH when credentials, endpoint or selection change, not for readOnly', async () => {
    await api(base, 'POST', '/api/datasources', datasourceBody('repatch'));
    expect((await api(base, 'PATCH', '/api/datasources/repatch', { readOnly: true })).status).toBe(200);
    expect(checked()).toHaveLength(0);

    const rotated = await api(base, 'PATCH', '/api/datasources/repatch', { apiSecret: 'rotated-secret-value' });
    expect(rotated.status).toBe(200);
    expect(checked()).toEqual([expect.objectContaining({ apiKey: 'AKIAREMOTEKEY', apiSecret: 'rotated-secret-value', buckets: ['alpha-bucket', 'beta-bucket'] })]);

    const bad = await api(base, 'PATCH', '/api/datasources/repatch', { buckets: ['missing-one'] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe('bucket "missing-one" does not exist on the remote storage');
    expect((await api(base, 'GET', '/api/datasources/repatch')).json.buckets).toEqual(['alpha-bucket', 'beta-bucket']);

    const moved = await api(base, 'PATCH', '/api/datasources/repatch', { endpoint: 'http://127.0.0.1:1' });
    expect(moved.status).toBe(502);
    expect(checked().at(-1)).toMatchObject({ endpoint: 'http://127.0.0.1:1', apiSecret: 'rotated-secret-value' });
    expect((await api(base, 'GET', '/api/datasources/repatch')).json.endpoint).toBe('http://127.0.0.1:8000');
  });

  it('proxies a bucket listing (with the selection preview) to discovery', async () => {
    const req: RpcRequest<typeof ListBuckets> = { apiKey: 'AK', apiSecret: 'listing-secret', endpoint: 'http://127.0.0.1:8000', bucketsRegexp: '^cells' };
    const res = await api(base, 'POST', '/api/buckets', req);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      buckets: [
        { name: 'cells-1', createdAt: '2026-01-01T00:00:00.000Z', selected: true },
        { name: 'cells-2', createdAt: '2026-01-01T00:00:00.000Z', selected: true },
        { name: 'other', createdAt: '2026-01-01T00:00:00.000Z', selected: false },
      ],
    });
    expect((await api(base, 'POST', '/api/buckets', { ...req, bucketsRegexp: '(' })).status).toBe(400);
    expect((await api(base, 'POST', '/api/buckets', { ...req, extra: 1 })).json.error.message).toMatch(/Unrecognized key: "extra"/);
  });

  it('proxies bucket creation and refuses a bad bucket name itself', async () => {
    const ok = await api(base, 'POST', '/api/buckets/create', { apiKey: 'AK', apiSecret: 'S3CR3T', endpoint: 'http://127.0.0.1:8000', bucket: 'new-bucket' });
    expect(ok.status).toBe(201);
    expect(ok.json).toEqual({ name: 'new-bucket', created: true });
    const bad = await api(base, 'POST', '/api/buckets/create', { apiKey: 'AK', apiSecret: 'S3CR3T', endpoint: 'http://127.0.0.1:8000', bucket: 'Bad_Bucket' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/bucket "Bad_Bucket": a bucket name has only lowercase letters, digits/);
    expect(seen.filter((s) => s.subject === CreateBucket.subject)).toHaveLength(1);
  });

  it('never logged a secret it passed to discovery', () => {
    const logs = app.logs();
    expect(logs).toContain('datasource updated');
    for (const s of ['rotated-secret-value', 'listing-secret', 'S3CR3T', 'remote-secret-checked-Zq8/+']) expect(logs).not.toContain(s);
  });
});
