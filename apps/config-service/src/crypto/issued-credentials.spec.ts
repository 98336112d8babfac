import { ACCESS_KEY_ID_RE, issueCredentials, SECRET_ACCESS_KEY_RE } from './issued-credentials.js';

describe(issueCredentials.name, () => {
  it('issues AWS-shaped keys: BG + 18 uppercase alphanumerics, and a 40-character secret', () => {
    for (let i = 0; i < 200; i++) {
      const c = issueCredentials();
      expect(c.accessKeyId).toMatch(ACCESS_KEY_ID_RE);
      expect(c.secretAccessKey).toMatch(SECRET_ACCESS_KEY_RE);
    }
  });

  it('never repeats itself', () => {
    const ids = new Set<string>();
    const secrets = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const c = issueCredentials();
      ids.add(c.accessKeyId);
      secrets.add(c.secretAccessKey);
    }
    expect(ids.size).toBe(500);
    expect(secrets.size).toBe(500);
  });

  it('uses the whole alphabet of the secret (including / and +)', () => {
    const seen = new Set(Array.from({ length: 100 }, () => issueCredentials().secretAccessKey).join(''));
    expect(seen.has('/') && seen.has('+')).toBe(true);
    expect(seen.size).toBe(64);
  });
});
