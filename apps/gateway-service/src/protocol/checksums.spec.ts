import { randomBytes } from 'node:crypto';
import { crc32c as awsCryptoCrc32c } from '@aws-crypto/crc32c';
import { algorithmOfHeader, checksumBase64, crc32c, createChecksum, decodeBase64Digest } from './checksums.js';

describe(crc32c.name, () => {
  it('has the standard check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('matches @aws-crypto/crc32c on random data of every small length and at random split points', () => {
    for (let len = 0; len < 70; len++) {
      const data = randomBytes(len);
      expect(crc32c(data)).toBe(awsCryptoCrc32c(data) >>> 0);
    }
    for (let round = 0; round < 20; round++) {
      const data = randomBytes(10_000 + round * 37);
      const split = Math.floor(Math.random() * data.length);
      expect(crc32c(data.subarray(split), crc32c(data.subarray(0, split)))).toBe(awsCryptoCrc32c(data) >>> 0);
    }
  });

  it('gives the AWS trailer example value for 66560 bytes of "a"', async () => {
    expect(await checksumBase64('CRC32C', Buffer.alloc(66560, 'a'))).toBe('sOO8/Q==');
  });
});

describe('checksum helpers', () => {
  it('incremental digests equal one-shot digests for every algorithm', async () => {
    const data = randomBytes(100_003);
    for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256', 'MD5'] as const) {
      const c = createChecksum(alg);
      c.update(data.subarray(0, 12_345));
      c.update(data.subarray(12_345));
      expect((await c.digest()).toString('base64')).toBe(await checksumBase64(alg, data));
    }
  });

  it.each([
    ['x-amz-checksum-crc32', 'CRC32'],
    ['X-Amz-Checksum-CRC64NVME', 'CRC64NVME'],
    ['x-amz-checksum-sha256', 'SHA256'],
    ['x-amz-checksum-algorithm', undefined],
    ['x-amz-checksum-type', undefined],
    ['x-amz-checksum-md5', undefined],
    ['content-md5', undefined],
  ])('algorithmOfHeader(%s) = %s', (name, alg) => {
    expect(algorithmOfHeader(name)).toBe(alg);
  });

  it.each([
    ['AAAAAA==', 4, true],
    ['AAAAAA=', 4, false],
    ['AAAAAAA=', 4, false],
    ['AAAA AA==', 4, false],
    ['', 4, false],
    ['AAAAAAAAAAA=', 8, true],
    ['AAAAAAAAAAA=', 4, false],
    ['-_AAAA==', 4, false],
  ] as const)('decodeBase64Digest(%j, %i) valid=%s', (value, bytes, ok) => {
    expect(decodeBase64Digest(value, bytes) !== undefined).toBe(ok);
  });
});
