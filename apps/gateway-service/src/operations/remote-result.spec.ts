import { S3Error } from '../protocol/index.js';
import { revealsCredentials } from '../remote/credential-leak.js';
import { RemoteS3Error, SCRUBBED_MESSAGE, remoteErrorFrom, remoteErrorXml } from './remote-result.js';
import { xmlBlocks, xmlRoot, xmlText, xmlUnescape } from './xml.js';

const noLeak = () => false;
const doc = (code: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>remote says &lt;no&gt;</Message>${extra}<RequestId>REMOTE-REQ-7</RequestId><HostId>remote-host-id</HostId></Error>`;

describe(remoteErrorFrom.name, () => {
  it.each([
    [404, doc('NoSuchKey', '<Key>a/b</Key>'), true, 'RemoteS3Error', 404, 'NoSuchKey'],
    [404, doc('NoSuchBucket', '<BucketName>bk1</BucketName>'), false, 'RemoteS3Error', 404, 'NoSuchBucket'],
    [416, doc('InvalidRange', '<ActualObjectSize>10</ActualObjectSize>'), true, 'RemoteS3Error', 416, 'InvalidRange'],
    [412, doc('PreconditionFailed', '<Condition>If-Match</Condition>'), true, 'RemoteS3Error', 412, 'PreconditionFailed'],
    [400, doc('EntityTooSmall'), true, 'RemoteS3Error', 400, 'EntityTooSmall'],
    [409, doc('SomethingNew'), true, 'RemoteS3Error', 409, 'SomethingNew'],
    [403, doc('SignatureDoesNotMatch', '<AWSAccessKeyId>REMOTEKEY</AWSAccessKeyId><StringToSign>x</StringToSign>'), true, 'S3Error', 403, 'AccessDenied'],
    [403, doc('InvalidAccessKeyId'), false, 'S3Error', 403, 'AccessDenied'],
    [400, doc('AuthorizationHeaderMalformed'), false, 'S3Error', 503, 'ServiceUnavailable'],
    [403, doc('AccessDenied'), true, 'RemoteS3Error', 403, 'AccessDenied'],
    [404, '', true, 'RemoteS3Error', 404, 'NoSuchKey'],
    [404, '', false, 'RemoteS3Error', 404, 'NoSuchBucket'],
    [416, '', true, 'RemoteS3Error', 416, 'InvalidRange'],
    [503, 'garbage', true, 'RemoteS3Error', 503, 'SlowDown'],
    [500, '<html>oops</html>', true, 'RemoteS3Error', 500, 'InternalError'],
  ])('%i %s -> %s %i %s', (status, xml, isObject, kind, outStatus, code) => {
    const err = remoteErrorFrom(status, xml, isObject, noLeak);
    expect(err.constructor.name).toBe(kind);
    expect(err.status).toBe(outStatus);
    expect(err.code).toBe(code);
  });

  it('keeps safe details and drops the remote key, string-to-sign, request and host ids', () => {
    const err = remoteErrorFrom(
      404,
      doc('NoSuchKey', '<Key>a&amp;b</Key><AWSAccessKeyId>REMOTEKEY</AWSAccessKeyId><StringToSign>s</StringToSign><Endpoint>remote.host</Endpoint>'),
      true,
      noLeak,
    ) as RemoteS3Error;
    expect(err.message).toBe('remote says <no>');
    expect(err.extra).toEqual({ Key: 'a&b' });
    const xml = remoteErrorXml(err, '/bk1/a&b', 'OUR-ID');
    expect(xml).toContain('<Code>NoSuchKey</Code>');
    expect(xml).toContain('<Resource>/bk1/a&amp;b</Resource>');
    expect(xml).toContain('<RequestId>OUR-ID</RequestId>');
    for (const leak of ['REMOTEKEY', 'REMOTE-REQ-7', 'remote-host-id', 'remote.host', 'StringToSign']) expect(xml).not.toContain(leak);
  });

  it('does not tell the client the remote refused its signature', () => {
    const err = remoteErrorFrom(403, doc('SignatureDoesNotMatch'), true, noLeak) as S3Error;
    expect(err.message).toMatch(/remote storage refused this datasource's credentials/);
  });
});

describe('remote errors that echo the remote credentials', () => {
  const creds = { accessKeyId: 'REMOTEKEY0123456789AB', secretAccessKey: 'h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==' };
  const reveals = (t: string) => revealsCredentials(t, creds);
  const err500 = (message: string, extra = '') =>
    remoteErrorFrom(500, `<Error><Code>InternalError</Code><Message>${message}</Message>${extra}</Error>`, true, reveals) as RemoteS3Error;

  it.each([
    ['the exact secret', `bad config: secret=${creds.secretAccessKey}`],
    ['the secret URL-encoded', `q=${encodeURIComponent(creds.secretAccessKey)}`],
    ['the secret in another case', creds.secretAccessKey.toUpperCase()],
    ['a 16-character piece of the secret', `partial ${creds.secretAccessKey.slice(20, 36)} only`],
    ['the remote access key', `user ${creds.accessKeyId.toLowerCase()} failed`],
  ])('replaces a message carrying %s with a generic one', (_what, message) => {
    const err = err500(message);
    expect(err.code).toBe('InternalError');
    expect(err.status).toBe(500);
    expect(err.message).toBe(SCRUBBED_MESSAGE);
    const xml = remoteErrorXml(err, '/b/k', 'ID');
    expect(xml.toLowerCase()).not.toContain(creds.secretAccessKey.slice(20, 36).toLowerCase());
  });

  it('drops a detail element that carries the secret, keeps the others', () => {
    const err = err500('fine', `<Key>k</Key><ArgumentValue>${creds.secretAccessKey}</ArgumentValue>`);
    expect(err.message).toBe('fine');
    expect(err.extra).toEqual({ Key: 'k' });
  });

  it('keeps an ordinary message (a 15-character piece is not enough)', () => {
    expect(err500('disk full').message).toBe('disk full');
    expect(err500(`near miss ${creds.secretAccessKey.slice(0, 15)}`).message).toContain('near miss');
  });
});

describe('xml helpers', () => {
  it('reads roots, texts and blocks', () => {
    const xml = '<?xml version="1.0"?>\n<!-- c --><ListAllMyBucketsResult xmlns="x"><Buckets><Bucket><Name>a&amp;b</Name></Bucket><Bucket><Name>c</Name></Bucket></Buckets></ListAllMyBucketsResult>';
    expect(xmlRoot(xml)).toBe('ListAllMyBucketsResult');
    expect(xmlBlocks(xml, 'Bucket')).toHaveLength(2);
    expect(xmlText(xml, 'Name')).toBe('a&b');
    expect(xmlText(xml, 'Missing')).toBeUndefined();
    expect(xmlUnescape('&#65;&#x42;&lt;&unknown;')).toBe('AB<&unknown;');
  });
});
