/**
 * The object checksums S3 clients send (x-amz-checksum-<alg> as a header or an aws-chunked trailer) and
 * Content-MD5: incremental calculators and strict parsing of the base64 values.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** Digest size in bytes. */
export const CHECKSUM_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

/** `x-amz-checksum-crc32` -> 'CRC32', … */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  const lower = name.toLowerCase();
  if (!lower.startsWith('x-amz-checksum-')) return undefined;
  const alg = lower.slice('x-amz-checksum-'.length).toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(alg) ? (alg as ChecksumAlgorithm) : undefined;
}

/** An incremental checksum. */
export interface Checksum {
  update(data: Buffer): void;
  digest(): Promise<Buffer>;
}

class Crc32Checksum implements Checksum {
  private value = 0;
  update(data: Buffer): void {
    this.value = crc32(data, this.value);
  }
  digest(): Promise<Buffer> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0);
    return Promise.resolve(out);
  }
}

/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8. The byte-at-a-time implementation in
 * @aws-crypto/crc32c runs at ~40 MiB/s here, too slow for the upload path; this one is checked against it in tests.
 */
const CRC32C_TABLES = ((): Uint32Array => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const prev = t[(k - 1) * 256 + i]!;
      t[k * 256 + i] = ((prev >>> 8) ^ t[prev & 0xff]!) >>> 0;
    }
  }
  return t;
})();

/** Continue a CRC32C over `data` (start with 0). */
export function crc32c(data: Uint8Array, previous = 0): number {
  const t = CRC32C_TABLES;
  let crc = ~previous >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  for (; i < end8; i += 8) {
    const lo = (crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    const hi = (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)) >>> 0;
    crc =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + (hi & 0xff)]! ^
      t[512 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
  }
  for (; i < n; i++) crc = (crc >>> 8) ^ t[(crc ^ data[i]!) & 0xff]!;
  return ~crc >>> 0;
}

class Crc32cChecksum implements Checksum {
  private value = 0;
  update(data: Buffer): void {
    this.value = crc32c(data, this.value);
  }
  digest(): Promise<Buffer> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0);
    return Promise.resolve(out);
  }
}

class Crc64NvmeChecksum implements Checksum {
  private readonly crc = new Crc64Nvme();
  update(data: Buffer): void {
    this.crc.update(data);
  }
  async digest(): Promise<Buffer> {
    return Buffer.from(await this.crc.digest());
  }
}

class HashChecksum implements Checksum {
  private readonly hash;
  constructor(algorithm: 'sha1' | 'sha256' | 'md5') {
    this.hash = createHash(algorithm);
  }
  update(data: Buffer): void {
    this.hash.update(data);
  }
  digest(): Promise<Buffer> {
    return Promise.resolve(this.hash.digest());
  }
}

export function createChecksum(algorithm: ChecksumAlgorithm | 'MD5'): Checksum {
  switch (algorithm) {
    case 'CRC32':
      return new Crc32Checksum();
    case 'CRC32C':
      return new Crc32cChecksum();
    case 'CRC64NVME':
      return new Crc64NvmeChecksum();
    case 'SHA1':
      return new HashChecksum('sha1');
    case 'SHA256':
      return new HashChecksum('sha256');
    case 'MD5':
      return new HashChecksum('md5');
  }
}

/** One-shot checksum of a buffer, base64 (as sent in x-amz-checksum-*). */
export async function checksumBase64(algorithm: ChecksumAlgorithm | 'MD5', data: Buffer): Promise<string> {
  const c = createChecksum(algorithm);
  c.update(data);
  return (await c.digest()).toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strictly decode a base64 digest of exactly `bytes` bytes; undefined if it is not one. */
export function decodeBase64Digest(value: string, bytes: number): Buffer | undefined {
  const v = value.trim();
  if (v === '' || !BASE64.test(v)) return undefined;
  const decoded = Buffer.from(v, 'base64');
  return decoded.length === bytes ? decoded : undefined;
}
