import { xmlEscape } from '../protocol/index.js';
import type { Worker } from '../workers/worker.js';
import type { Operation } from '../s3/s3.types.js';
import { isSuccess, readBounded, throwRemoteError } from './remote-result.js';
import { xmlBlocks, xmlText } from './xml.js';

const MAX_LIST_BODY = 16 * 1024 * 1024;

/** Renders ListAllMyBucketsResult; the owner shown is the datasource, not the remote account. */
export function listBucketsXml(owner: string, bucketBlocks: string[]): string {
  const o = xmlEscape(owner);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Owner><ID>${o}</ID><DisplayName>${o}</DisplayName></Owner>` +
    `<Buckets>${bucketBlocks.join('')}</Buckets></ListAllMyBucketsResult>`
  );
}

/** The remote's <Bucket> entries that the datasource selects (each kept as the remote wrote it). */
export function selectBuckets(remoteXml: string, worker: Pick<Worker, 'matches'>): string[] {
  return xmlBlocks(remoteXml, 'Bucket').filter((block) => {
    const name = xmlText(block, 'Name');
    return name !== undefined && worker.matches(name);
  });
}

/** When listing is refused but the selection is a list of names, those names are the answer. */
export function explicitBlocks(names: readonly string[]): string[] {
  return names.map((n) => `<Bucket><Name>${xmlEscape(n)}</Name><CreationDate>1970-01-01T00:00:00.000Z</CreationDate></Bucket>`);
}

/** Only the selected buckets, from the remote's list. */
export const ListBuckets: Operation = {
  name: 'ListBuckets',
  access: 'service',
  run: async (ctx) => {
    const res = await ctx.worker.remote.send({ method: 'GET', signal: ctx.signal });
    let blocks: string[];
    if (isSuccess(res.status)) {
      blocks = selectBuckets((await readBounded(res.body, MAX_LIST_BODY)).toString('utf8'), ctx.worker);
    } else if (res.status === 403 && ctx.worker.explicitBuckets !== null) {
      res.body.resume();
      blocks = explicitBlocks(ctx.worker.explicitBuckets);
    } else {
      return throwRemoteError(res, false);
    }
    const body = listBucketsXml(ctx.worker.name, blocks);
    return { status: 200, headers: { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }, body };
  },
};
