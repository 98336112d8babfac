/**
 * decodeBody: the object bytes as the client meant them. aws-chunked framing removed; chunk signatures,
 * trailer signature and checksums, x-amz-content-sha256, Content-MD5, x-amz-checksum-* and the declared length
 * verified while streaming. The last piece of data is held back until every check passed, so a consumer
 * (an onward upload) can never complete with unverified data: on failure the stream is destroyed with the S3Error.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, finished, type Readable, type TransformCallback } from 'node:stream';
import type { AuthInfo, SignedRequest } from './auth.js';
import { headerValue } from './auth.js';
import { AwsChunkedParser } from './chunked.js';
import {
  CHECKSUM_BYTES,
  algorithmOfHeader,
  checksumHeaderName,
  createChecksum,
  decodeBase64Digest,
  type Checksum,
  type ChecksumAlgorithm,
} from './checksums.js';
import { S3Error, isS3Error } from './s3-error.js';
import { credentialScope, deriveSigningKey } from './sigv4.js';

const HIGH_WATER_MARK = 64 * 1024;

export interface DecodedBody {
  stream: Readable;
  /** decoded length when known (x-amz-decoded-content-length, or Content-Length for plain bodies) */
  contentLength?: number;
}

interface ExpectedChecksum {
  algorithm: ChecksumAlgorithm;
  /** header or trailer name */
  name: string;
  /** from the header; for a trailer it is only known at the end */
  expected?: Buffer;
  fromTrailer: boolean;
}

interface DecoderPlan {
  chunked?: { signed: boolean; trailer: boolean };
  expectedLength?: number;
  lengthHeader: string;
  sha256?: string;
  md5?: Buffer;
  checksum?: ExpectedChecksum;
}

function parseLength(value: string, name: string): number {
  if (!/^\d{1,16}$/.test(value.trim()) || !Number.isSafeInteger(Number(value.trim()))) {
    throw new S3Error('InvalidArgument', `${name} must be a non-negative integer.`, { ArgumentName: name, ArgumentValue: value.slice(0, 64) });
  }
  return Number(value.trim());
}

/**
 * Work out what must be checked from the request headers. Throws S3Error (before any body byte is read) for
 * missing or malformed x-amz-decoded-content-length, Content-MD5, x-amz-checksum-* or x-amz-trailer.
 */
function plan(req: SignedRequest, auth: AuthInfo): DecoderPlan {
  const h = req.headers;
  const streaming = auth.payload.startsWith('streaming-');
  const trailerMode = auth.payload === 'streaming-signed-trailer' || auth.payload === 'streaming-unsigned-trailer';
  const result: DecoderPlan = { lengthHeader: 'Content-Length' };

  if (streaming) {
    const decoded = headerValue(h, 'x-amz-decoded-content-length');
    if (decoded === undefined) {
      throw new S3Error('MissingContentLength', 'An aws-chunked (STREAMING-*) upload must carry the x-amz-decoded-content-length header.');
    }
    result.expectedLength = parseLength(decoded, 'x-amz-decoded-content-length');
    result.lengthHeader = 'x-amz-decoded-content-length';
    result.chunked = { signed: auth.payload !== 'streaming-unsigned-trailer', trailer: trailerMode };
  } else {
    const cl = headerValue(h, 'content-length');
    if (cl !== undefined) result.expectedLength = parseLength(cl, 'Content-Length');
    if (auth.payload === 'sha256') result.sha256 = auth.payloadSha256;
  }

  const md5 = headerValue(h, 'content-md5');
  if (md5 !== undefined) {
    const digest = decodeBase64Digest(md5, 16);
    if (!digest) throw new S3Error('InvalidDigest', 'The Content-MD5 you specified is not a base64-encoded 128-bit MD5 digest.', { 'Content-MD5': md5.slice(0, 64) });
    result.md5 = digest;
  }

  const checksums: ExpectedChecksum[] = [];
  for (const name of Object.keys(h)) {
    const algorithm = algorithmOfHeader(name);
    if (!algorithm) continue;
    const value = headerValue(h, name) ?? '';
    const expected = decodeBase64Digest(value, CHECKSUM_BYTES[algorithm]);
    if (!expected) throw new S3Error('InvalidRequest', `Value for ${name} header is invalid.`);
    checksums.push({ algorithm, name, expected, fromTrailer: false });
  }

  const trailer = headerValue(h, 'x-amz-trailer');
  if (trailer !== undefined) {
    if (!trailerMode) {
      throw new S3Error('InvalidRequest', 'x-amz-trailer is only allowed with x-amz-content-sha256 STREAMING-UNSIGNED-PAYLOAD-TRAILER or STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER.');
    }
    for (const raw of trailer.split(',')) {
      const name = raw.trim().toLowerCase();
      if (name === '') continue;
      const algorithm = algorithmOfHeader(name);
      if (!algorithm) throw new S3Error('InvalidRequest', `The trailing header ${name.slice(0, 64)} named in x-amz-trailer is not supported (only x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256).`);
      checksums.push({ algorithm, name: checksumHeaderName(algorithm), fromTrailer: true });
    }
  }
  if (checksums.length > 1) {
    throw new S3Error('InvalidRequest', `Expecting a single x-amz-checksum- header; got ${checksums.map((c) => c.name).join(', ')}.`);
  }
  if (checksums[0]) result.checksum = checksums[0];
  return result;
}

class BodyDecoder extends Transform {
  private held: Buffer | undefined;
  private received = 0;
  private readonly parser: AwsChunkedParser | undefined;
  private readonly sha256: Hash | undefined;
  private readonly md5: Hash | undefined;
  private readonly checksum: Checksum | undefined;

