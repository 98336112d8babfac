import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { AuthInfo, PayloadMode, SignedRequest } from './auth.js';
import { decodeBody } from './body.js';
import { checksumBase64, type ChecksumAlgorithm } from './checksums.js';
import { S3Error } from './s3-error.js';
import { encodeAwsChunked, STREAMING_HEADER_VALUE, type StreamingMode } from './testing.js';

const SECRET = 'body-secret/0123456789+abc';
const AMZ_DATE = '20260301T120000Z';
const SEED = 'c'.repeat(64);

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');

function authFor(payload: PayloadMode, payloadSha256?: string): AuthInfo {
  return {
    kind: 'header',
    accessKeyId: 'AK',
    date: '20260301',
    region: 'us-east-1',
    service: 's3',
    amzDate: AMZ_DATE,
    signedHeaders: ['host'],
    signature: SEED,
    payload,
    ...(payloadSha256 ? { payloadSha256 } : {}),
  };
}

function reqWith(headers: Record<string, string>): SignedRequest {
  return { method: 'PUT', rawPath: '/bkt/k', rawQuery: '', headers: { host: 'h', ...headers } };
}

function pieces(buf: Buffer, size = 1000): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

interface Outcome {
  data: Buffer;
  ended: boolean;
  error?: S3Error;
}

/** Read the decoded stream like an onward upload would: every byte, and whether it ended or failed. */
function consume(stream: Readable): Promise<Outcome> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.on('end', () => resolve({ data: Buffer.concat(parts), ended: true }));
    stream.on('error', (error: Error) => resolve({ data: Buffer.concat(parts), ended: false, error: error as S3Error }));
  });
}

function decode(body: Buffer, headers: Record<string, string>, auth: AuthInfo): Promise<Outcome> {
  return consume(decodeBody(Readable.from(pieces(body)), reqWith(headers), auth, SECRET).stream);
}

function syncError(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected an S3Error');
}

const data = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 31 + 7) % 251));

