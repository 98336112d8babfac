import { loadGatewayEnv } from './env.js';

describe(loadGatewayEnv.name, () => {
  it('applies the documented defaults', () => {
    const env = loadGatewayEnv({});
    expect(env).toMatchObject({
      natsServers: ['nats://127.0.0.1:4222'],
      logLevel: 'info',
      host: '127.0.0.1',
      port: 9100,
      publicUrl: 'http://127.0.0.1:9100',
      maxInflight: 256,
      remoteTimeoutMs: 30_000,
      headersTimeoutMs: 30_000,
      clientIdleTimeoutMs: 60_000,
    });
    expect(env.domain).toBeUndefined();
    expect(env.instanceId).toMatch(/^[-/_=.a-zA-Z0-9]+-\d+$/);
  });

  it('reads every variable', () => {
    const env = loadGatewayEnv({
      NATS_URL: 'nats://a:4222, nats://b:4222',
      LOG_LEVEL: 'debug',
      GATEWAY_HOST: '0.0.0.0',
      GATEWAY_PORT: '0',
      GATEWAY_PUBLIC_URL: 'https://s3.example.com/',
      GATEWAY_INSTANCE_ID: 'gw-1',
      GATEWAY_DOMAIN: 'S3.Example.com.',
      GATEWAY_MAX_INFLIGHT: '8',
      GATEWAY_REMOTE_TIMEOUT_MS: '1500',
      GATEWAY_HEADERS_TIMEOUT_MS: '5000',
      GATEWAY_CLIENT_IDLE_TIMEOUT_MS: '0',
    });
    expect(env).toEqual({
      natsServers: ['nats://a:4222', 'nats://b:4222'],
      logLevel: 'debug',
      host: '0.0.0.0',
      port: 0,
      publicUrl: 'https://s3.example.com',
      instanceId: 'gw-1',
      domain: 's3.example.com',
      maxInflight: 8,
      remoteTimeoutMs: 1500,
      headersTimeoutMs: 5000,
      clientIdleTimeoutMs: 0,
    });
  });

  it.each([
    ['GATEWAY_PORT', '70000'],
    ['GATEWAY_PORT', 'abc'],
    ['GATEWAY_MAX_INFLIGHT', '0'],
    ['GATEWAY_PUBLIC_URL', 'not a url'],
    ['GATEWAY_INSTANCE_ID', 'has space'],
    ['GATEWAY_DOMAIN', 'bad_domain!'],
    ['LOG_LEVEL', 'loud'],
    ['GATEWAY_HEADERS_TIMEOUT_MS', '0'],
    ['GATEWAY_CLIENT_IDLE_TIMEOUT_MS', '-1'],
  ])('fails fast naming %s when it is %j', (name, value) => {
    expect(() => loadGatewayEnv({ [name]: value })).toThrow(name);
  });
});