  constructor(
    private readonly p: DecoderPlan,
    auth: AuthInfo,
    secretAccessKey: string,
  ) {
    super({ readableHighWaterMark: HIGH_WATER_MARK, writableHighWaterMark: HIGH_WATER_MARK });
    if (p.chunked) {
      const signing = p.chunked.signed
        ? {
            signingKey: deriveSigningKey(secretAccessKey, auth.date, auth.region, auth.service),
            amzDate: auth.amzDate,
            scope: credentialScope(auth.date, auth.region, auth.service),
            seedSignature: auth.signature,
          }
        : undefined;
      this.parser = new AwsChunkedParser(
        {
          signed: p.chunked.signed,
          trailer: p.chunked.trailer,
          ...(signing ? { signing } : {}),
          ...(p.expectedLength !== undefined ? { declaredLength: p.expectedLength } : {}),
        },
        (data) => this.release(data),
      );
    }
    if (p.sha256 !== undefined) this.sha256 = createHash('sha256');
    if (p.md5) this.md5 = createHash('md5');
    if (p.checksum) this.checksum = createChecksum(p.checksum.algorithm);
  }

  /** Verified, decoded data: count, hash, and pass on all but the most recent piece. */
  private release(data: Buffer): void {
    if (data.length === 0) return;
    this.received += data.length;
    if (this.p.expectedLength !== undefined && this.received > this.p.expectedLength) {
      throw new S3Error('IncompleteBody', `The request body is longer than the ${this.p.expectedLength} bytes declared by ${this.p.lengthHeader}.`);
    }
    this.sha256?.update(data);
    this.md5?.update(data);
    this.checksum?.update(data);
    if (this.held) this.push(this.held);
    this.held = data;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (this.parser) this.parser.write(chunk);
      else this.release(chunk);
      callback();
    } catch (err) {
      this.held = undefined;
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    this.finalChecks().then(
      () => {
        if (this.held) this.push(this.held);
        this.held = undefined;
        callback();
      },
      (err: unknown) => {
        this.held = undefined;
        callback(err as Error);
      },
    );
  }

  private async finalChecks(): Promise<void> {
    this.parser?.end();
    const p = this.p;
    if (p.expectedLength !== undefined && this.received !== p.expectedLength) {
      throw new S3Error('IncompleteBody', `The request body has ${this.received} bytes but ${p.lengthHeader} declared ${p.expectedLength}.`);
    }
    if (this.sha256 && p.sha256 !== undefined) {
      const computed = this.sha256.digest('hex');
      if (computed !== p.sha256) {
        throw new S3Error('XAmzContentSHA256Mismatch', undefined, {
          ClientComputedContentSHA256: p.sha256,
          S3ComputedContentSHA256: computed,
        });
      }
    }
    if (this.md5 && p.md5) {
      const computed = this.md5.digest();
      if (!computed.equals(p.md5)) {
        throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', {
          ExpectedDigest: p.md5.toString('base64'),
          CalculatedDigest: computed.toString('base64'),
        });
      }
    }
    if (this.checksum && p.checksum) {
      let expected = p.checksum.expected;
      if (p.checksum.fromTrailer) {
        const value = this.parser?.trailers.get(p.checksum.name);
        if (value === undefined) {
          throw new S3Error('MalformedTrailerError', `The trailing header ${p.checksum.name} declared in x-amz-trailer was not sent.`);
        }
        expected = decodeBase64Digest(value, CHECKSUM_BYTES[p.checksum.algorithm]);
        if (!expected) throw new S3Error('InvalidRequest', `Value for ${p.checksum.name} trailing header is invalid.`);
      }
      const computed = await this.checksum.digest();
      if (!expected || !computed.equals(expected)) {
        throw new S3Error('BadDigest', `The ${p.checksum.algorithm} you specified did not match the calculated checksum.`, {
          [`Checksum${p.checksum.algorithm}`]: expected?.toString('base64') ?? '',
          CalculatedChecksum: computed.toString('base64'),
        });
      }
    }
    if (this.parser) {
      const declared = p.checksum?.fromTrailer ? p.checksum.name : undefined;
      for (const name of this.parser.trailers.keys()) {
        if (name !== declared) throw new S3Error('MalformedTrailerError', `The trailing header ${name.slice(0, 64)} was not declared in x-amz-trailer.`);
      }
    }
  }
}

/**
 * The object bytes as the client meant them (see the module comment). Throws S3Error synchronously for header
 * problems. On a failed check the returned stream is destroyed with the S3Error; the source `body` is then
 * unpiped and left paused (not destroyed), so the caller can still answer with the S3 error and then drain
 * or close the connection. A source that errors or closes early destroys the stream with IncompleteBody.
 */
export function decodeBody(body: Readable, req: SignedRequest, auth: AuthInfo, secretAccessKey: string): DecodedBody {
  const p = plan(req, auth);
  const decoder = new BodyDecoder(p, auth, secretAccessKey);
  // The listener stays until the body settles (a no-op once the decoder is gone), so a late source error never goes unhandled.
  finished(body, { writable: false }, (err) => {
    if (err && !decoder.destroyed) {
      decoder.destroy(
        isS3Error(err) ? err : new S3Error('IncompleteBody', 'The request body ended early (the client closed the connection or the upload was aborted).', undefined, { cause: err }),
      );
    }
  });
  body.pipe(decoder);
  return p.expectedLength !== undefined ? { stream: decoder, contentLength: p.expectedLength } : { stream: decoder };
}
