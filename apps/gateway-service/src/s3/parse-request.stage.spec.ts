import { S3Error } from '../protocol/index.js';
import { fakeCtx } from '../testing/fakes.js';
import { bucketFromHost, parseRequest } from './parse-request.stage.js';

describe(parseRequest.name, () => {
  it.each([
    // url, host, domain -> bucket, key
    ['/', 'localhost:9100', undefined, undefined, undefined],
    ['/alpha', 'localhost', undefined, 'alpha', undefined],
    ['/alpha/', 'localhost', undefined, 'alpha', undefined],
    ['/alpha/a/b.txt', 'localhost', undefined, 'alpha', 'a/b.txt'],
    ['/alpha/dir//x', 'localhost', undefined, 'alpha', 'dir//x'],
    ['/alpha/a..b/.hidden/...', 'localhost', undefined, 'alpha', 'a..b/.hidden/...'],
    ['/alpha/sp%20ace%2Bplus+kept', 'localhost', undefined, 'alpha', 'sp ace+plus+kept'],
    ['/alpha/%E6%97%A5%E6%9C%AC', 'localhost', undefined, 'alpha', '日本'],
    ['/alpha/a%2Fb', 'localhost', undefined, 'alpha', 'a/b'],
    ['/a.b-c/k?list-type=2', 'localhost', undefined, 'a.b-c', 'k'],
    // virtual-host style
    ['/key/x', 'alpha.s3.example.com:9100', 's3.example.com', 'alpha', 'key/x'],
    ['/', 'alpha.s3.example.com', 's3.example.com', 'alpha', undefined],
    ['/alpha/k', 's3.example.com', 's3.example.com', 'alpha', 'k'],
    ['/alpha/k', 'other.host.com', 's3.example.com', 'alpha', 'k'],
  ])('%s with Host %s (domain %s) -> bucket %s, key %s', (url, host, domain, bucket, key) => {
    const ctx = fakeCtx({ url, headers: { host }, domain });
    parseRequest(ctx);
    expect(ctx.bucket).toBe(bucket);
    expect(ctx.key).toBe(key);
  });

  it('keeps the raw path and query for the signature check', () => {
    const ctx = fakeCtx({ method: 'get', url: '/alpha/a%20b?prefix=x%2Fy&list-type=2' });
    parseRequest(ctx);
    expect(ctx.signed).toMatchObject({ method: 'GET', rawPath: '/alpha/a%20b', rawQuery: 'prefix=x%2Fy&list-type=2' });
    expect(ctx.query!.get('prefix')).toBe('x/y');
  });

  it.each([
    ['/al', 'InvalidBucketName'],
    ['/-alpha/k', 'InvalidBucketName'],
    ['/alpha%ZZ/k', 'InvalidURI'],
    [`/alpha/${'k'.repeat(1025)}`, 'KeyTooLongError'],
    ['/alpha/../gamma/secret', 'InvalidArgument'],
    ['/alpha/..%2Fgamma%2Fsecret', 'InvalidArgument'],
    ['/alpha/a/%2E%2E/b', 'InvalidArgument'],
    ['/alpha/./k', 'InvalidArgument'],
    ['/alpha/..', 'InvalidArgument'],
  ])('refuses %s with %s', (url, code) => {
    const ctx = fakeCtx({ url });
    expect(() => parseRequest(ctx)).toThrow(S3Error);
    try {
      parseRequest(ctx);
    } catch (err) {
      expect((err as S3Error).code).toBe(code);
    }
  });
});

describe(bucketFromHost.name, () => {
  it.each([
    ['b1.s3.test', 's3.test', 'b1'],
    ['B1.S3.TEST:443', 's3.test', 'b1'],
    ['my.dotted.bucket.s3.test', 's3.test', 'my.dotted.bucket'],
    ['s3.test', 's3.test', undefined],
    ['evil-s3.test', 's3.test', undefined],
    ['b1.s3.test', undefined, undefined],
    [undefined, 's3.test', undefined],
  ])('%s with domain %s -> %s', (host, domain, bucket) => {
    expect(bucketFromHost(host, domain)).toBe(bucket);
  });
});
