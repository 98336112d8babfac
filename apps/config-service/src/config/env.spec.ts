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
      allowedHosts: [],
      allowedOrigins: [],
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
        CONFIG_ALLOWED_HOSTS: ' Admin.Example.com, ops.example.com:8443 ',
        CONFIG_ALLOWED_ORIGINS: 'https://Admin.Example.com/, http://ops.example.com:8443',
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
      allowedHosts: ['admin.example.com', 'ops.example.com:8443'],
      allowedOrigins: ['https://admin.example.com', 'http://ops.example.com:8443'],
    });
  });

  it.each([
    ['127.0.0.1', undefined, []],
    ['0.0.0.0', undefined, ['*']],
    ['::', '', ['*']],
    ['0.0.0.0', 'admin.example.com', ['admin.example.com']],
    ['127.0.0.1', 'a.example.com, *', ['*']],
  ])('CONFIG_HOST %p with CONFIG_ALLOWED_HOSTS %p allows %j (any Host only when listening on every address)', (host, allowed, expected) => {
    const env: Record<string, string> = { CONFIG_HOST: host };
    if (allowed !== undefined) env.CONFIG_ALLOWED_HOSTS = allowed;
    expect(loadEnv(env).allowedHosts).toEqual(expected);
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
    [{ CONFIG_ALLOWED_HOSTS: 'http://admin.example.com' }, /CONFIG_ALLOWED_HOSTS: "http:\/\/admin.example.com" is not a host name/],
    [{ CONFIG_ALLOWED_ORIGINS: 'admin.example.com' }, /CONFIG_ALLOWED_ORIGINS: "admin.example.com" is not an origin/],
    [{ CONFIG_ALLOWED_ORIGINS: 'https://admin.example.com/ui' }, /CONFIG_ALLOWED_ORIGINS/],
    [{ CONFIG_ALLOWED_ORIGINS: 'null' }, /CONFIG_ALLOWED_ORIGINS/],
  ])('fails fast naming the variable: %j', (env, message) => {
    expect(() => loadEnv(env)).toThrow(message);
  });
});
