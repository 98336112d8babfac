import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const HOW_TO = 'generate one with `openssl rand -base64 32`';

/** Decodes a base64 master key; anything but exactly 32 bytes of strict base64 is refused with a clear message. */
export function decodeMasterKey(text: string, source: string): Buffer {
  const value = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) && !/^[A-Za-z0-9_-]+={0,2}$/.test(value)) {
    throw new Error(`${source} is not base64: it must be the base64 encoding of exactly 32 random bytes (${HOW_TO})`);
  }
  const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) {
    throw new Error(`${source} decodes to ${key.length} bytes: it must be the base64 encoding of exactly 32 bytes (${HOW_TO})`);
  }
  return key;
}

export interface MasterKeySource {
  /** BUCKETGATE_MASTER_KEY */
  key: string | undefined;
  /** BUCKETGATE_MASTER_KEY_FILE */
  file: string;
}

/**
 * The master key from BUCKETGATE_MASTER_KEY, else from the key file; a missing file is created (directory too)
 * with a fresh random key and mode 0600. Throws (so the service stops at boot) on anything unusable.
 */
export function loadMasterKey(src: MasterKeySource, log: (msg: string) => void = () => {}): Buffer {
  if (src.key !== undefined) return decodeMasterKey(src.key, 'BUCKETGATE_MASTER_KEY');
  const file = resolve(src.file);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot read the master key file ${file} (BUCKETGATE_MASTER_KEY_FILE): ${(err as Error).message}`);
    }
  }
  if (text !== undefined) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) log(`master key file ${file} is readable by other users (mode ${mode.toString(8)}); chmod 600 it`);
    return decodeMasterKey(text, `the master key file ${file} (BUCKETGATE_MASTER_KEY_FILE)`);
  }
  const key = randomBytes(32);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600); // the umask may have narrowed it further, never widened: make it exact
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadMasterKey(src, log); // another process won the race
    throw new Error(`cannot create the master key file ${file} (BUCKETGATE_MASTER_KEY_FILE): ${(err as Error).message}`);
  }
  log(`generated a new master key in ${file} (mode 0600); back it up: without it stored secrets cannot be decrypted`);
  return key;
}
