import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12; // 96-bit IV, the size GCM is designed for
const TAG_BYTES = 16;
const VERSION = 'v1';

/** Thrown when a token cannot be opened: wrong key, wrong AAD, or tampered/garbled bytes. */
export class DecryptError extends Error {
  override readonly name = 'DecryptError';
}

/**
 * AES-256-GCM under the master key. Every secret gets a random 96-bit IV, and the additional authenticated data
 * binds the ciphertext to where it belongs (datasource name + field), so a ciphertext copied into another record
 * or field does not open. Token format: `v1.<iv>.<ciphertext>.<tag>` (base64url parts).
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error(`the master key must be 32 bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(token: string, aad: string): string {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new DecryptError('not a sealed secret (unknown format)');
    const [, ivText, ctText, tagText] = parts as [string, string, string, string];
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new DecryptError('not a sealed secret (bad IV or tag length)');
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new DecryptError('authentication failed (wrong master key, or the value was altered or moved)', { cause: err });
    }
  }
}

/** The AAD for one encrypted field of one datasource. */
export function secretAad(datasource: string, field: 'apiSecret' | 'secretAccessKey'): string {
  return `bucketgate/datasource/${datasource}/${field}`;
}
