import { createHash } from 'node:crypto';
import { OPERATIONS } from '../operations/index.js';
import { FakeRemote, fakeCtx, fakeWorker, lookup, signedCtx } from '../testing/fakes.js';
import { handle } from './pipeline.js';
import type { S3Ctx } from './s3.types.js';

const err = (code: string, extra = '') => `<Error><Code>${code}</Code><Message>remote msg</Message>${extra}<RequestId>REMOTE-REQ</RequestId></Error>`;

describe(handle.name, () => {
  it('streams a selected object back with the remote headers and our request id', async () => {
    const remote = new FakeRemote(() => ({ status: 200, headers: { etag: '"e1"', 'content-length': '5', server: 'Ceph', 'x-amz-request-id': 'REMOTE' }, text: 'hello' }));
    const ctx = await signedCtx({ path: '/alpha/dir/a%20b.txt', query: { 'x-id': 'GetObject', versionId: 'v1' }, headers: { range: 'bytes=0-4' }, workers: lookup(fakeWorker({}, remote)) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(200);
    expect(ctx.res.text).toBe('hello');
    expect(ctx.res.getHeader('etag')).toBe('"e1"');
    expect(ctx.res.getHeader('x-amz-request-id')).toBe('REQ123');
    expect(ctx.res.getHeader('server')).toBeUndefined();
    expect(remote.sent).toHaveLength(1);
    expect(remote.sent[0]).toMatchObject({ method: 'GET', bucket: 'alpha', key: 'dir/a b.txt', query: [['versionId', 'v1']], headers: { range: 'bytes=0-4' } });
  });

  it.each([
    ['/alpha', { 'list-type': '2', prefix: 'a b', mdsearch: 'x', 'x-id': 'ListObjectsV2' }, [['list-type', '2'], ['prefix', 'a b']]],
    ['/alpha', { prefix: 'p', marker: 'm', 'max-keys': '5', append: '' }, [['prefix', 'p'], ['marker', 'm'], ['max-keys', '5']]],
    ['/alpha/k', { 'response-content-type': 'text/plain', position: '0', 'X-Amz-Meta': 'x' }, [['response-content-type', 'text/plain']]],
  ])('forwards to the remote only the query parameters GET %s declares', async (path, query, forwarded) => {
    const remote = new FakeRemote(() => ({ status: 200, text: '<ListBucketResult/>' }));
    const ctx = await signedCtx({ path, query, workers: lookup(fakeWorker({}, remote)) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(200);
    expect(remote.sent[0]!.query).toEqual(forwarded);
  });

  it.each([
    ['GET', '/gamma/k', {}, 'AccessDenied', 403],
    ['PUT', '/gamma/k', {}, 'AccessDenied', 403],
    ['GET', '/gamma', { acl: '' }, 'AccessDenied', 403],
    ['GET', '/alpha', { acl: '' }, 'NotImplemented', 501],
    ['DELETE', '/alpha', {}, 'NotImplemented', 501],
  ])('%s %s %j -> %s without contacting the remote', async (method, path, query, code, status) => {
    const remote = new FakeRemote();
    const ctx = await signedCtx({ method, path, query, workers: lookup(fakeWorker({}, remote)) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(status);
    expect(ctx.res.text).toContain(`<Code>${code}</Code>`);
    expect(ctx.res.text).toContain('<RequestId>REQ123</RequestId>');
    expect(remote.sent).toHaveLength(0);
  });

  it('refuses writes on a read-only datasource before reading the body', async () => {
    const remote = new FakeRemote();
    const ctx = await signedCtx({ method: 'PUT', path: '/alpha/k', body: Buffer.from('data'), workers: lookup(fakeWorker({ readOnly: true }, remote)) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(403);
    expect(remote.sent).toHaveLength(0);
  });

  it("gives back the remote's S3 error with its code and status, but our request id", async () => {
    const remote = new FakeRemote(() => ({ status: 404, text: err('NoSuchKey', '<Key>k</Key>') }));
    const ctx = await signedCtx({ path: '/alpha/k', workers: lookup(fakeWorker({}, remote)) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(404);
    expect(ctx.res.text).toContain('<Code>NoSuchKey</Code>');
    expect(ctx.res.text).toContain('<Key>k</Key>');
    expect(ctx.res.text).toContain('<RequestId>REQ123</RequestId>');
    expect(ctx.res.text).not.toContain('REMOTE-REQ');
  });

  it('answers a HEAD error with the status and no body', async () => {
    const remote = new FakeRemote(() => ({ status: 404 }));
    const ctx = await signedCtx({ method: 'HEAD', path: '/alpha/k', workers: lookup(fakeWorker({}, remote)) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(404);
    expect(ctx.res.text).toBe('');
  });

  it('turns an unexpected error into InternalError without leaking it, and still releases the slot', async () => {
    const worker = fakeWorker();
    const ctx = await signedCtx({ path: '/alpha/k', workers: lookup(worker) });
    const boom: typeof handle = (c) =>
      handle(c, [
        (x: S3Ctx) => {
          x.worker = worker;
          x.release = worker.tryAcquire();
          throw new Error('db password is hunter2');
        },
      ]);
    await boom(ctx);
    expect(ctx.res.statusCode).toBe(500);
    expect(ctx.res.text).toContain('<Code>InternalError</Code>');
    expect(ctx.res.text).not.toContain('hunter2');
    expect(worker.counters.inFlight).toBe(0);
  });

  it('answers SlowDown beyond the concurrency limit, and frees slots when requests end', async () => {
    const worker = fakeWorker({}, new FakeRemote(() => ({ status: 200, text: 'x' })), 1);
    const held = worker.tryAcquire()!;
    const ctx = await signedCtx({ path: '/alpha/k', workers: lookup(worker) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(503);
    expect(ctx.res.text).toContain('<Code>SlowDown</Code>');
    held();
    const ok = await signedCtx({ path: '/alpha/k', workers: lookup(worker) });
    await handle(ok);
    expect(ok.res.statusCode).toBe(200);
    expect(worker.counters).toEqual({ inFlight: 0, requests: 2 });
  });

  it('streams a verified upload onward with its decoded length', async () => {
    const remote = new FakeRemote(() => ({ status: 200, headers: { etag: '"up"' } }));
    const body = Buffer.from('the object bytes');
    const ctx = await signedCtx({
      method: 'PUT',
      path: '/alpha/up.txt',
      body,
      headers: { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'), 'content-type': 'text/plain', 'x-amz-meta-a': '1' },
      workers: lookup(fakeWorker({}, remote)),
    });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(200);
    expect(ctx.res.getHeader('etag')).toBe('"up"');
    expect(remote.sent[0]).toMatchObject({ method: 'PUT', contentLength: body.length, headers: { 'content-type': 'text/plain', 'x-amz-meta-a': '1' } });
    expect(remote.bodies[0]!.equals(body)).toBe(true);
  });

  it('refuses an upload whose body does not match its signed hash', async () => {
    const remote = new FakeRemote(() => ({ status: 200 }));
    const ctx = await signedCtx({
      method: 'PUT',
      path: '/alpha/up.txt',
      body: Buffer.from('tampered'),
      headers: { 'x-amz-content-sha256': createHash('sha256').update('original').digest('hex') },
      workers: lookup(fakeWorker({}, remote)),
    });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(400);
    expect(ctx.res.text).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
  });

  it('sends DeleteObjects with the Content-MD5 S3 requires', async () => {
    const remote = new FakeRemote(() => ({ status: 200, text: '<DeleteResult><Deleted><Key>a</Key></Deleted></DeleteResult>' }));
    const xml = Buffer.from('<Delete><Object><Key>a</Key></Object></Delete>');
    const ctx = await signedCtx({ method: 'POST', path: '/alpha', query: { delete: '' }, body: xml, workers: lookup(fakeWorker({}, remote)) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(200);
    expect(ctx.res.text).toContain('<Deleted><Key>a</Key></Deleted>');
    expect(remote.sent[0]!.headers!['content-md5']).toBe(createHash('md5').update(xml).digest('base64'));
    expect(remote.sent[0]!.query).toEqual([['delete', '']]);
  });

  it('rewrites the Location of CompleteMultipartUpload to the gateway URL', async () => {
    const remote = new FakeRemote(() => ({
      status: 200,
      text: '<CompleteMultipartUploadResult><Location>http://remote.internal:8000/alpha/a%20b</Location><Bucket>alpha</Bucket><Key>a b</Key><ETag>"x-2"</ETag></CompleteMultipartUploadResult>',
    }));
    const body = Buffer.from('<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>');
    const ctx = await signedCtx({ method: 'POST', path: '/alpha/a%20b', query: { uploadId: 'u1' }, body, workers: lookup(fakeWorker({}, remote)) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(200);
    expect(ctx.res.text).toContain('<Location>http://gw.example:9100/alpha/a%20b</Location>');
    expect(ctx.res.text).not.toContain('remote.internal');
    expect(remote.bodies[0]!.equals(body)).toBe(true);
  });

  it('treats a 200 answer carrying an <Error> document as an error (CopyObject)', async () => {
    const remote = new FakeRemote(() => ({ status: 200, text: '<?xml version="1.0"?>\n<Error><Code>InternalError</Code><Message>copy failed</Message></Error>' }));
    const ctx = await signedCtx({ method: 'PUT', path: '/alpha/dst', headers: { 'x-amz-copy-source': '/beta/src' }, workers: lookup(fakeWorker({}, remote)) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(500);
    expect(ctx.res.text).toContain('<Code>InternalError</Code>');
    expect(remote.sent[0]!.headers!['x-amz-copy-source']).toBe('/beta/src');
  });

  it('answers errors of unparseable requests before any authentication', async () => {
    const ctx = fakeCtx({ url: '/x/k' });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(400);
    expect(ctx.res.text).toContain('<Code>InvalidBucketName</Code>');
  });

  it.each([
    ['PutObject', {}],
    ['UploadPart', { partNumber: '1', uploadId: 'u1' }],
  ])('refuses a %s over 5 GiB up front (EntityTooLarge), without contacting the remote', async (_op, query) => {
    const remote = new FakeRemote();
    const worker = fakeWorker({}, remote);
    const size = 5 * 1024 ** 3 + 1;
    const ctx = await signedCtx({ method: 'PUT', path: '/alpha/huge.bin', query, headers: { 'content-length': String(size) }, workers: lookup(worker) });
    await handle(ctx);
    expect(ctx.res.statusCode).toBe(400);
    expect(ctx.res.text).toContain('<Code>EntityTooLarge</Code>');
    expect(ctx.res.text).toContain(`<ProposedSize>${size}</ProposedSize>`);
    expect(ctx.res.text).toContain('<MaxSizeAllowed>5368709120</MaxSizeAllowed>');
    expect(remote.sent).toHaveLength(0);
    expect(worker.inFlight).toBe(0);
  });

  it('accepts exactly 5 GiB (the limit itself)', async () => {
    const remote = new FakeRemote(() => ({ status: 200 }));
    const ctx = await signedCtx({ method: 'PUT', path: '/alpha/edge.bin', headers: { 'content-length': String(5 * 1024 ** 3) }, workers: lookup(fakeWorker({}, remote)) });
    await handle(ctx);
    expect(ctx.res.text).not.toContain('EntityTooLarge');
    expect(remote.sent).toHaveLength(1);
  });

  it('exposes every routed operation', () => {
    expect(Object.keys(OPERATIONS)).toHaveLength(20);
  });
});
