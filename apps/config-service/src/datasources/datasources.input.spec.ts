import { parseExpectedRevision, parsePatchBody } from './datasources.input.js';

describe(parseExpectedRevision.name, () => {
  it.each([
    [undefined, undefined, undefined],
    ['"3"', undefined, 3],
    ['W/"3"', undefined, 3],
    ['3', undefined, 3],
    ['*', undefined, undefined],
    [undefined, '7', 7],
    ['"7"', '7', 7],
  ])('If-Match %j with expectedRevision %j → %j', (ifMatch, query, expected) => {
    expect(parseExpectedRevision(ifMatch, query)).toBe(expected);
  });

  it.each([
    ['"abc"', undefined, /If-Match must be the ETag/],
    ['"0"', undefined, /If-Match/],
    [undefined, '-1', /expectedRevision must be a positive integer/],
    [undefined, '', /expectedRevision must be a positive integer .* got nothing \(\?expectedRevision= is empty/],
    ['"3"', '', /expectedRevision must be a positive integer/],
    [undefined, ['1', '2'], /expectedRevision must be a positive integer/],
    ['"3"', '4', /disagree/],
  ])('refuses If-Match %j with expectedRevision %j', (ifMatch, query, message) => {
    expect(() => parseExpectedRevision(ifMatch, query)).toThrow(message);
  });
});

describe(parsePatchBody.name, () => {
  it('marks an explicit empty endpoint or null region as "clear", and leaves absent fields alone', () => {
    expect(parsePatchBody({ endpoint: '', region: null })).toMatchObject({ clearEndpoint: true, clearRegion: true });
    expect(parsePatchBody({ readOnly: true })).not.toHaveProperty('clearEndpoint');
  });

  it('says what is wrong', () => {
    expect(() => parsePatchBody({ buckets: ['a1b'], bucketsRegexp: '.*' })).toThrow(/either buckets or bucketsRegexp, not both/);
    expect(() => parsePatchBody({ name: 'rename' })).toThrow(/Unrecognized key: "name"/);
    expect(() => parsePatchBody(undefined)).toThrow(/needs a JSON object body/);
  });
});
