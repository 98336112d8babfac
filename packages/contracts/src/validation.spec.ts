import { BucketgateError } from './errors.js';
import { compileBucketsRegexp, createBucketMatcher, normalizeEndpoint, regexpError, validateNewBucketName } from './validation.js';

describe('normalizeEndpoint', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000'],
    ['http://127.0.0.1:9000/', 'http://127.0.0.1:9000'],
    ['  https://s3.wasabisys.com  ', 'https://s3.wasabisys.com'],
    ['HTTPS://MinIO.Example.com:443', 'https://minio.example.com'],
    ['http://[::1]:9000', 'http://[::1]:9000'],
  ])('normalizes %p to %p', (input, expected) => {
    expect(normalizeEndpoint(input)).toBe(expected);
  });

  it.each([
    ['10.0.0.5:9000', /has no scheme: write it as http:\/\/10\.0\.0\.5:9000 or https:\/\/10\.0\.0\.5:9000/],
    ['minio.local', /has no scheme/],
    ['ftp://host', /scheme must be http or https/],
    ['javascript:alert(1)', /scheme must be http or https, not javascript/],
    ['file:/etc/passwd', /scheme must be http or https, not file/],
    ['mailto:ops@example.com', /scheme must be http or https, not mailto/],
    ['http:/host:9000', /not a valid URL \(expected http\(s\):\/\/host\[:port\]\)/],
    ['minio.local:9000', /has no scheme: write it as http:\/\/minio\.local:9000/],
    ['localhost:9000/', /has no scheme: write it as http:\/\/localhost:9000\//],
    ['http://user:pw@host:9000', /must not carry credentials/],
    ['http://host:9000/bucket', /without a path or query/],
    ['http://host:9000?x=1', /without a path or query/],
    ['http://', /not a valid URL|has no host/],
  ])('refuses %p with a message that says how to fix it', (input, message) => {
    let caught: unknown;
    try {
      normalizeEndpoint(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BucketgateError);
    expect((caught as BucketgateError).code).toBe('INVALID');
    expect((caught as BucketgateError).message).toMatch(message);
  });
});

describe('createBucketMatcher', () => {
  it('matches explicit names literally (a dot is not a wildcard)', () => {
    const match = createBucketMatcher({ buckets: ['my.bucket', 'photos'] });
    expect(match('my.bucket')).toBe(true);
    expect(match('myxbucket')).toBe(false);
    expect(match('photos')).toBe(true);
    expect(match('photos2')).toBe(false);
    expect(match('Photos')).toBe(false);
  });

  it('applies a regexp unanchored, RE2 semantics', () => {
    const names = ['cells', 'cells-1', 'my-cells', 'media', 'xcellsx'];
    expect(names.filter(createBucketMatcher({ bucketsRegexp: '^cells' }))).toEqual(['cells', 'cells-1']);
    expect(names.filter(createBucketMatcher({ bucketsRegexp: 'cells' }))).toEqual(['cells', 'cells-1', 'my-cells', 'xcellsx']);
    expect(names.filter(createBucketMatcher({ bucketsRegexp: '^cells$' }))).toEqual(['cells']);
    expect(names.filter(createBucketMatcher({ bucketsRegexp: '.*' }))).toEqual(names);
  });

  it('answers a hostile regexp without hanging (a backtracking engine would need ~2^62 steps)', () => {
    const match = createBucketMatcher({ bucketsRegexp: '(a+)+$' });
    const hostile = Array.from({ length: 100 }, (_, i) => 'a'.repeat(60) + String(i % 10) + '!');
    expect(hostile.filter(match)).toEqual([]); // the test's own timeout is the bound
    expect(match('a'.repeat(62))).toBe(true);
  });
});

describe('compileBucketsRegexp', () => {
  it.each([['('], ['[a-'], ['a{2,1}'], ['(?<name'], ['\\']])('refuses %p with the reason', (pattern) => {
    expect(() => compileBucketsRegexp(pattern)).toThrow(/bucketsRegexp does not compile: error parsing regexp/);
    expect(regexpError(pattern)).toMatch(/does not compile/);
  });

  it('refuses empty and overlong patterns', () => {
    expect(regexpError('')).toMatch(/empty/);
    expect(regexpError('a'.repeat(513))).toMatch(/longer than 512/);
  });

  it('accepts a valid pattern', () => {
    expect(regexpError('^cells-[0-9]+$')).toBeNull();
  });
});

describe('validateNewBucketName', () => {
  it.each(['abc', 'cells-1', 'a.b.c', 'x'.repeat(63)])('accepts %p', (name) => expect(validateNewBucketName(name)).toBeNull());
  it.each([
    ['ab', /3 to 63/],
    ['x'.repeat(64), /3 to 63/],
    ['Abc', /lowercase/],
    ['a_b', /lowercase/],
    ['-abc', /starts and ends/],
    ['abc.', /starts and ends/],
    ['a..b', /adjacent dots/],
    ['192.168.1.1', /IP address/],
    ['xn--abc', /reserved/],
  ])('refuses %p', (name, message) => expect(validateNewBucketName(name)).toMatch(message));
});
