/**
 * AWS's published Signature Version 4 examples for S3 (Amazon S3 API reference: "Signature Calculations for
 * the Authorization Header", "Transferring Payload in Multiple Chunks", "Including Trailing Headers",
 * "Query String Authentication"), credentials AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY,
 * time 20130524T000000Z. A pass here means we agree with the real service, not merely with ourselves.
 */
import { Readable } from 'node:stream';
import { decodeBody, parseAuth, verifySignature, type AuthInfo, type SignedRequest } from './index.js';
import { S3Error } from './s3-error.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const NOW = new Date('2013-05-24T00:00:00Z');
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const HOST = 'examplebucket.s3.amazonaws.com';
const CRED = `Credential=${AKID}/20130524/us-east-1/s3/aws4_request`;

function authz(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 ${CRED},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

const headerCases: Array<{ name: string; req: SignedRequest }> = [
  {
    name: 'GET Object',
    req: {
      method: 'GET',
      rawPath: '/test.txt',
      rawQuery: '',
      headers: {
        host: HOST,
        range: 'bytes=0-9',
        'x-amz-content-sha256': EMPTY,
        'x-amz-date': '20130524T000000Z',
        authorization: authz('host;range;x-amz-content-sha256;x-amz-date', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'),
      },
    },
  },
  {
    name: 'PUT Object',
    req: {
      method: 'PUT',
      rawPath: '/test%24file.text',
      rawQuery: '',
      headers: {
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        host: HOST,
        'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        authorization: authz(
          'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
          '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
        ),
      },
    },
  },
  {
    name: 'GET Bucket Lifecycle',
    req: {
      method: 'GET',
      rawPath: '/',
      rawQuery: 'lifecycle',
      headers: {
        host: HOST,
        'x-amz-content-sha256': EMPTY,
        'x-amz-date': '20130524T000000Z',
        authorization: authz('host;x-amz-content-sha256;x-amz-date', 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543'),
      },
    },
  },
  {
    name: 'GET Bucket (List Objects)',
    req: {
      method: 'GET',
      rawPath: '/',
      rawQuery: 'max-keys=2&prefix=J',
      headers: {
        host: HOST,
        'x-amz-content-sha256': EMPTY,
        'x-amz-date': '20130524T000000Z',
        authorization: authz('host;x-amz-content-sha256;x-amz-date', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7'),
      },
    },
  },
  {
    name: 'presigned GET Object',
    req: {
      method: 'GET',
      rawPath: '/test.txt',
      rawQuery:
        'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
        '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
      headers: { host: HOST },
    },
  },
];

function expectS3Error(fn: () => unknown, code: string): S3Error {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(S3Error);
    expect((err as S3Error).code).toBe(code);
    return err as S3Error;
  }
  throw new Error(`expected S3Error ${code}, nothing was thrown`);
}

describe('AWS published SigV4 examples', () => {
  it.each(headerCases)('$name verifies with the example secret', ({ req }) => {
    const auth = parseAuth(req);
    expect(auth.accessKeyId).toBe(AKID);
    expect(() => verifySignature(req, auth, SECRET, NOW)).not.toThrow();
  });

  it.each(headerCases)('$name fails with a secret one character off', ({ req }) => {
    const auth = parseAuth(req);
    expectS3Error(() => verifySignature(req, auth, SECRET.replace('K7', 'K8'), NOW), 'SignatureDoesNotMatch');
  });

  it.each(headerCases)('$name fails when the path changes by one byte', ({ req }) => {
    const changed = { ...req, rawPath: req.rawPath + 'x' };
    expectS3Error(() => verifySignature(changed, parseAuth(changed), SECRET, NOW), 'SignatureDoesNotMatch');
  });

  it('the presigned example expires after 86400 seconds', () => {
    const req = headerCases[4]!.req;
    const auth = parseAuth(req);
    expect(auth.kind).toBe('presigned');
    expect(auth.payload).toBe('unsigned');
    verifySignature(req, auth, SECRET, new Date(NOW.getTime() + 86_400_000));
    const err = expectS3Error(() => verifySignature(req, auth, SECRET, new Date(NOW.getTime() + 86_401_000)), 'AccessDenied');
    expect(err.message).toBe('Request has expired');
  });

  it('the header example is too skewed 16 minutes later', () => {
    const req = headerCases[0]!.req;
    expectS3Error(() => verifySignature(req, parseAuth(req), SECRET, new Date(NOW.getTime() + 16 * 60_000)), 'RequestTimeTooSkewed');
  });
});

const chunk1 = Buffer.alloc(65536, 'a');
const chunk2 = Buffer.alloc(1024, 'a');

function chunkedBody(sigs: [string, string, string], tail: string): Buffer {
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
    chunk1,
    Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
    chunk2,
    Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n${tail}`),
  ]);
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('AWS published streaming (aws-chunked) examples', () => {
  const streamingReq: SignedRequest = {
    method: 'PUT',
    rawPath: '/examplebucket/chunkObject.txt',
    rawQuery: '',
    headers: {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      authorization: authz(
        'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
        '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      ),
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': '66824',
    },
  };
  const sigs: [string, string, string] = [
    'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
    '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
    'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
  ];

  it('verifies the seed signature and decodes the 66560 bytes', async () => {
    const auth = parseAuth(streamingReq);
    expect(auth.payload).toBe('streaming-signed');
    verifySignature(streamingReq, auth, SECRET, NOW);
    const body = chunkedBody(sigs, '\r\n');
    expect(body.length).toBe(66824);
    const { stream, contentLength } = decodeBody(Readable.from([body]), streamingReq, auth, SECRET);
    expect(contentLength).toBe(66560);
    expect((await collect(stream)).equals(Buffer.concat([chunk1, chunk2]))).toBe(true);
  });

  it('rejects the example when one byte of chunk 2 is changed', async () => {
    const auth = parseAuth(streamingReq);
    const body = chunkedBody(sigs, '\r\n');
    body[65536 + 90 + 86 + 10] = 'b'.charCodeAt(0);
    const { stream } = decodeBody(Readable.from([body]), streamingReq, auth, SECRET);
    await expect(collect(stream)).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('decodes the trailer example (CRC32C trailer, x-amz-trailer-signature)', async () => {
    const trailerSigs: [string, string, string] = [
      'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
      '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
      '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
    ];
    const req: SignedRequest = {
      ...streamingReq,
      headers: {
        ...streamingReq.headers,
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        'x-amz-trailer': 'x-amz-checksum-crc32c',
        // the example's seed is taken as given below; only the chunk and trailer chain is checked here
        authorization: authz(
          'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer',
          '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
        ),
      },
    };
    const auth: AuthInfo = parseAuth(req);
    expect(auth.payload).toBe('streaming-signed-trailer');
    const good = 'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n';
    const { stream } = decodeBody(Readable.from([chunkedBody(trailerSigs, good)]), req, auth, SECRET);
    expect((await collect(stream)).length).toBe(66560);

    const badSig = good.replace('d81f82fc', 'd81f82fd');
    const r2 = decodeBody(Readable.from([chunkedBody(trailerSigs, badSig)]), req, auth, SECRET);
    await expect(collect(r2.stream)).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });
});
