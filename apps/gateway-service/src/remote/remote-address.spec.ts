import { encodeKey, escapeUri, queryObject, queryString, remoteAddress } from './remote-address.js';

describe(remoteAddress.name, () => {
  it.each([
    // endpoint, pathStyle, region, bucket, key -> host, path, protocol, port
    ['http://127.0.0.1:8000', true, 'us-east-1', undefined, undefined, '127.0.0.1:8000', '/', 'http:', 8000],
    ['http://127.0.0.1:8000', true, 'us-east-1', 'b1x', undefined, '127.0.0.1:8000', '/b1x', 'http:', 8000],
    ['http://127.0.0.1:8000', true, 'us-east-1', 'b1x', 'a b/c+d', '127.0.0.1:8000', '/b1x/a%20b/c%2Bd', 'http:', 8000],
    ['https://minio.example.com', false, 'us-east-1', 'b1x', 'k', 'b1x.minio.example.com', '/k', 'https:', undefined],
    ['https://minio.example.com', false, 'us-east-1', undefined, undefined, 'minio.example.com', '/', 'https:', undefined],
    ['http://[::1]:9000', true, 'us-east-1', 'b1x', 'k', '[::1]:9000', '/b1x/k', 'http:', 9000],
    [null, false, 'eu-west-3', 'b1x', 'k', 'b1x.s3.eu-west-3.amazonaws.com', '/k', 'https:', undefined],
    [null, false, 'eu-west-3', 'my.dotted', 'k', 's3.eu-west-3.amazonaws.com', '/my.dotted/k', 'https:', undefined],
    [null, true, 'us-east-1', 'b1x', 'k', 's3.us-east-1.amazonaws.com', '/b1x/k', 'https:', undefined],
    [null, false, 'us-east-1', undefined, undefined, 's3.us-east-1.amazonaws.com', '/', 'https:', undefined],
  ] as const)('%s pathStyle=%s %s bucket=%s key=%s -> %s%s', (endpoint, pathStyle, region, bucket, key, host, path, protocol, port) => {
    const addr = remoteAddress({ endpoint, pathStyle }, region, bucket, key);
    expect(addr).toMatchObject({ host, path, protocol });
    expect(addr.port).toBe(port);
    expect(addr.hostname).not.toMatch(/[[\]]/);
  });
});

describe(escapeUri.name, () => {
  it.each([
    ['abc-_.~', 'abc-_.~'],
    ["!'()*", '%21%27%28%29%2A'],
    ['a b+c/d', 'a%20b%2Bc%2Fd'],
    ['日', '%E6%97%A5'],
  ])('%j -> %j', (input, out) => expect(escapeUri(input)).toBe(out));
  it('keeps slashes in keys', () => expect(encodeKey('a/b c//d')).toBe('a/b%20c//d'));
});

describe(queryString.name, () => {
  it('escapes like the signer and writes bare keys for empty values', () => {
    const pairs = [['uploads', ''], ['prefix', 'a b/c'], ['max-keys', '10']] as const;
    expect(queryString(pairs)).toBe('?uploads&prefix=a%20b%2Fc&max-keys=10');
    expect(queryString([])).toBe('');
    expect(queryObject([['a', '1'], ['a', '2'], ['b', '']])).toEqual({ a: ['1', '2'], b: '' });
  });
});
