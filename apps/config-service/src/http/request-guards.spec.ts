import { hostAllowed, originAllowed, parseHostHeader, type GuardPolicy } from './request-guards.js';

const local: GuardPolicy = { listenHost: '127.0.0.1', allowedHosts: [], allowedOrigins: [] };

describe(parseHostHeader.name, () => {
  it.each([
    ['127.0.0.1:8080', { name: '127.0.0.1', port: '8080' }],
    ['LocalHost', { name: 'localhost', port: undefined }],
    ['[::1]:8080', { name: '[::1]', port: '8080' }],
    ['admin.example.com:443', { name: 'admin.example.com', port: '443' }],
  ])('%p → %j', (value, expected) => {
    expect(parseHostHeader(value)).toEqual(expected);
  });
  it.each(['', 'a b', 'user@host', 'host:port', '::1', 'host:8080:9'])('refuses %p', (value) => {
    expect(parseHostHeader(value)).toBeUndefined();
  });
});

describe(hostAllowed.name, () => {
  it.each(['127.0.0.1:8080', '127.0.0.1', '127.1.2.3:99', 'localhost:3000', 'LOCALHOST', '[::1]:8080', undefined])(
    'accepts loopback %p by default (and a missing Host)',
    (host) => {
      expect(hostAllowed(host, local)).toBe(true);
    },
  );

  it.each(['evil.example.com', 'evil.example.com:8080', '10.0.0.5:8080', '127.0.0.1.evil.example.com', 'localhost.evil.example.com', '0.0.0.0:8080', ''])(
    'refuses %p by default (DNS rebinding)',
    (host) => {
      expect(hostAllowed(host, local)).toBe(false);
    },
  );

  it('accepts CONFIG_HOST and CONFIG_ALLOWED_HOSTS entries (a bare name at any port, name:port exactly)', () => {
    const policy: GuardPolicy = { listenHost: '10.0.0.5', allowedHosts: ['admin.example.com', 'ops.example.com:8443'], allowedOrigins: [] };
    expect(hostAllowed('10.0.0.5:8080', policy)).toBe(true);
    expect(hostAllowed('Admin.Example.com', policy)).toBe(true);
    expect(hostAllowed('admin.example.com:8080', policy)).toBe(true);
    expect(hostAllowed('ops.example.com:8443', policy)).toBe(true);
    expect(hostAllowed('ops.example.com:8080', policy)).toBe(false);
    expect(hostAllowed('evil.example.com', policy)).toBe(false);
    expect(hostAllowed('localhost:8080', policy)).toBe(true);
  });

  it('accepts an IPv6 CONFIG_HOST in brackets, and anything with *', () => {
    expect(hostAllowed('[fd00::5]:8080', { ...local, listenHost: 'fd00::5' })).toBe(true);
    expect(hostAllowed('evil.example.com', { ...local, allowedHosts: ['*'] })).toBe(true);
  });
});

describe(originAllowed.name, () => {
  it.each([
    [undefined, '127.0.0.1:8080'],
    ['http://127.0.0.1:8080', '127.0.0.1:8080'],
    ['http://localhost:8080', 'LOCALHOST:8080'],
    ['http://admin.example.com', 'admin.example.com'],
    ['http://admin.example.com', 'admin.example.com:80'],
    ['https://admin.example.com', 'admin.example.com'],
    ['https://admin.example.com:443', 'admin.example.com:443'],
    ['http://[::1]:8080', '[::1]:8080'],
  ])('accepts Origin %p on Host %p (no origin or same origin)', (origin, host) => {
    expect(originAllowed(origin, host, [])).toBe(true);
  });

  it.each([
    ['http://evil.example.com', '127.0.0.1:8080'],
    ['http://127.0.0.1:3000', '127.0.0.1:8080'],
    ['http://localhost:8080', '127.0.0.1:8080'],
    ['https://admin.example.com', 'admin.example.com:80'],
    ['null', '127.0.0.1:8080'],
    ['file://', '127.0.0.1:8080'],
    ['http://127.0.0.1:8080', undefined],
    ['garbage', '127.0.0.1:8080'],
  ])('refuses Origin %p on Host %p', (origin, host) => {
    expect(originAllowed(origin, host, [])).toBe(false);
  });

  it('accepts an origin listed in CONFIG_ALLOWED_ORIGINS whatever the Host', () => {
    expect(originAllowed('https://admin.example.com', '10.0.0.5:8080', ['https://admin.example.com'])).toBe(true);
    expect(originAllowed('http://admin.example.com', '10.0.0.5:8080', ['https://admin.example.com'])).toBe(false);
  });
});
