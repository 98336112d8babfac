import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { BucketgateError, GetDatasource, ListDatasources } from '@bucketgate/contracts';
import { natsServerOptions, parseRpc, RpcClient, RpcErrorFilter } from '../src/index.js';
import { startNatsServer, type TestNats } from '../src/testing.js';

@Controller()
class DemoRpc {
  @MessagePattern(GetDatasource.subject)
  get(@Payload() data: unknown) {
    const { name } = parseRpc(GetDatasource, data);
    if (name === 'missing') throw new BucketgateError('NOT_FOUND', `datasource ${name} not found`);
    if (name === 'boom') throw new Error('secret internals');
    return { name, endpoint: null, region: null, pathStyle: false, readOnly: false, buckets: ['a1b'], bucketsRegexp: null,
      apiKey: 'AK', accessKeyId: 'BG1', createdAt: 'x', updatedAt: 'x', revision: 1 };
  }
}
@Module({ controllers: [DemoRpc] })
class DemoModule {}

describe(RpcClient.name, () => {
  let nats: TestNats;
  let app: Awaited<ReturnType<typeof NestFactory.createMicroservice>>;
  let client: RpcClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    app = await NestFactory.createMicroservice<MicroserviceOptions>(DemoModule, { ...natsServerOptions([nats.url], 'demo'), logger: false });
    app.useGlobalFilters(new RpcErrorFilter());
    await app.listen();
    client = new RpcClient([nats.url]);
    await client.connect();
  });
  afterAll(async () => {
    await client?.close();
    await app?.close();
    await nats?.close();
  });

  it('returns the validated reply of a real NATS handler', async () => {
    const view = await client.call(GetDatasource, { name: 'ds1' });
    expect(view.name).toBe('ds1');
    expect(view.buckets).toEqual(['a1b']);
  });

  it('carries a domain error across NATS with its code', async () => {
    await expect(client.call(GetDatasource, { name: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'datasource missing not found' });
  });

  it('turns an unknown error into INTERNAL without leaking its message', async () => {
    const err = await client.call(GetDatasource, { name: 'boom' }).catch((e) => e);
    expect(err).toBeInstanceOf(BucketgateError);
    expect(err.code).toBe('INTERNAL');
    expect(err.message).not.toContain('secret internals');
  });

  it('refuses an invalid request before sending it', async () => {
    await expect(client.call(GetDatasource, { name: 'Bad Name!' })).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('reports UNAVAILABLE when nobody answers a subject', async () => {
    await expect(client.call(ListDatasources, {}, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
