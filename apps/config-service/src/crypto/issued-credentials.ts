import { randomInt } from 'node:crypto';
import type { IssuedCredentials } from '@bucketgate/contracts';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+';

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Gateway access key id: `BG` + 18 random uppercase letters/digits (20 characters like an AWS key id). */
export const ACCESS_KEY_ID_RE = /^BG[A-Z0-9]{18}$/;
/** Gateway secret: 40 random characters of [A-Za-z0-9/+] (like an AWS secret key). */
export const SECRET_ACCESS_KEY_RE = /^[A-Za-z0-9/+]{40}$/;

/** New gateway credentials from the CSPRNG (uniform: randomInt has no modulo bias). */
export function issueCredentials(): IssuedCredentials {
  return { accessKeyId: `BG${randomString(KEY_ALPHABET, 18)}`, secretAccessKey: randomString(SECRET_ALPHABET, 40) };
}
