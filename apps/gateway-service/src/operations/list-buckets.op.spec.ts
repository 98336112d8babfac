import { FakeRemote, fakeWorker, lookup, signedCtx } from '../testing/fakes.js';
import { handle } from '../s3/pipeline.js';

const remoteList = (...names: string[]) =>
  `<?xml version="1.0"?><ListAllMyBucketsResult><Owner><ID>remote-owner-id</ID><DisplayName>remote-user</DisplayName></Owner><Buckets>${names
    .map((n) => `<Bucket><Name>${n}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>`)
    .join('')}</Buckets></ListAllMyBucketsResult>`;

async function list(remote: FakeRemote, over = {}) {
  const ctx = await signedCtx({ path: '/', workers: lookup(fakeWorker(over, remote)) });
  await handle(ctx);
  return ctx.res;
}

const names = (xml: string) => [...xml.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]);

describe('ListBuckets', () => {
  it('shows only the selected buckets of the remote list, owned by the datasource', async () => {
    const res = await list(new FakeRemote(() => ({ status: 200, text: remoteList('alpha', 'beta', 'gamma', 'alphabet') })));
    expect(res.statusCode).toBe(200);
    expect(names(res.text)).toEqual(['alpha', 'beta']);
    expect(res.text).toContain('<ID>ds1</ID>');
    expect(res.text).not.toContain('remote-owner-id');
  });

  it('applies a regexp selection', async () => {
    const res = await list(new FakeRemote(() => ({ status: 200, text: remoteList('cells-1', 'my-cells', 'other') })), { buckets: null, bucketsRegexp: '^cells' });
    expect(names(res.text)).toEqual(['cells-1']);
  });

  it('answers with the explicit list when the remote refuses listing', async () => {
    const res = await list(new FakeRemote(() => ({ status: 403, text: '<Error><Code>AccessDenied</Code></Error>' })));
    expect(res.statusCode).toBe(200);
    expect(names(res.text)).toEqual(['alpha', 'beta']);
  });

  it('passes the refusal on when the selection is a regexp', async () => {
    const res = await list(new FakeRemote(() => ({ status: 403, text: '<Error><Code>AccessDenied</Code><Message>no</Message></Error>' })), {
      buckets: null,
      bucketsRegexp: '.*',
    });
    expect(res.statusCode).toBe(403);
    expect(res.text).toContain('<Code>AccessDenied</Code>');
  });
});
