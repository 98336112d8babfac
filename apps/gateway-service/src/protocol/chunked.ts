/**
 * Push parser for the aws-chunked content encoding used by
 *   STREAMING-AWS4-HMAC-SHA256-PAYLOAD          `<hex>;chunk-signature=<sig>\r\n<data>\r\n … 0;chunk-signature=<sig>\r\n\r\n`
 *   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  same, then `name:value\r\n … x-amz-trailer-signature:<sig>\r\n\r\n`
 *   STREAMING-UNSIGNED-PAYLOAD-TRAILER          `<hex>\r\n<data>\r\n … 0\r\n` then `name:value\r\n … \r\n`
 *
 * Signed chunks are held (at most one chunk, capped) until their signature, chained from the previous one,
 * has been verified; only then is their data handed on. Unsigned chunk data is handed on as it arrives.
 * Every framing error throws an S3Error; nothing grows without bound.
 */
import { createHash, type Hash } from 'node:crypto';
import { S3Error } from './s3-error.js';
import { EMPTY_SHA256, chunkStringToSign, signHex, signaturesEqual, trailerStringToSign } from './sigv4.js';

export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
export const MAX_CHUNK_LINE = 4096;
export const MAX_TRAILER_BYTES = 16 * 1024;
export const TRAILER_SIGNATURE_HEADER = 'x-amz-trailer-signature';

export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  /** the request's signature; the first chunk's signature is chained from it */
  seedSignature: string;
}

export interface AwsChunkedParserOptions {
  /** chunks carry `;chunk-signature=` (and the trailer an x-amz-trailer-signature) that must verify */
  signed: boolean;
  /** a trailer section follows the final chunk */
  trailer: boolean;
  /** required when signed */
  signing?: ChunkSigning;
  maxChunkSize?: number;
  /** the declared decoded length: a chunk header that would go past it is refused before its data is read */
  declaredLength?: number;
  maxLineLength?: number;
  maxTrailerBytes?: number;
}

type State = 'header' | 'data' | 'data-crlf' | 'trailer' | 'done';

const SIGNED_HEADER = /^([0-9a-fA-F]{1,16});chunk-signature=([0-9a-f]{64})$/;
const UNSIGNED_HEADER = /^([0-9a-fA-F]{1,16})$/;
const TRAILER_LINE = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)[ \t]*:[ \t]*(.*?)[ \t]*$/;
const CR = 0x0d;
const LF = 0x0a;

function invalid(message: string): S3Error {
  return new S3Error('InvalidRequest', `Malformed aws-chunked body: ${message}`);
}

export class AwsChunkedParser {
  private state: State = 'header';
  private readonly line: Buffer[] = [];
  private lineLength = 0;
  private remaining = 0;
  private chunkIndex = 0;
  private chunkSize = 0;
  private declaredSoFar = 0;
  private crlfSeen = 0;
  private chunkSignature = '';
  private previousSignature: string;
  private chunkHash: Hash | undefined;
  private held: Buffer[] = [];
  private trailerBytes = 0;
  private readonly trailerMap = new Map<string, string>();
  private trailerSignature: string | undefined;
  private readonly maxChunkSize: number;
  private readonly maxLineLength: number;
  private readonly maxTrailerBytes: number;

  constructor(
    private readonly options: AwsChunkedParserOptions,
    private readonly onData: (data: Buffer) => void,
  ) {
    if (options.signed && !options.signing) throw new Error('AwsChunkedParser: signing is required for signed chunks');
    this.previousSignature = options.signing?.seedSignature ?? '';
    this.maxChunkSize = options.maxChunkSize ?? MAX_CHUNK_SIZE;
    this.maxLineLength = options.maxLineLength ?? MAX_CHUNK_LINE;
    this.maxTrailerBytes = options.maxTrailerBytes ?? MAX_TRAILER_BYTES;
  }

