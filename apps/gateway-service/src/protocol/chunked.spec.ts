import { AwsChunkedParser, MAX_CHUNK_LINE, type AwsChunkedParserOptions } from './chunked.js';
import { S3Error } from './s3-error.js';
import { credentialScope, deriveSigningKey } from './sigv4.js';
import { encodeAwsChunked, type StreamingMode } from './testing.js';

const SECRET = 'chunk-secret/key+0123456789';
const AMZ_DATE = '20260301T120000Z';
const SEED = 'f'.repeat(64);
const signingInput = { secretAccessKey: SECRET, amzDate: AMZ_DATE, region: 'us-east-1', seedSignature: SEED };

function options(mode: StreamingMode): AwsChunkedParserOptions {
  const signed = mode !== 'streaming-unsigned-trailer';
  return {
    signed,
    trailer: mode !== 'streaming-signed',
    ...(signed
      ? { signing: { signingKey: deriveSigningKey(SECRET, '20260301', 'us-east-1', 's3'), amzDate: AMZ_DATE, scope: credentialScope('20260301', 'us-east-1', 's3'), seedSignature: SEED } }
      : {}),
  };
}

interface Parsed {
  data: Buffer;
  trailers: Map<string, string>;
}

function parse(pieces: Buffer[], mode: StreamingMode, extra: Partial<AwsChunkedParserOptions> = {}): Parsed {
  const out: Buffer[] = [];
  const parser = new AwsChunkedParser({ ...options(mode), ...extra }, (d) => out.push(Buffer.from(d)));
  for (const p of pieces) parser.write(p);
  parser.end();
  return { data: Buffer.concat(out), trailers: new Map(parser.trailers) };
}

function error(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected an S3Error');
}

const data = Buffer.from('The quick brown fox jumps over the lazy dog\r\n0;\r\n!');
const modes: StreamingMode[] = ['streaming-signed', 'streaming-signed-trailer', 'streaming-unsigned-trailer'];
const encode = (mode: StreamingMode, body = data, chunkSize = 16): Promise<Buffer> =>
  encodeAwsChunked(body, { mode, chunkSize, signing: signingInput, ...(mode === 'streaming-signed' ? {} : { checksum: 'CRC32C' as const }) });

