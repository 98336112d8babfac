import { S3Error, S3_ERRORS, isS3ErrorCode, type S3ErrorCode } from './s3-error.js';
import { errorXml, xmlEscape } from './xml.js';

describe(S3Error.name, () => {
  const required: Array<[S3ErrorCode, number]> = [
    ['AccessDenied', 403],
    ['InvalidAccessKeyId', 403],
    ['SignatureDoesNotMatch', 403],
    ['RequestTimeTooSkewed', 403],
    ['AuthorizationHeaderMalformed', 400],
    ['AuthorizationQueryParametersError', 400],
    ['MissingSecurityHeader', 400],
    ['InvalidArgument', 400],
    ['InvalidRequest', 400],
    ['InvalidDigest', 400],
    ['BadDigest', 400],
    ['XAmzContentSHA256Mismatch', 400],
    ['IncompleteBody', 400],
    ['MalformedXML', 400],
    ['InvalidBucketName', 400],
    ['InvalidRange', 416],
    ['MissingContentLength', 411],
    ['EntityTooLarge', 400],
    ['NoSuchBucket', 404],
    ['NoSuchKey', 404],
    ['NoSuchUpload', 404],
    ['MethodNotAllowed', 405],
    ['PreconditionFailed', 412],
    ['NotImplemented', 501],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
    ['SlowDown', 503],
    ['RequestTimeout', 400],
  ];

  it.each(required)('%s answers with HTTP %i', (code, status) => {
    const err = new S3Error(code);
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
    expect(err.message).toBe(S3_ERRORS[code].message);
    expect(err.message.length).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('S3Error');
  });

  it('keeps a custom message, extra fields and the cause', () => {
    const cause = new Error('low level');
    const err = new S3Error('BadDigest', 'CRC32 mismatch', { CalculatedChecksum: 'AAAA' }, { cause });
    expect(err.message).toBe('CRC32 mismatch');
    expect(err.extra).toEqual({ CalculatedChecksum: 'AAAA' });
    expect(err.cause).toBe(cause);
  });

  it('every status in the table is an HTTP error or 304', () => {
    for (const [code, { status }] of Object.entries(S3_ERRORS)) {
      expect([304, 400, 403, 404, 405, 409, 411, 412, 416, 500, 501, 503]).toContain(status);
      expect(isS3ErrorCode(code)).toBe(true);
    }
    expect(isS3ErrorCode('toString')).toBe(false);
    expect(isS3ErrorCode('NoSuchThing')).toBe(false);
  });
});

describe(xmlEscape.name, () => {
  it.each([
    ['plain', 'plain'],
    [`<a & "b" 'c'>`, '&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;'],
    ['already &amp; escaped', 'already &amp;amp; escaped'],
    ['line\nbreak\ttab', 'line\nbreak\ttab'],
    ['carriage\rreturn', 'carriage&#13;return'],
    ['ctl\u0001\u0008\u001f\u000b', 'ctl\uFFFD\uFFFD\uFFFD\uFFFD'],
    ['lone \uD800 high', 'lone \uFFFD high'],
    ['lone \uDC00 low', 'lone \uFFFD low'],
    ['pair 😀 ok é', 'pair 😀 ok é'],
    ['\uFFFE\uFFFF', '\uFFFD\uFFFD'],
    [']]>', ']]&gt;'],
  ])('%j -> %j', (input, expected) => {
    expect(xmlEscape(input)).toBe(expected);
  });
});

describe(errorXml.name, () => {
  it('writes Code, Message, extra, Resource and RequestId, escaped', () => {
    const err = new S3Error('NoSuchKey', 'no <key> & "more"', { Key: 'a&b<c>.txt', BucketName: 'bkt' });
    const xml = errorXml(err, '/bkt/a&b<c>.txt', 'req-1<2>');
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>no &lt;key&gt; &amp; &quot;more&quot;</Message>' +
        '<Key>a&amp;b&lt;c&gt;.txt</Key><BucketName>bkt</BucketName><Resource>/bkt/a&amp;b&lt;c&gt;.txt</Resource>' +
        '<RequestId>req-1&lt;2&gt;</RequestId></Error>',
    );
  });

  it('skips extra names that are not valid XML element names or would override the fixed ones', () => {
    const err = new S3Error('AccessDenied', undefined, {
      'bad name': 'x',
      '<script>': 'x',
      '1digit': 'x',
      xmlThing: 'x',
      Code: 'Hijack',
      RequestId: 'forged',
      'X-Amz-Expires': '60',
    });
    const xml = errorXml(err, '/', 'rid');
    expect(xml).toContain('<Code>AccessDenied</Code>');
    expect(xml).not.toContain('Hijack');
    expect(xml).not.toContain('forged');
    expect(xml).not.toContain('script');
    expect(xml).not.toContain('1digit');
    expect(xml).not.toContain('xmlThing');
    expect(xml).toContain('<X-Amz-Expires>60</X-Amz-Expires>');
    expect(xml.match(/<Code>/g)).toHaveLength(1);
  });
});
