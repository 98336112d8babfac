import { forwardRequestHeaders, passBackResponseHeaders } from './headers.js';

describe(forwardRequestHeaders.name, () => {
  it('forwards what means something to S3 and nothing of the client auth', () => {
    const out = forwardRequestHeaders({
      host: 'gw:9100',
      authorization: 'AWS4-HMAC-SHA256 Credential=…',
      'x-amz-date': '20260101T000000Z',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': '5',
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'x-amz-sdk-checksum-algorithm': 'CRC32',
      'x-amz-security-token': 'tok',
      'x-amz-acl': 'public-read',
      'content-length': '99',
      expect: '100-continue',
      connection: 'keep-alive',
      'user-agent': 'aws-cli',
      'content-type': 'text/plain',
      'content-encoding': 'aws-chunked,gzip',
      'content-disposition': 'attachment',
      'content-language': 'fr',
      'cache-control': 'no-cache',
      expires: 'Wed, 21 Oct 2026 07:28:00 GMT',
      'content-md5': 'abc==',
      range: 'bytes=0-9',
      'if-match': '"e"',
      'if-none-match': '"f"',
      'if-modified-since': 'x',
      'if-unmodified-since': 'y',
      'x-amz-meta-color': 'blue',
      'x-amz-tagging': 'a=b',
      'x-amz-storage-class': 'STANDARD',
      'x-amz-copy-source': '/b/k',
      'x-amz-copy-source-range': 'bytes=0-1',
      'x-amz-copy-source-if-match': '"e"',
      'x-amz-metadata-directive': 'REPLACE',
      'x-amz-tagging-directive': 'COPY',
      'x-amz-server-side-encryption': 'AES256',
    });
    expect(out).toEqual({
      'content-type': 'text/plain',
      'content-encoding': 'gzip',
      'content-disposition': 'attachment',
      'content-language': 'fr',
      'cache-control': 'no-cache',
      expires: 'Wed, 21 Oct 2026 07:28:00 GMT',
      'content-md5': 'abc==',
      range: 'bytes=0-9',
      'if-match': '"e"',
      'if-none-match': '"f"',
      'if-modified-since': 'x',
      'if-unmodified-since': 'y',
      'x-amz-meta-color': 'blue',
      'x-amz-tagging': 'a=b',
      'x-amz-storage-class': 'STANDARD',
      'x-amz-copy-source': '/b/k',
      'x-amz-copy-source-range': 'bytes=0-1',
      'x-amz-copy-source-if-match': '"e"',
      'x-amz-metadata-directive': 'REPLACE',
      'x-amz-tagging-directive': 'COPY',
      'x-amz-server-side-encryption': 'AES256',
    });
  });

  it.each([
    ['aws-chunked', undefined],
    ['AWS-CHUNKED', undefined],
    ['gzip', 'gzip'],
    ['aws-chunked, br', 'br'],
  ])('content-encoding %j -> %j', (value, expected) => {
    expect(forwardRequestHeaders({ 'content-encoding': value })['content-encoding']).toBe(expected);
  });
});

describe(passBackResponseHeaders.name, () => {
  it('gives back what S3 clients read and drops the remote internals', () => {
    const out = passBackResponseHeaders({
      etag: '"abc"',
      'content-length': '10',
      'content-type': 'application/octet-stream',
      'content-range': 'bytes 0-9/100',
      'last-modified': 'Tue, 01 Dec 2026 00:00:00 GMT',
      'accept-ranges': 'bytes',
      'x-amz-meta-color': 'blue',
      'x-amz-version-id': 'v1',
      'x-amz-delete-marker': 'true',
      'x-amz-checksum-crc32': 'AAAAAA==',
      'x-amz-mp-parts-count': '3',
      'x-amz-request-id': 'REMOTE-ID',
      'x-amz-id-2': 'remote-host-id',
      server: 'Ceph',
      date: 'x',
      connection: 'keep-alive',
      'transfer-encoding': 'chunked',
      'set-cookie': ['a=b'],
    });
    expect(out).toEqual({
      etag: '"abc"',
      'content-length': '10',
      'content-type': 'application/octet-stream',
      'content-range': 'bytes 0-9/100',
      'last-modified': 'Tue, 01 Dec 2026 00:00:00 GMT',
      'accept-ranges': 'bytes',
      'x-amz-meta-color': 'blue',
      'x-amz-version-id': 'v1',
      'x-amz-delete-marker': 'true',
      'x-amz-checksum-crc32': 'AAAAAA==',
      'x-amz-mp-parts-count': '3',
    });
  });
});
