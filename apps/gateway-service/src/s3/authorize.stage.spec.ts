import { S3Error } from '../protocol/index.js';
import { OPERATIONS, unsupported } from '../operations/index.js';
import { fakeCtx, fakeWorker } from '../testing/fakes.js';
import { authorize, parseCopySource } from './authorize.stage.js';
import type { OpName, Operation } from './s3.types.js';

function ctxFor(op: Operation, bucket: string | undefined, opts: { readOnly?: boolean; regexp?: string; copySource?: string } = {}) {
  const ctx = fakeCtx({ headers: opts.copySource ? { 'x-amz-copy-source': opts.copySource } : {} });
  ctx.op = op;
  ctx.bucket = bucket;
  ctx.worker = fakeWorker(opts.regexp ? { buckets: null, bucketsRegexp: opts.regexp, readOnly: !!opts.readOnly } : { readOnly: !!opts.readOnly });
  return ctx;
}

function outcome(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as S3Error).code;
  }
}

const op = (name: Exclude<OpName, 'Unsupported'>) => OPERATIONS[name];

describe(authorize.name, () => {
  it.each([
    // op, bucket, readOnly, expected
    ['ListBuckets', undefined, false, 'ok'],
    ['ListBuckets', undefined, true, 'ok'],
    ['GetObject', 'alpha', false, 'ok'],
    ['GetObject', 'alpha', true, 'ok'],
    ['GetObject', 'gamma', false, 'AccessDenied'],
    ['ListObjectsV2', 'gamma', false, 'AccessDenied'],
    ['HeadBucket', 'beta', true, 'ok'],
    ['PutObject', 'alpha', false, 'ok'],
    ['PutObject', 'alpha', true, 'AccessDenied'],
    ['PutObject', 'gamma', false, 'AccessDenied'],
    ['DeleteObject', 'beta', true, 'AccessDenied'],
    ['DeleteObjects', 'beta', true, 'AccessDenied'],
    ['CreateMultipartUpload', 'alpha', true, 'AccessDenied'],
    ['UploadPart', 'alpha', true, 'AccessDenied'],
    ['CompleteMultipartUpload', 'alpha', true, 'AccessDenied'],
    ['AbortMultipartUpload', 'alpha', true, 'AccessDenied'],
    ['ListParts', 'alpha', true, 'ok'],
    ['CreateBucket', 'newbucket', false, 'AccessDenied'],
    ['CreateBucket', 'alpha', false, 'ok'], // then NotImplemented from the operation
  ] as const)('%s on %s (readOnly %s) -> %s', (name, bucket, readOnly, expected) => {
    expect(outcome(() => authorize(ctxFor(op(name), bucket, { readOnly })))).toBe(expected);
  });

  it('matches a regexp selection unanchored with RE2 semantics', () => {
    expect(outcome(() => authorize(ctxFor(op('GetObject'), 'my-cells-1', { regexp: 'cells' })))).toBe('ok');
    expect(outcome(() => authorize(ctxFor(op('GetObject'), 'other', { regexp: 'cells' })))).toBe('AccessDenied');
    expect(outcome(() => authorize(ctxFor(op('GetObject'), 'my-cells-1', { regexp: '^cells' })))).toBe('AccessDenied');
  });

  it('treats an explicit name literally (a dot is not a wildcard)', () => {
    const ctx = ctxFor(op('GetObject'), 'alphaxbeta');
    ctx.worker = fakeWorker({ buckets: ['alpha.beta'] });
    expect(outcome(() => authorize(ctx))).toBe('AccessDenied');
  });

  it.each([
    ['CopyObject', 'alpha', '/beta/src.txt', 'ok'],
    ['CopyObject', 'alpha', 'beta/dir/src%20x.txt?versionId=v2', 'ok'],
    ['CopyObject', 'alpha', '/gamma/secret', 'AccessDenied'],
    ['CopyObject', 'gamma', '/alpha/src', 'AccessDenied'],
    ['UploadPartCopy', 'alpha', '/gamma/secret', 'AccessDenied'],
    ['UploadPartCopy', 'beta', 'alpha/k', 'ok'],
    ['CopyObject', 'alpha', '/alpha', 'InvalidArgument'],
  ] as const)('%s into %s from %s -> %s', (name, bucket, source, expected) => {
    expect(outcome(() => authorize(ctxFor(op(name), bucket, { copySource: source })))).toBe(expected);
  });

  it('records the parsed copy source', () => {
    const ctx = ctxFor(op('CopyObject'), 'alpha', { copySource: 'beta/dir/src%20x.txt?versionId=v2' });
    authorize(ctx);
    expect(ctx.copySource).toEqual({ bucket: 'beta', key: 'dir/src x.txt', versionId: 'v2' });
  });

  it('needs a selected bucket for unsupported bucket operations, and counts non-reads as writes', () => {
    expect(outcome(() => authorize(ctxFor(unsupported('GET', 'GET ?acl', true), 'gamma')))).toBe('AccessDenied');
    expect(outcome(() => authorize(ctxFor(unsupported('GET', 'GET ?acl', true), 'alpha', { readOnly: true })))).toBe('ok');
    expect(outcome(() => authorize(ctxFor(unsupported('PUT', 'PUT ?acl', true), 'alpha', { readOnly: true })))).toBe('AccessDenied');
    expect(outcome(() => authorize(ctxFor(unsupported('POST', 'POST /', false), undefined)))).toBe('ok');
  });
});

describe(parseCopySource.name, () => {
  it.each([
    ['/bk1/k', { bucket: 'bk1', key: 'k' }],
    ['bk1/a/b/c', { bucket: 'bk1', key: 'a/b/c' }],
    ['bk1/%E6%97%A5+x', { bucket: 'bk1', key: '日+x' }],
    ['/bk1/k?versionId=abc', { bucket: 'bk1', key: 'k', versionId: 'abc' }],
  ])('%s -> %j', (header, expected) => {
    expect(parseCopySource(header)).toEqual(expected);
  });
  it.each(['', '/', 'bk1', '/bk1/', 'x/key', '%ZZ/k', 'bk1/../other/k', 'bk1/%2E%2E/k'])('refuses %j', (header) => {
    expect(() => parseCopySource(header)).toThrow(S3Error);
  });
});
