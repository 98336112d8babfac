import { loadEnv } from './env.js';

describe(loadEnv.name, () => {
  it('uses the documented defaults', () => {
    expect(loadEnv({ WEB_DIST_DIR: '/srv/web' })).toEqual({
      natsServers: ['nats://127.0.0.1:4222'],
      logLevel: 'info',
      host: '127.0.0.1',
      port: 8080,
      masterKey: undefined,
      masterKeyFile: './data/master.key',
      gatewayPublicUrl: 'http://127.0.0.1:9100',
      webDistDir: '/srv/web',
    });
  });

  it('reads every variable', () => {
    expect(
      loadEnv({
        NATS_URL: 'nats://a:4222, nats://b:4222',
        LOG_LEVEL: 'DEBUG',
        CONFIG_HOST: '0.0.0.0',
        CONFIG_PORT: '9000',
        BUCKETGATE_MASTER_KEY: ' abc ',
        BUCKETGATE_MASTER_KEY_FILE: '/data/master.key',
        GATEWAY_PUBLIC_URL: 'https://s3.example.com/',
        WEB_DIST_DIR: '/srv/web',
      }),
    ).toEqual({
      natsServers: ['nats://a:4222', 'nats://b:4222'],
      logLevel: 'debug',
      host: '0.0.0.0',
      port: 9000,
      masterKey: 'abc',
      masterKeyFile: '/data/master.key',
      gatewayPublicUrl: 'https://s3.example.com',
      webDistDir: '/srv/web',
    });
  });

  it('treats an empty BUCKETGATE_MASTER_KEY (e.g. from compose) as unset, so the key file is used', () => {
    expect(loadEnv({ BUCKETGATE_MASTER_KEY: '' }).masterKey).toBeUndefined();
  });

  it.each([
    [{ CONFIG_PORT: 'eighty' }, /CONFIG_PORT/],
    [{ CONFIG_PORT: '70000' }, /CONFIG_PORT/],
    [{ GATEWAY_PUBLIC_URL: 'gateway:9100' }, /GATEWAY_PUBLIC_URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ NATS_URL: ' , ' }, /NATS_URL/],
  ])('fails fast naming the variable: %j', (env, message) => {
    expect(() => loadEnv(env)).toThrow(message);
  });
});
