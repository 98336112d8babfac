import { randomBytes } from 'node:crypto';
import { DecryptError, SecretBox, secretAad } from './secret-box.js';

describe(SecretBox.name, () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);
  const aad = secretAad('ds1', 'apiSecret');
  const secret = 'h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==';

  /** Flips one bit in the given base64url part of a token. */
  function flip(token: string, part: 1 | 2 | 3): string {
    const parts = token.split('.');
    const bytes = Buffer.from(parts[part]!, 'base64url');
    bytes[0] = bytes[0]! ^ 0x01;
    parts[part] = bytes.toString('base64url');
    return parts.join('.');
  }

  it('opens what it sealed', () => {
    expect(box.open(box.seal(secret, aad), aad)).toBe(secret);
    expect(box.open(box.seal('ünïcødé ✓', aad), aad)).toBe('ünïcødé ✓');
  });

  it('never shows the plaintext and uses a fresh IV each time', () => {
    const a = box.seal(secret, aad);
    const b = box.seal(secret, aad);
    expect(a).not.toContain(secret);
    expect(a).not.toContain(Buffer.from(secret).toString('base64'));
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(Buffer.from(a.split('.')[1]!, 'base64url')).toHaveLength(12);
  });

  it.each([
    ['the IV', 1],
    ['the ciphertext', 2],
    ['the tag', 3],
  ] as const)('refuses a token whose %s was altered', (_what, part) => {
    expect(() => box.open(flip(box.seal(secret, aad), part), aad)).toThrow(DecryptError);
  });

  it('refuses a ciphertext moved to another datasource or field (AAD)', () => {
    const token = box.seal(secret, aad);
    expect(() => box.open(token, secretAad('ds2', 'apiSecret'))).toThrow(DecryptError);
    expect(() => box.open(token, secretAad('ds1', 'secretAccessKey'))).toThrow(DecryptError);
  });

  it('refuses to open with another master key', () => {
    expect(() => new SecretBox(randomBytes(32)).open(box.seal(secret, aad), aad)).toThrow(/wrong master key/);
  });

  it.each(['', 'garbage', 'v2.a.b.c', 'v1.AAAA.BBBB.CCCC'])('refuses the malformed token %j', (token) => {
    expect(() => box.open(token, aad)).toThrow(DecryptError);
  });

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