describe(AwsChunkedParser.name, () => {
  it.each(modes)('%s: decodes the body split at every byte boundary', async (mode) => {
    const body = await encode(mode);
    for (let i = 0; i <= body.length; i++) {
      const got = parse([body.subarray(0, i), body.subarray(i)], mode);
      expect(got.data.equals(data)).toBe(true);
      if (mode !== 'streaming-signed') expect(got.trailers.get('x-amz-checksum-crc32c')).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    }
  });

  it.each(modes)('%s: decodes the body fed one byte at a time and split in three everywhere near the chunk edges', async (mode) => {
    const body = await encode(mode);
    expect(parse([...body].map((b) => Buffer.from([b])), mode).data.equals(data)).toBe(true);
    for (let i = 0; i < 120; i++) {
      for (let j = i; j < Math.min(body.length, i + 100); j += 7) {
        expect(parse([body.subarray(0, i), body.subarray(i, j), body.subarray(j)], mode).data.equals(data)).toBe(true);
      }
    }
  });

  it.each(modes)('%s: an empty object is a single zero-length chunk', async (mode) => {
    const body = await encode(mode, Buffer.alloc(0));
    expect(parse([body], mode).data.length).toBe(0);
  });

  it.each(['streaming-signed', 'streaming-signed-trailer'] as const)('%s: no single changed byte anywhere is accepted', async (mode) => {
    const body = await encode(mode);
    for (let i = 0; i < body.length; i++) {
      const tampered = Buffer.from(body);
      tampered[i] ^= 0x01;
      const err = error(() => parse([tampered], mode));
      expect(['SignatureDoesNotMatch', 'InvalidRequest', 'IncompleteBody', 'MalformedTrailerError']).toContain(err.code);
    }
  });

  it.each(modes)('%s: a body truncated anywhere is refused', async (mode) => {
    const body = await encode(mode);
    for (let i = 0; i < body.length; i++) {
      const err = error(() => parse([body.subarray(0, i)], mode));
      expect(err.code).toBe('IncompleteBody');
    }
  });

  it('changed chunk data is SignatureDoesNotMatch and none of that chunk is released', async () => {
    const body = await encode('streaming-signed', data, 16);
    const tampered = Buffer.from(body);
    const secondChunkData = body.indexOf('\r\n', body.indexOf('\r\n', body.indexOf('\r\n') + 2) + 2) + 2 + 3;
    tampered[secondChunkData] ^= 0x20;
    const released: Buffer[] = [];
    const parser = new AwsChunkedParser(options('streaming-signed'), (d) => released.push(Buffer.from(d)));
    expect(error(() => parser.write(tampered)).code).toBe('SignatureDoesNotMatch');
    expect(Buffer.concat(released).equals(data.subarray(0, 16))).toBe(true);
  });

  it('signed chunk data is released only once the whole chunk has been verified', async () => {
    const body = await encode('streaming-signed', data, 32);
    const firstDataEnd = body.indexOf('\r\n') + 2 + 32;
    const released: Buffer[] = [];
    const parser = new AwsChunkedParser(options('streaming-signed'), (d) => released.push(Buffer.from(d)));
    parser.write(body.subarray(0, firstDataEnd - 1));
    expect(released).toHaveLength(0);
    parser.write(body.subarray(firstDataEnd - 1, firstDataEnd));
    expect(Buffer.concat(released).equals(data.subarray(0, 32))).toBe(true);
  });

  it('swapped chunks (with their own signatures) break the chain', async () => {
    const a = Buffer.alloc(16, 'a');
    const b = Buffer.alloc(16, 'b');
    const body = await encode('streaming-signed', Buffer.concat([a, b]), 16);
    const headerLen = body.indexOf('\r\n') + 2;
    const chunkLen = headerLen + 16 + 2;
    const swapped = Buffer.concat([body.subarray(chunkLen, 2 * chunkLen), body.subarray(0, chunkLen), body.subarray(2 * chunkLen)]);
    expect(error(() => parse([swapped], 'streaming-signed')).code).toBe('SignatureDoesNotMatch');
  });

  it('a wrong seed signature fails the first chunk', async () => {
    const body = await encodeAwsChunked(data, { mode: 'streaming-signed', signing: { ...signingInput, seedSignature: 'e'.repeat(64) } });
    expect(error(() => parse([body], 'streaming-signed')).code).toBe('SignatureDoesNotMatch');
  });

  it('a wrong signing secret fails', async () => {
    const body = await encodeAwsChunked(data, { mode: 'streaming-signed', signing: { ...signingInput, secretAccessKey: 'other' } });
    expect(error(() => parse([body], 'streaming-signed')).code).toBe('SignatureDoesNotMatch');
  });

  it.each([
    ['a chunk header line longer than the limit', 'streaming-unsigned-trailer', `${'0'.repeat(MAX_CHUNK_LINE + 10)}`, 'InvalidRequest', /longer than 4096/],
    ['a signed chunk larger than 16 MiB', 'streaming-signed', `1000001;chunk-signature=${'0'.repeat(64)}\r\n`, 'InvalidRequest', /16777216/],
    ['a non-hex size', 'streaming-unsigned-trailer', 'zz\r\n', 'InvalidRequest', /hex-size/],
    ['an empty size', 'streaming-unsigned-trailer', '\r\n', 'InvalidRequest', /hex-size/],
    ['a negative size', 'streaming-unsigned-trailer', '-1\r\n', 'InvalidRequest', /hex-size/],
    ['a bare LF', 'streaming-unsigned-trailer', '3\nabc\r\n', 'InvalidRequest', /CRLF/],
    ['data longer than its size', 'streaming-unsigned-trailer', '3\r\nabcd\r\n', 'InvalidRequest', /CRLF/],
    ['a signature in an unsigned body', 'streaming-unsigned-trailer', `3;chunk-signature=${'a'.repeat(64)}\r\n`, 'InvalidRequest', /hex-size/],
    ['a signed chunk without signature', 'streaming-signed', '3\r\nabc\r\n', 'InvalidRequest', /chunk-signature/],
    ['a short chunk signature', 'streaming-signed', '3;chunk-signature=abc\r\n', 'InvalidRequest', /chunk-signature/],
    ['a trailer signature in an unsigned body', 'streaming-unsigned-trailer', `0\r\nx-amz-trailer-signature:${'a'.repeat(64)}\r\n\r\n`, 'MalformedTrailerError', /not allowed/],
    ['a trailer line without a colon', 'streaming-unsigned-trailer', '0\r\nx-amz-checksum-crc32 AAAAAA==\r\n\r\n', 'MalformedTrailerError', /name:value/],
    ['a repeated trailer', 'streaming-unsigned-trailer', '0\r\nx-amz-checksum-crc32:AAAAAA==\r\nX-Amz-Checksum-CRC32:AAAAAA==\r\n\r\n', 'MalformedTrailerError', /more than once/],
    ['an oversized trailer', 'streaming-unsigned-trailer', `0\r\nx-amz-meta-a:${'a'.repeat(17000)}\r\n\r\n`, 'InvalidRequest', /trailer is longer/],
    ['data after the end', 'streaming-unsigned-trailer', '0\r\n\r\nx', 'InvalidRequest', /after the end/],
  ] as const)('%s is refused', (...[, mode, body, code, message]) => {
    const err = error(() => parse([Buffer.from(body)], mode));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('refuses an oversize header line without buffering it all', () => {
    const parser = new AwsChunkedParser(options('streaming-unsigned-trailer'), () => undefined);
    const piece = Buffer.alloc(1000, '0');
    let fed = 0;
    const err = error(() => {
      for (let i = 0; i < 100; i++) {
        parser.write(piece);
        fed += piece.length;
      }
    });
    expect(err.code).toBe('InvalidRequest');
    expect(fed).toBeLessThanOrEqual(MAX_CHUNK_LINE);
  });

  it('signed trailer: a changed checksum value, missing or wrong trailer signature is refused', async () => {
    const body = (await encode('streaming-signed-trailer')).toString('latin1');
    const value = /x-amz-checksum-crc32c:([^\r]+)/.exec(body)![1]!;
    const changed = body.replace(`x-amz-checksum-crc32c:${value}`, `x-amz-checksum-crc32c:AAAAAA==`);
    expect(error(() => parse([Buffer.from(changed, 'latin1')], 'streaming-signed-trailer')).code).toBe('SignatureDoesNotMatch');
    const noSig = body.replace(/x-amz-trailer-signature:[0-9a-f]{64}\r\n/, '');
    expect(error(() => parse([Buffer.from(noSig, 'latin1')], 'streaming-signed-trailer')).code).toBe('MalformedTrailerError');
    const wrongSig = body.replace(/x-amz-trailer-signature:[0-9a-f]{64}/, `x-amz-trailer-signature:${'0'.repeat(64)}`);
    expect(error(() => parse([Buffer.from(wrongSig, 'latin1')], 'streaming-signed-trailer')).code).toBe('SignatureDoesNotMatch');
    const sigNotLast = body.replace(/(x-amz-trailer-signature:[0-9a-f]{64}\r\n)/, '$1x-amz-meta-a:b\r\n');
    expect(error(() => parse([Buffer.from(sigNotLast, 'latin1')], 'streaming-signed-trailer')).code).toBe('MalformedTrailerError');
  });

  it('refuses a chunk that goes past the declared decoded length before reading its data', async () => {
    const body = await encode('streaming-signed', data, 16);
    const released: Buffer[] = [];
    const parser = new AwsChunkedParser({ ...options('streaming-signed'), declaredLength: 20 }, (d) => released.push(d));
    const err = error(() => parser.write(body));
    expect(err.code).toBe('IncompleteBody');
    expect(err.message).toMatch(/chunk 2 goes past the 20 bytes/);
    expect(Buffer.concat(released).length).toBe(16);
  });

  it('caps signed chunks, which are held until verified', async () => {
    const body = await encode('streaming-signed', data, 40);
    const err = error(() => parse([body], 'streaming-signed', { maxChunkSize: 16 }));
    expect(err.message).toMatch(/more than the 16-byte limit/);
  });

  it('streams unsigned chunks of any size (SDKs send one chunk per stream read, e.g. 20 MiB)', async () => {
    const body = await encode('streaming-unsigned-trailer', data, 40);
    expect(parse([body], 'streaming-unsigned-trailer', { maxChunkSize: 16 }).data.equals(data)).toBe(true);
  });
});
