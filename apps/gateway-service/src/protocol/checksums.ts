/**
 * The object checksums S3 clients send (x-amz-checksum-<alg> as a header or an aws-chunked trailer) and
 * Content-MD5: incremental calculators and strict parsing of the base64 values.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';
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

class Crc32cChecksum implements Checksum {
  private readonly crc = new Crc32c();
  update(data: Buffer): void {
    this.crc.update(data);
  }
  digest(): Promise<Buffer> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc.digest() >>> 0);
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
