import { CreateDatasourceRequest, DatasourcePatch } from './datasource.js';
import { BucketgateError } from './errors.js';
import { parseOrThrow } from './schema.js';

const base = { name: 'minio-1', apiKey: 'AKIA1', apiSecret: 'secret' };

function invalid(value: unknown): string {
  try {
    parseOrThrow(CreateDatasourceRequest, value);
  } catch (err) {
    expect(err).toBeInstanceOf(BucketgateError);
    expect((err as BucketgateError).code).toBe('INVALID');
    return (err as BucketgateError).message;
  }
  throw new Error('expected the value to be refused');
}

describe('CreateDatasourceRequest', () => {
  it('accepts a minimal AWS datasource and fills defaults', () => {
    const req = parseOrThrow(CreateDatasourceRequest, { ...base, buckets: ['a-b', 'a-b', 'c.d.e'], region: '' });
    expect(req).toMatchObject({ name: 'minio-1', readOnly: false, skipCheck: false });
    expect(req.endpoint).toBeUndefined();
    expect(req.region).toBeUndefined();
    expect(req.buckets).toEqual(['a-b', 'c.d.e']);
  });

  it('normalizes a custom endpoint', () => {
    const req = parseOrThrow(CreateDatasourceRequest, { ...base, endpoint: 'http://127.0.0.1:9000/', bucketsRegexp: '^cells' });
    expect(req.endpoint).toBe('http://127.0.0.1:9000');
  });

  it('trims a pasted apiSecret (S3 secrets never start or end with whitespace)', () => {
    const req = parseOrThrow(CreateDatasourceRequest, { ...base, apiSecret: '  wJalr/K7MDENG+bPxRfiCY\n', buckets: ['abc'] });
    expect(req.apiSecret).toBe('wJalr/K7MDENG+bPxRfiCY');
    expect(parseOrThrow(DatasourcePatch, { apiSecret: 'abc\r\n' }).apiSecret).toBe('abc');
  });

  it.each([
    [{ ...base, name: 'Bad_Name', buckets: ['abc'] }, /name: name must be 1-63 characters/],
    [{ ...base, name: 'x'.repeat(64), buckets: ['abc'] }, /name/],
    [{ ...base, name: '-x', buckets: ['abc'] }, /name/],
    [{ ...base, apiKey: '', buckets: ['abc'] }, /apiKey/],
    [{ ...base, apiSecret: '', buckets: ['abc'] }, /apiSecret/],
    [{ ...base, apiSecret: ' \n ', buckets: ['abc'] }, /apiSecret: apiSecret is required/],
    [{ ...base, buckets: [] }, /buckets: pick at least one bucket/],
    [{ ...base, endpoint: '10.0.0.5:9000', buckets: ['abc'] }, /endpoint: endpoint "10.0.0.5:9000" has no scheme: write it as http:\/\/10.0.0.5:9000/],
    [{ ...base }, /select buckets/],
    [{ ...base, buckets: ['abc'], bucketsRegexp: 'a' }, /either buckets or bucketsRegexp, not both/],
    [{ ...base, bucketsRegexp: '(' }, /bucketsRegexp: bucketsRegexp does not compile/],
    [{ ...base, buckets: ['no spaces'] }, /buckets.0/],
    [{ ...base, buckets: ['abc'], region: 'us east' }, /region/],
    [{ ...base, buckets: ['abc'], surprise: 1 }, /surprise|Unrecognized/i],
    [{ ...base, buckets: ['abc'], readOnly: 'yes' }, /readOnly/],
  ])('refuses %j', (value, message) => {
    expect(invalid(value)).toMatch(message);
  });
});

describe('DatasourcePatch', () => {
  it('accepts an empty patch and a selection change', () => {
    expect(parseOrThrow(DatasourcePatch, {})).toEqual({ skipCheck: false });
    expect(parseOrThrow(DatasourcePatch, { bucketsRegexp: '^x' })).toMatchObject({ bucketsRegexp: '^x' });
  });
  it('refuses both selections at once', () => {
    expect(() => parseOrThrow(DatasourcePatch, { buckets: ['abc'], bucketsRegexp: '^x' })).toThrow(/not both/);
  });
  it('refuses an empty bucket list (a datasource that would serve nothing)', () => {
    expect(() => parseOrThrow(DatasourcePatch, { buckets: [] })).toThrow(/buckets: pick at least one bucket/);
  });
});
