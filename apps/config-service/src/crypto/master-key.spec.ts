import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMasterKey, loadMasterKey } from './master-key.js';

describe(loadMasterKey.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bg-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses BUCKETGATE_MASTER_KEY when given (and touches no file)', () => {
    const key = randomBytes(32);
    const file = join(dir, 'k');
    expect(loadMasterKey({ key: key.toString('base64'), file })).toEqual(key);
    expect(() => statSync(file)).toThrow();
  });

  it.each([
    ['not base64', 'this is not base64!!', /not base64/],
    ['16 bytes', randomBytes(16).toString('base64'), /decodes to 16 bytes.*exactly 32 bytes/],
    ['33 bytes', randomBytes(33).toString('base64'), /decodes to 33 bytes/],
  ])('fails fast with a clear message on a key that is %s', (_what, key, message) => {
    expect(() => loadMasterKey({ key, file: join(dir, 'k') })).toThrow(message);
    expect(() => loadMasterKey({ key, file: join(dir, 'k') })).toThrow(/BUCKETGATE_MASTER_KEY/);
  });

  it('generates a 0600 key file (and its directory) when none exists, then keeps using it', () => {
    const file = join(dir, 'nested', 'data', 'master.key');
    const logs: string[] = [];
    const first = loadMasterKey({ key: undefined, file }, (m) => logs.push(m));
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(decodeMasterKey(readFileSync(file, 'utf8'), 'file')).toEqual(first);
    expect(logs.join('\n')).toMatch(/generated a new master key/);
    expect(logs.join('\n')).not.toContain(first.toString('base64'));
    expect(loadMasterKey({ key: undefined, file })).toEqual(first);
  });

  it('refuses a key file that does not hold 32 bytes, naming the file', () => {
    const file = join(dir, 'master.key');
    writeFileSync(file, 'c2hvcnQ=\n', { mode: 0o600 });
    expect(() => loadMasterKey({ key: undefined, file })).toThrow(new RegExp(`${file}.*decodes to 5 bytes`));
  });
});
