import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { S3Error } from '../protocol/index.js';
import { fakeCtx, fakeWorker, lookup } from '../testing/fakes.js';
import { authenticate } from './authenticate.stage.js';
import { parseRequest } from './parse-request.stage.js';

async function signedCtx(creds: { accessKeyId: string; secretAccessKey: string }, workers = lookup(fakeWorker())) {
  const signer = new SignatureV4({ service: 's3', region: 'eu-west-3', credentials: creds, sha256: Sha256, uriEscapePath: false });
  const req = await signer.sign(
    new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: 'localhost',
      port: 9100,
      path: '/alpha/k%20x',
      query: { 'list-type': '2' },
      headers: { host: 'localhost:9100', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    }),
  );
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ctx = fakeCtx({ url: '/alpha/k%20x?list-type=2', headers, workers });
  parseRequest(ctx);
  return ctx;
}

function codeOf(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof S3Error ? err.code : `not an S3Error: ${String(err)}`;
  }
}

describe(authenticate.name, () => {
  it('finds the worker by access key and accepts the right signature (any region)', async () => {
    const worker = fakeWorker();
    const ctx = await signedCtx({ accessKeyId: 'BGKEY1', secretAccessKey: 'issued-secret' }, lookup(worker));
    authenticate(ctx);
    expect(ctx.worker).toBe(worker);
    expect(ctx.auth).toMatchObject({ accessKeyId: 'BGKEY1', region: 'eu-west-3' });
  });

  it.each([
    ['an unknown access key', { accessKeyId: 'NOPE', secretAccessKey: 'issued-secret' }, 'InvalidAccessKeyId'],
    ['the remote key (never valid here)', { accessKeyId: 'REMOTEKEY', secretAccessKey: 'remote-secret' }, 'InvalidAccessKeyId'],
    ['a wrong secret', { accessKeyId: 'BGKEY1', secretAccessKey: 'wrong' }, 'SignatureDoesNotMatch'],
  ])('refuses %s', async (_what, creds, code) => {
    const ctx = await signedCtx(creds);
    expect(codeOf(() => authenticate(ctx))).toBe(code);
    expect(ctx.worker).toBeUndefined();
  });

  it('answers an unknown key with a retryable ServiceUnavailable while datasources are still loading', async () => {
    const loading = { ...lookup(fakeWorker()), loading: () => true };
    const unknown = await signedCtx({ accessKeyId: 'NOPE', secretAccessKey: 'issued-secret' }, loading);
    let err: unknown;
    try {
      authenticate(unknown);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ServiceUnavailable', status: 503, message: expect.stringMatching(/still loading its datasources; retry/) });
    // a loaded datasource's key is served as usual meanwhile
    const known = await signedCtx({ accessKeyId: 'BGKEY1', secretAccessKey: 'issued-secret' }, loading);
    expect(codeOf(() => authenticate(known))).toBe('ok');
  });

  it('refuses anonymous requests', () => {
    const ctx = fakeCtx({ url: '/alpha/k' });
    parseRequest(ctx);
    expect(codeOf(() => authenticate(ctx))).toBe('AccessDenied');
  });
});
