import { loadEnv } from './env.js';

describe(loadEnv.name, () => {
  it('has documented defaults', () => {
    expect(loadEnv({})).toEqual({
      natsServers: ['nats://127.0.0.1:4222'],
      logLevel: 'info',
      connectTimeoutMs: 3000,
      requestTimeoutMs: 10000,
      callDeadlineMs: 14000,
    });
  });

  it('reads every variable, empty meaning the default', () => {
    const env = loadEnv({ NATS_URL: 'nats://a:4222, nats://b:4222', LOG_LEVEL: 'debug', DISCOVERY_CONNECT_TIMEOUT_MS: '500', DISCOVERY_REQUEST_TIMEOUT_MS: '' });
    expect(env).toEqual({ natsServers: ['nats://a:4222', 'nats://b:4222'], logLevel: 'debug', connectTimeoutMs: 500, requestTimeoutMs: 10000, callDeadlineMs: 11500 });
  });

  it('stops with a message naming the bad variable', () => {
    expect(() => loadEnv({ DISCOVERY_REQUEST_TIMEOUT_MS: 'soon' })).toThrow(/DISCOVERY_REQUEST_TIMEOUT_MS: must be a number of milliseconds/);
    expect(() => loadEnv({ DISCOVERY_CONNECT_TIMEOUT_MS: '5' })).toThrow(/DISCOVERY_CONNECT_TIMEOUT_MS/);
  });
});