  /** Trailing headers received (lower-case names), without x-amz-trailer-signature. Complete once `done`. */
  get trailers(): ReadonlyMap<string, string> {
    return this.trailerMap;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** Feed the next piece of the encoded body. Throws S3Error on any framing or signature error. */
  write(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) {
      switch (this.state) {
        case 'header': {
          const next = this.readLine(buf, off, this.maxLineLength, 'chunk header line');
          if (next < 0) return;
          off = next;
          this.startChunk(this.takeLine());
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, buf.length - off);
          const piece = buf.subarray(off, off + n);
          off += n;
          this.remaining -= n;
          if (this.options.signed) {
            this.chunkHash!.update(piece);
            this.held.push(piece);
          } else {
            this.onData(piece);
          }
          if (this.remaining === 0) this.endChunkData();
          break;
        }
        case 'data-crlf': {
          const expected = this.crlfSeen === 0 ? CR : LF;
          if (buf[off] !== expected) throw invalid(`chunk ${this.chunkIndex} is not followed by CRLF (chunk longer than its declared size ${this.chunkSize}?)`);
          off++;
          if (++this.crlfSeen === 2) {
            this.crlfSeen = 0;
            this.afterChunk();
          }
          break;
        }
        case 'trailer': {
          const next = this.readLine(buf, off, this.maxTrailerBytes - this.trailerBytes, 'trailer');
          if (next < 0) return;
          this.trailerBytes += next - off;
          off = next;
          this.trailerLine(this.takeLine());
          break;
        }
        case 'done':
          throw invalid('unexpected data after the end of the aws-chunked body');
      }
    }
  }

  /** The encoded body ended. Throws IncompleteBody unless the final chunk (and trailer) was complete. */
  end(): void {
    if (this.state === 'done') return;
    const where =
      this.state === 'data'
        ? `in the middle of chunk ${this.chunkIndex} (${this.remaining} of ${this.chunkSize} bytes missing)`
        : this.state === 'trailer'
          ? 'in the trailer'
          : 'before the final zero-length chunk';
    throw new S3Error('IncompleteBody', `The aws-chunked request body ended ${where}.`);
  }

  /** Scan for LF; returns the offset after it (the line is buffered), or -1 if more input is needed. */
  private readLine(buf: Buffer, off: number, limit: number, what: string): number {
    const lf = buf.indexOf(LF, off);
    const end = lf < 0 ? buf.length : lf + 1;
    if (this.lineLength + (end - off) > limit) {
      throw invalid(`${what} is longer than ${what === 'trailer' ? this.maxTrailerBytes : this.maxLineLength} bytes`);
    }
    this.line.push(buf.subarray(off, end));
    this.lineLength += end - off;
    return lf < 0 ? -1 : end;
  }

  /** The buffered line without its CRLF (which must be there). */
  private takeLine(): string {
    const bytes = this.line.length === 1 ? this.line[0]! : Buffer.concat(this.line, this.lineLength);
    this.line.length = 0;
    this.lineLength = 0;
    if (bytes.length < 2 || bytes[bytes.length - 2] !== CR) throw invalid('line not terminated by CRLF');
    return bytes.toString('latin1', 0, bytes.length - 2);
  }

  private startChunk(header: string): void {
    this.chunkIndex++;
    const m = (this.options.signed ? SIGNED_HEADER : UNSIGNED_HEADER).exec(header);
    if (!m) {
      const shown = JSON.stringify(header.slice(0, 120));
      throw invalid(
        this.options.signed
          ? `chunk ${this.chunkIndex} header ${shown} is not "<hex-size>;chunk-signature=<64 hex>"`
          : `chunk ${this.chunkIndex} header ${shown} is not "<hex-size>"`,
      );
    }
    const size = parseInt(m[1]!, 16);
    // only signed chunks are held (until their signature verifies); unsigned chunk data streams through
    if (this.options.signed && size > this.maxChunkSize) throw invalid(`chunk ${this.chunkIndex} declares ${size} bytes, more than the ${this.maxChunkSize}-byte limit`);
    this.declaredSoFar += size;
    if (this.options.declaredLength !== undefined && this.declaredSoFar > this.options.declaredLength) {
      throw new S3Error('IncompleteBody', `aws-chunked chunk ${this.chunkIndex} goes past the ${this.options.declaredLength} bytes declared by x-amz-decoded-content-length.`);
    }
    this.chunkSize = size;
    this.remaining = size;
    this.chunkSignature = m[2] ?? '';
    if (this.options.signed) this.chunkHash = createHash('sha256');
    if (size > 0) {
      this.state = 'data';
    } else {
      this.endChunkData();
    }
  }

  private endChunkData(): void {
    if (this.options.signed) {
      const s = this.options.signing!;
      const hash = this.chunkSize === 0 ? EMPTY_SHA256 : this.chunkHash!.digest('hex');
      const expected = signHex(s.signingKey, chunkStringToSign(s.amzDate, s.scope, this.previousSignature, hash));
      this.chunkHash = undefined;
      if (!signaturesEqual(expected, this.chunkSignature)) {
        this.held = [];
        throw new S3Error('SignatureDoesNotMatch', `The chunk signature of aws-chunked chunk ${this.chunkIndex} does not match.`);
      }
      this.previousSignature = this.chunkSignature;
      const held = this.held;
      this.held = [];
      for (const piece of held) this.onData(piece);
    }
    if (this.chunkSize === 0 && this.options.trailer) {
      this.state = 'trailer';
    } else {
      this.state = 'data-crlf';
    }
  }

  private afterChunk(): void {
    this.state = this.chunkSize === 0 ? 'done' : 'header';
  }

  private trailerLine(line: string): void {
    if (line === '') {
      this.finishTrailer();
      return;
    }
    if (this.trailerSignature !== undefined) throw new S3Error('MalformedTrailerError', `${TRAILER_SIGNATURE_HEADER} must be the last trailing header.`);
    const m = TRAILER_LINE.exec(line);
    if (!m) throw new S3Error('MalformedTrailerError', `The trailing header ${JSON.stringify(line.slice(0, 120))} is not "name:value".`);
    const name = m[1]!.toLowerCase();
    const value = m[2]!;
    if (name === TRAILER_SIGNATURE_HEADER) {
      if (!this.options.signed) throw new S3Error('MalformedTrailerError', `${TRAILER_SIGNATURE_HEADER} is not allowed with STREAMING-UNSIGNED-PAYLOAD-TRAILER.`);
      if (!/^[0-9a-f]{64}$/.test(value)) throw new S3Error('MalformedTrailerError', `${TRAILER_SIGNATURE_HEADER} must be 64 lower-case hex digits.`);
      this.trailerSignature = value;
      return;
    }
    if (this.trailerMap.has(name)) throw new S3Error('MalformedTrailerError', `The trailing header ${name} appears more than once.`);
    this.trailerMap.set(name, value);
  }

  private finishTrailer(): void {
    if (this.options.signed) {
      if (this.trailerSignature === undefined) throw new S3Error('MalformedTrailerError', `The trailer has no ${TRAILER_SIGNATURE_HEADER}.`);
      const s = this.options.signing!;
      let canonical = '';
      for (const [name, value] of this.trailerMap) canonical += `${name}:${value}\n`;
      const expected = signHex(s.signingKey, trailerStringToSign(s.amzDate, s.scope, this.previousSignature, canonical));
      if (!signaturesEqual(expected, this.trailerSignature)) {
        throw new S3Error('SignatureDoesNotMatch', 'The trailer signature (x-amz-trailer-signature) does not match.');
      }
    }
    this.state = 'done';
  }
}