describe(decodeBody.name, () => {
  describe('plain bodies', () => {
    it('sha256: passes the exact bytes and reports the length', async () => {
      const { stream, contentLength } = decodeBody(Readable.from(pieces(data)), reqWith({ 'content-length': String(data.length) }), authFor('sha256', sha256(data)), SECRET);
      expect(contentLength).toBe(data.length);
      const out = await consume(stream);
      expect(out.ended).toBe(true);
      expect(out.data.equals(data)).toBe(true);
    });

    it('sha256 mismatch: XAmzContentSHA256Mismatch, and the final bytes are never released', async () => {
      const out = await decode(data, { 'content-length': String(data.length) }, authFor('sha256', sha256(Buffer.from('other'))));
      expect(out.error?.code).toBe('XAmzContentSHA256Mismatch');
      expect(out.ended).toBe(false);
      expect(out.data.length).toBeLessThan(data.length);
      expect(out.error?.extra?.['S3ComputedContentSHA256']).toBe(sha256(data));
    });

    it('an empty body with the empty hash ends; with another hash it fails without ending', async () => {
      expect(await decode(Buffer.alloc(0), { 'content-length': '0' }, authFor('sha256', sha256(Buffer.alloc(0))))).toMatchObject({ ended: true });
      const bad = await decode(Buffer.alloc(0), { 'content-length': '0' }, authFor('sha256', sha256(data)));
      expect(bad.ended).toBe(false);
      expect(bad.error?.code).toBe('XAmzContentSHA256Mismatch');
    });

    it('unsigned: a body shorter or longer than Content-Length is IncompleteBody', async () => {
      const short = await decode(data, { 'content-length': String(data.length + 1) }, authFor('unsigned'));
      expect(short.error?.code).toBe('IncompleteBody');
      expect(short.data.length).toBeLessThan(data.length);
      const long = await decode(data, { 'content-length': String(data.length - 1) }, authFor('unsigned'));
      expect(long.error?.code).toBe('IncompleteBody');
      expect(long.data.length).toBeLessThan(data.length - 1);
    });

    it('without Content-Length (HTTP chunked) the length is unknown and not checked', async () => {
      const { stream, contentLength } = decodeBody(Readable.from(pieces(data)), reqWith({ 'transfer-encoding': 'chunked' }), authFor('unsigned'), SECRET);
      expect(contentLength).toBeUndefined();
      expect((await consume(stream)).data.equals(data)).toBe(true);
    });

    it('Content-MD5: right passes, wrong is BadDigest, malformed is InvalidDigest before reading', async () => {
      expect((await decode(data, { 'content-md5': md5(data) }, authFor('unsigned'))).ended).toBe(true);
      const wrong = await decode(data, { 'content-md5': md5(Buffer.from('x')) }, authFor('unsigned'));
      expect(wrong.error?.code).toBe('BadDigest');
      expect(wrong.ended).toBe(false);
      for (const bad of ['', 'abc', 'not base64!!', Buffer.alloc(15).toString('base64'), Buffer.alloc(20).toString('base64')]) {
        expect(syncError(() => decodeBody(Readable.from([]), reqWith({ 'content-md5': bad }), authFor('unsigned'), SECRET)).code).toBe('InvalidDigest');
      }
    });

    it.each(['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as ChecksumAlgorithm[])('x-amz-checksum-%s header: right passes, wrong is BadDigest', async (alg) => {
      const name = `x-amz-checksum-${alg.toLowerCase()}`;
      expect((await decode(data, { [name]: await checksumBase64(alg, data) }, authFor('unsigned'))).ended).toBe(true);
      const wrong = await decode(data, { [name]: await checksumBase64(alg, Buffer.from('other')) }, authFor('unsigned'));
      expect(wrong.error?.code).toBe('BadDigest');
      expect(wrong.error?.message).toContain(alg);
      expect(wrong.ended).toBe(false);
    });

    it('known checksum values of "hello world"', async () => {
      const hello = Buffer.from('hello world');
      expect(await checksumBase64('CRC32', hello)).toBe('DUoRhQ==');
      expect(await checksumBase64('CRC32C', hello)).toBe('yZRlqg==');
      expect(await checksumBase64('SHA1', hello)).toBe('Kq5sNclPz7QV2+lfQIuc6R7oRu0=');
      expect(await checksumBase64('SHA256', hello)).toBe('uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=');
    });

    it('refuses malformed or multiple checksum headers before reading', () => {
      const bad = (headers: Record<string, string>): string => syncError(() => decodeBody(Readable.from([]), reqWith(headers), authFor('unsigned'), SECRET)).code;
      expect(bad({ 'x-amz-checksum-crc32': 'AAAA' })).toBe('InvalidRequest');
      expect(bad({ 'x-amz-checksum-sha256': 'AAAAAA==' })).toBe('InvalidRequest');
      expect(bad({ 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-checksum-crc32c': 'AAAAAA==' })).toBe('InvalidRequest');
      expect(bad({ 'x-amz-trailer': 'x-amz-checksum-crc32' })).toBe('InvalidRequest');
    });

    it('ignores x-amz-checksum-algorithm / -type / -mode, which are not checksums', async () => {
      const out = await decode(data, { 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'FULL_OBJECT', 'x-amz-checksum-mode': 'ENABLED' }, authFor('unsigned'));
      expect(out.ended).toBe(true);
    });
  });

  describe('aws-chunked bodies', () => {
    const modes: StreamingMode[] = ['streaming-signed', 'streaming-signed-trailer', 'streaming-unsigned-trailer'];

    async function chunked(mode: StreamingMode, alg: ChecksumAlgorithm = 'CRC32', trailers?: Array<[string, string]>): Promise<{ body: Buffer; headers: Record<string, string> }> {
      const body = await encodeAwsChunked(data, {
        mode,
        chunkSize: 8192,
        signing: { secretAccessKey: SECRET, amzDate: AMZ_DATE, region: 'us-east-1', seedSignature: SEED },
        ...(mode === 'streaming-signed' ? {} : trailers ? { trailers } : { checksum: alg }),
      });
      const headers: Record<string, string> = {
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': STREAMING_HEADER_VALUE[mode],
        'x-amz-decoded-content-length': String(data.length),
        'content-length': String(body.length),
        ...(mode === 'streaming-signed' ? {} : { 'x-amz-trailer': `x-amz-checksum-${alg.toLowerCase()}` }),
      };
      return { body, headers };
    }

    it.each(modes)('%s: decodes to the exact bytes with the decoded length', async (mode) => {
      const { body, headers } = await chunked(mode);
      const { stream, contentLength } = decodeBody(Readable.from(pieces(body, 777)), reqWith(headers), authFor(mode), SECRET);
      expect(contentLength).toBe(data.length);
      const out = await consume(stream);
      expect(out.ended).toBe(true);
      expect(sha256(out.data)).toBe(sha256(data));
    });

    it.each(['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as ChecksumAlgorithm[])('unsigned trailer %s: right passes, wrong is BadDigest and never ends', async (alg) => {
      const good = await chunked('streaming-unsigned-trailer', alg);
      expect((await decode(good.body, good.headers, authFor('streaming-unsigned-trailer'))).ended).toBe(true);
      const wrongValue = await checksumBase64(alg, Buffer.from('not the data'));
      const bad = await chunked('streaming-unsigned-trailer', alg, [[`x-amz-checksum-${alg.toLowerCase()}`, wrongValue]]);
      const out = await decode(bad.body, bad.headers, authFor('streaming-unsigned-trailer'));
      expect(out.error?.code).toBe('BadDigest');
      expect(out.ended).toBe(false);
      expect(out.data.length).toBeLessThan(data.length);
    });

    it('a tampered signed chunk fails with SignatureDoesNotMatch and never ends', async () => {
      const { body, headers } = await chunked('streaming-signed');
      body[body.length - 200] ^= 0x01;
      const out = await decode(body, headers, authFor('streaming-signed'));
      expect(out.error?.code).toBe('SignatureDoesNotMatch');
      expect(out.ended).toBe(false);
    });

    it('a body cut short is IncompleteBody and never ends', async () => {
      const { body, headers } = await chunked('streaming-signed-trailer');
      const out = await decode(body.subarray(0, body.length - 3), headers, authFor('streaming-signed-trailer'));
      expect(out.error?.code).toBe('IncompleteBody');
      expect(out.ended).toBe(false);
    });

    it('a decoded length that does not match is IncompleteBody', async () => {
      const { body, headers } = await chunked('streaming-signed');
      for (const declared of [data.length - 1, data.length + 1]) {
        const out = await decode(body, { ...headers, 'x-amz-decoded-content-length': String(declared) }, authFor('streaming-signed'));
        expect(out.error?.code).toBe('IncompleteBody');
        expect(out.ended).toBe(false);
      }
    });

    it('refuses a missing or malformed x-amz-decoded-content-length and bad x-amz-trailer before reading', async () => {
      const { headers } = await chunked('streaming-unsigned-trailer');
      const code = (h: Record<string, string>): string => syncError(() => decodeBody(Readable.from([]), reqWith(h), authFor('streaming-unsigned-trailer'), SECRET)).code;
      const { 'x-amz-decoded-content-length': _dropped, ...withoutLength } = headers;
      expect(code(withoutLength)).toBe('MissingContentLength');
      expect(code({ ...headers, 'x-amz-decoded-content-length': '12abc' })).toBe('InvalidArgument');
      expect(code({ ...headers, 'x-amz-decoded-content-length': '-1' })).toBe('InvalidArgument');
      expect(code({ ...headers, 'x-amz-trailer': 'x-amz-meta-foo' })).toBe('InvalidRequest');
      expect(code({ ...headers, 'x-amz-checksum-crc32': 'AAAAAA==' })).toBe('InvalidRequest');
    });

    it('a declared trailer that is not sent, or an undeclared one that is, is MalformedTrailerError', async () => {
      const none = await chunked('streaming-unsigned-trailer', 'CRC32', []);
      expect((await decode(none.body, none.headers, authFor('streaming-unsigned-trailer'))).error?.code).toBe('MalformedTrailerError');
      const undeclared = await chunked('streaming-unsigned-trailer', 'CRC32', [['x-amz-meta-x', '1']]);
      const { 'x-amz-trailer': _t, ...noDeclaration } = undeclared.headers;
      expect((await decode(undeclared.body, noDeclaration, authFor('streaming-unsigned-trailer'))).error?.code).toBe('MalformedTrailerError');
    });

    it('a trailer mode without any trailer and without x-amz-trailer is fine', async () => {
      const plain = await chunked('streaming-unsigned-trailer', 'CRC32', []);
      const { 'x-amz-trailer': _t, ...headers } = plain.headers;
      expect((await decode(plain.body, headers, authFor('streaming-unsigned-trailer'))).ended).toBe(true);
    });
  });

  describe('streaming behaviour', () => {
    it('applies back-pressure: an unread decoded stream stops pulling from the source', async () => {
      let pulled = 0;
      const total = 400;
      const source = new Readable({
        highWaterMark: 16 * 1024,
        read() {
          pulled++;
          this.push(pulled <= total ? Buffer.alloc(64 * 1024, pulled & 0xff) : null);
        },
      });
      const { stream } = decodeBody(source, reqWith({ 'content-length': String(total * 64 * 1024) }), authFor('unsigned'), SECRET);
      await new Promise((r) => setTimeout(r, 100));
      expect(pulled).toBeLessThan(20);
      let bytes = 0;
      for await (const part of stream) bytes += (part as Buffer).length;
      expect(bytes).toBe(total * 64 * 1024);
      expect(pulled).toBe(total + 1);
    });

    it('a source that errors midway destroys the decoded stream with IncompleteBody', async () => {
      const source = new PassThrough();
      const { stream } = decodeBody(source, reqWith({ 'content-length': '100000' }), authFor('unsigned'), SECRET);
      const outcome = consume(stream);
      source.write(Buffer.alloc(1000));
      source.destroy(new Error('ECONNRESET'));
      const out = await outcome;
      expect(out.error?.code).toBe('IncompleteBody');
      expect(out.ended).toBe(false);
    });

    it('a source that closes without ending destroys the decoded stream with IncompleteBody', async () => {
      const source = new PassThrough();
      const { stream } = decodeBody(source, reqWith({ 'transfer-encoding': 'chunked' }), authFor('unsigned'), SECRET);
      const outcome = consume(stream);
      source.write(Buffer.alloc(1000));
      source.destroy();
      const out = await outcome;
      expect(out.error?.code).toBe('IncompleteBody');
    });

    it('on a failed check the source is unpiped, not destroyed (the caller can still answer)', async () => {
      const source = new PassThrough();
      const { stream } = decodeBody(source, reqWith({ 'content-length': '10' }), authFor('unsigned'), SECRET);
      const outcome = consume(stream);
      source.write(Buffer.alloc(20));
      const out = await outcome;
      expect(out.error?.code).toBe('IncompleteBody');
      expect(source.destroyed).toBe(false);
      expect(source.listenerCount('data')).toBe(0);
    });
  });
});
