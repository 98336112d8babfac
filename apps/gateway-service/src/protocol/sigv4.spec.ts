import {
  canonicalHeaderValue,
  canonicalQuery,
  canonicalUri,
  parseAmzDate,
  percentDecode,
  signaturesEqual,
  toAmzDate,
  uriEncode,
} from './sigv4.js';

describe(canonicalUri.name, () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['/bkt/key.txt', '/bkt/key.txt'],
    ['/bkt/a%20b', '/bkt/a%20b'],
    ['/bkt/a+b', '/bkt/a%2Bb'],
    ['/bkt/a%2bb', '/bkt/a%2Bb'],
    ['/bkt/a%2Bb', '/bkt/a%2Bb'],
    ['/bkt/é', '/bkt/%C3%A9'],
    ['/bkt/%c3%a9', '/bkt/%C3%A9'],
    ['/bkt/a~b%7E', '/bkt/a~b~'],
    ['/bkt//double//', '/bkt//double//'],
    ['/bkt/a%2Fb', '/bkt/a%2Fb'],
    ['/bkt/./../x', '/bkt/./../x'],
    ['/bkt/%zz%4', '/bkt/%25zz%254'],
    ['/bkt/a=b&c;d,e', '/bkt/a%3Db%26c%3Bd%2Ce'],
    ["/bkt/!$'()*@:", '/bkt/%21%24%27%28%29%2A%40%3A'],
    ['/bkt/%FF%FE', '/bkt/%FF%FE'],
    ['/bkt/A-Z_a.z~09', '/bkt/A-Z_a.z~09'],
  ])('%j -> %j', (raw, expected) => {
    expect(canonicalUri(raw)).toBe(expected);
  });
});

describe(canonicalQuery.name, () => {
  it.each<[string, string, { plusAsSpace?: boolean; exclude?: string }]>([
    ['', '', {}],
    ['acl', 'acl=', {}],
    ['b=2&a=1', 'a=1&b=2', {}],
    ['a=2&a=1&a=10', 'a=1&a=10&a=2', {}],
    ['a=&b', 'a=&b=', {}],
    ['&&a=1&', 'a=1', {}],
    ['prefix=a+b', 'prefix=a%2Bb', {}],
    ['prefix=a+b', 'prefix=a%20b', { plusAsSpace: true }],
    ['prefix=a%2Bb', 'prefix=a%2Bb', { plusAsSpace: true }],
    ['prefix=a%20b', 'prefix=a%20b', {}],
    ['k=%7e%7E~', 'k=~~~', {}],
    ['k=a=b', 'k=a%3Db', {}],
    ['k=a/b', 'k=a%2Fb', {}],
    ['%C3%A9=1', '%C3%A9=1', {}],
    ['é=ü', '%C3%A9=%C3%BC', {}],
    ['a-b=2&a%20b=1&a=3', 'a=3&a%20b=1&a-b=2', {}],
    ['X-Amz-Signature=abc&a=1', 'a=1', { exclude: 'X-Amz-Signature' }],
    ['X-Amz-Signature=abc&a=1', 'X-Amz-Signature=abc&a=1', {}],
    ['x-amz-signature=abc', 'x-amz-signature=abc', { exclude: 'X-Amz-Signature' }],
    ['list-type=2&start-after=&prefix=d%2F', 'list-type=2&prefix=d%2F&start-after=', {}],
  ])('%j -> %j %j', (...[raw, expected, options]) => {
    expect(canonicalQuery(raw, options)).toBe(expected);
  });
});

describe(canonicalHeaderValue.name, () => {
  it.each<[string | string[], string]>([
    ['plain', 'plain'],
    ['  padded  ', 'padded'],
    ['a   b \t c', 'a b c'],
    [['x', 'y'], 'x,y'],
    ['', ''],
  ])('%j -> %j', (value, expected) => {
    expect(canonicalHeaderValue(value)).toBe(expected);
  });
});

describe('helpers', () => {
  it('uriEncode encodes "/" and non-ASCII strictly', () => {
    expect(uriEncode('a/b c')).toBe('a%2Fb%20c');
    expect(uriEncode('~._-')).toBe('~._-');
    expect(uriEncode('😀')).toBe('%F0%9F%98%80');
  });

  it('percentDecode keeps "+" and bad escapes literal', () => {
    expect(percentDecode('a+b%20c%zz').toString()).toBe('a+b c%zz');
    expect(percentDecode('%F0%9F%98%80')).toEqual(Buffer.from('😀'));
  });

  it.each([
    ['20130524T000000Z', Date.UTC(2013, 4, 24)],
    ['20240229T235959Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['20230229T000000Z', undefined],
    ['20131324T000000Z', undefined],
    ['20130524T240000Z', undefined],
    ['2013-05-24T00:00:00Z', undefined],
    ['20130524T000000', undefined],
  ])('parseAmzDate(%j) = %j', (s, expected) => {
    expect(parseAmzDate(s)).toBe(expected);
  });

  it('toAmzDate formats yyyymmddThhmmssZ', () => {
    expect(toAmzDate(Date.UTC(2013, 4, 24, 1, 2, 3, 456))).toBe('20130524T010203Z');
  });

  it('signaturesEqual compares whole strings', () => {
    const s = 'a'.repeat(64);
    expect(signaturesEqual(s, s)).toBe(true);
    expect(signaturesEqual(s, s.slice(0, 63) + 'b')).toBe(false);
    expect(signaturesEqual(s, s.slice(0, 63))).toBe(false);
    expect(signaturesEqual(s, '')).toBe(false);
  });
});
