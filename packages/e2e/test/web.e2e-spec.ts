/**
 * The operator's web page end to end (issue 2): Chromium (playwright-core, Debian's /usr/bin/chromium, headless) drives
 * the page the config service serves, against the real stack (NATS, config, discovery, gateway) and a real,
 * signature-checking S3 server. Every step is checked the way a user would check it: through the gateway with
 * @aws-sdk/client-s3. Screenshots of each step land in test-artifacts/screenshots/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, ListBucketsCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { testS3, pollUntil } from '@bucketgate/runtime/testing';
import { REPO_ROOT, startStack, type Stack } from '../src/stack.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');
const s3 = testS3();
/** A second user on the same S3 server, to rotate the datasource's remote key to. */
const s3b = {
  accessKeyId: process.env.S3_TEST_ALT_ACCESS_KEY ?? 'NOPQRSTUVWXYZABCDEFG',
  secretAccessKey: process.env.S3_TEST_ALT_SECRET_KEY ?? 'nopqrstuvwxyzabcdefghijklmnabcdefghijklm',
};
const rnd = randomBytes(3).toString('hex');
const NAME = `web-${rnd}`;
const CELLS_1 = `cells-${rnd}-1`;
const CELLS_2 = `cells-${rnd}-2`;
const OTHER = `other-${rnd}`;
const CELLS_B = `cells-${rnd}-b`; // owned by the second user
const CELLS_NEW = `cells-${rnd}-3`; // created from the page

type Creds = { accessKeyId: string; secretAccessKey: string };
const s3client = (endpoint: string, c: Creds) =>
  new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: c, maxAttempts: 1 });
const direct = s3client(s3.endpoint, s3);
const directB = s3client(s3.endpoint, s3b);

/** What a client of the gateway sees: the sorted bucket names, or the S3 error code. */
async function gatewaySees(stack: Stack, c: Creds): Promise<string[] | string> {
  const client = s3client(stack.gatewayUrl, c);
  try {
    const out = await client.send(new ListBucketsCommand({}));
    return (out.Buckets ?? []).map((b) => b.Name!).sort();
  } catch (err) {
    return err instanceof S3ServiceException ? err.name : String(err);
  } finally {
    client.destroy();
  }
}

async function s3Code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (err instanceof S3ServiceException) return err.name;
    throw err;
  }
}

/** Polls until `want` (deep-equal) or the deadline; returns the last value so the assertion shows what was seen. */
const eventually = <T>(fn: () => Promise<T>, want: T, ms = 15_000): Promise<T> =>
  pollUntil(fn, (v) => JSON.stringify(v) === JSON.stringify(want), ms);

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function emptyAndDelete(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => undefined);
    if (!page?.Contents?.length) break;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: page.Contents.map((o) => ({ Key: o.Key! })) } }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
}

describe('the operator web page', () => {
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;
  let profileDir: string;
  let creds: Creds;
  const pageErrors: string[] = [];

  const field = (label: string) => page.getByLabel(label, { exact: true });
  const button = (name: string | RegExp) => page.getByRole('button', { name, exact: typeof name === 'string' });
  const bucketList = () => page.getByRole('list', { name: 'Buckets', exact: true });
  const previewed = () => page.getByRole('list', { name: /Preview/ }).locator('li[data-match="true"] .bucket-name').allTextContents();
  const listingSettles = () => page.locator('.listing-status[data-phase="ok"], .listing-status[data-phase="error"]').waitFor();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await direct.send(new CreateBucketCommand({ Bucket: CELLS_1 }));
    await direct.send(new CreateBucketCommand({ Bucket: CELLS_2 }));
    await direct.send(new CreateBucketCommand({ Bucket: OTHER }));
    await directB.send(new CreateBucketCommand({ Bucket: CELLS_B }));
    stack = await startStack({ label: 'web' });
    profileDir = mkdtempSync(join(tmpdir(), 'bg-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
      ],
      viewport: { width: 1100, height: 900 },
    });
    context.setDefaultTimeout(20_000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.configUrl });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await context?.close();
    await stack?.stop();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    for (const b of [CELLS_1, CELLS_2, CELLS_NEW, OTHER]) await emptyAndDelete(direct, b);
    await emptyAndDelete(directB, CELLS_B);
    direct.destroy();
    directB.destroy();
  });

  it('is served by the config service on the same origin as the API', async () => {
    const res = await fetch(`${stack.configUrl}/`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('<div id="root">'); // the built page (apps/web/dist), not the "not built" notice
    await page.goto(`${stack.configUrl}/`);
    await page.getByRole('heading', { name: 'Datasources' }).waitFor();
    await page.getByText('No datasource yet').waitFor();
    await shot(page, '01-datasources-empty');
  });

  it('connects a storage: buckets appear without a button, a regex previews exactly what is served, save issues working credentials', async () => {
    await page.getByRole('link', { name: 'New datasource' }).click();
    await field('Datasource name').fill(NAME);
    await field('Endpoint URL').fill(s3.endpoint);
    await field('API key').fill(s3.accessKeyId);
    await field('API secret').fill('not-the-secret');
    await page.getByRole('alert').filter({ hasText: 'The storage refused this API key or secret.' }).waitFor();
    await shot(page, '02-wrong-secret');

    await field('API secret').fill(s3.secretAccessKey); // no button: the list follows the fields
    for (const b of [CELLS_1, CELLS_2, OTHER]) await bucketList().getByRole('checkbox', { name: b }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await bucketList().getByRole('checkbox', { name: CELLS_1 }).check();
    await shot(page, '03-new-datasource-buckets-listed');

    // create a bucket on the remote from the form: validated as S3 does, then listed and ticked
    await page.getByText('Create a bucket on this storage').click();
    const newBucket = page.getByRole('textbox', { name: 'New bucket name' });
    await newBucket.fill('Cells_Bad');
    await page.getByText('a bucket name has only lowercase letters, digits, "." and "-"').waitFor();
    expect(await button('Create bucket').isDisabled()).toBe(true);
    await newBucket.fill(CELLS_NEW);
    await button('Create bucket').click();
    await page.getByText(`Bucket ${CELLS_NEW} created.`).waitFor();
    expect(await bucketList().getByRole('checkbox', { name: CELLS_NEW }).isChecked()).toBe(true);
    expect(await s3Code(direct.send(new HeadBucketCommand({ Bucket: CELLS_NEW })))).toBe('OK');
    await shot(page, '03b-bucket-created');

    await page.getByRole('radio', { name: 'Match a regular expression' }).check();
    const regex = page.getByRole('textbox', { name: 'Regular expression' });
    await regex.fill(`^cells-${rnd}-(`);
    expect(await regex.getAttribute('aria-invalid')).toBe('true');
    await page.getByText(/^Invalid regular expression:/).waitFor();
    expect(await previewed()).toEqual([]);
    await shot(page, '04-regex-invalid');

    await regex.fill(`^cells-${rnd}`);
    expect(await regex.getAttribute('aria-invalid')).toBeNull();
    expect((await previewed()).sort()).toEqual([CELLS_1, CELLS_2, CELLS_NEW]);
    await shot(page, '05-regex-preview');

    // no layout break on a 360 px wide phone
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await shot(page, '05b-regex-preview-360px');
    await page.setViewportSize({ width: 1100, height: 900 });

    await button('Save datasource').click();
    await page.getByRole('heading', { name: `Datasource ${NAME} is ready` }).waitFor();
    const endpoint = await page.getByTestId('gateway-endpoint').textContent();
    creds = {
      accessKeyId: (await page.getByTestId('access-key-id').textContent())!,
      secretAccessKey: (await page.getByTestId('secret-access-key').textContent())!,
    };
    expect(endpoint).toBe(stack.gatewayUrl);
    expect(creds.accessKeyId).toMatch(/^[A-Z0-9]{16,}$/);
    expect(await page.locator('.snippet pre').textContent()).toContain(`--endpoint-url ${stack.gatewayUrl}`);
    await button('Copy Secret access key').click();
    await page.getByText('Copied', { exact: true }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(creds.secretAccessKey);
    await shot(page, '06-credentials-issued');

    // the credentials read from the page work at the gateway, for exactly the previewed buckets
    const previewedSet = [CELLS_1, CELLS_2, CELLS_NEW];
    expect(await eventually(() => gatewaySees(stack, creds), previewedSet)).toEqual(previewedSet);

    await button('Done, I have copied them').click();
    const item = page.locator(`li[data-datasource="${NAME}"]`);
    await item.waitFor();
    expect(await item.getByTestId('selection').textContent()).toBe(`regex ^cells-${rnd}`);
    await item.locator('.badge[data-state="serving"]').waitFor(); // from the gateways' heartbeats, by polling
    await shot(page, '07-datasources-serving');
    // the issued secret left the page with the panel
    expect(await page.content()).not.toContain(creds.secretAccessKey);
  });

  it('rotates the remote key and secret; the gateway follows', async () => {
    await page.getByRole('link', { name: NAME }).click();
    await page.getByRole('heading', { name: `Datasource ${NAME}` }).waitFor();
    await field('API key').fill(s3b.accessKeyId);
    await field('API secret').fill('wrong');
    await button('Save changes').click();
    await page.getByRole('alert').filter({ hasText: 'The storage refused this API key or secret.' }).first().waitFor();
    await shot(page, '08-rotate-wrong-secret');
    expect(await gatewaySees(stack, creds)).toEqual([CELLS_1, CELLS_2, CELLS_NEW]); // nothing changed

    await field('API secret').fill(s3b.secretAccessKey);
    await page.getByRole('list', { name: /Preview/ }).locator(`li[data-bucket="${CELLS_B}"]`).waitFor(); // the second user's buckets
    expect(await previewed()).toEqual([CELLS_B]);
    await button('Save changes').click();
    await page.getByText(/^Saved at/).waitFor();
    expect(await field('API secret').inputValue()).toBe('');
    await shot(page, '09-rotated');
    expect(await eventually(() => gatewaySees(stack, creds), [CELLS_B])).toEqual([CELLS_B]);
  });

  it('edits the selection by ticking buckets; the gateway serves exactly those', async () => {
    await field('API key').fill(s3.accessKeyId);
    await field('API secret').fill(s3.secretAccessKey);
    await page.getByRole('radio', { name: 'Pick from the list' }).check();
    await bucketList().getByRole('checkbox', { name: OTHER }).waitFor();
    await button('Select none').click();
    await bucketList().getByRole('checkbox', { name: CELLS_1 }).check();
    await bucketList().getByRole('checkbox', { name: OTHER }).check();
    await shot(page, '10-selection-edited');
    await button('Save changes').click();
    await page.getByText(/^Saved at/).waitFor();
    expect(await page.getByTestId('selection').textContent()).toBe(`${CELLS_1}, ${OTHER}`);
    expect(await eventually(() => gatewaySees(stack, creds), [CELLS_1, OTHER].sort())).toEqual([CELLS_1, OTHER].sort());
    const gw = s3client(stack.gatewayUrl, creds);
    expect(await s3Code(gw.send(new PutObjectCommand({ Bucket: CELLS_1, Key: 'hello.txt', Body: 'hello from the web e2e' })))).toBe('OK');
    expect(await s3Code(gw.send(new ListObjectsV2Command({ Bucket: CELLS_2 })))).toBe('AccessDenied');
    gw.destroy();
  });

  it('toggles read-only; a change made elsewhere meanwhile is reported as a conflict, not overwritten', async () => {
    // someone else changes the datasource after this page read it
    const other = await stack.rest('PATCH', `/api/datasources/${NAME}`, { buckets: [CELLS_1, CELLS_2, OTHER] });
    expect(other.status).toBe(200);

    await page.getByRole('checkbox', { name: /Read-only/ }).check();
    await button('Save changes').click();
    await page.getByRole('alert').filter({ hasText: 'This was changed by someone else.' }).waitFor();
    await shot(page, '11-conflict');
    expect((await stack.rest('GET', `/api/datasources/${NAME}`)).body.readOnly).toBe(false);

    await button('Reload').click();
    await page.getByTestId('selection').filter({ hasText: `${CELLS_1}, ${CELLS_2}, ${OTHER}` }).waitFor();
    await page.getByRole('checkbox', { name: /Read-only/ }).check();
    await button('Save changes').click();
    await page.getByText(/^Saved at/).waitFor();
    await shot(page, '12-read-only');

    const gw = s3client(stack.gatewayUrl, creds);
    const wanted = [CELLS_1, CELLS_2, OTHER].sort();
    expect(await eventually(() => gatewaySees(stack, creds), wanted)).toEqual(wanted);
    expect(await eventually(() => s3Code(gw.send(new PutObjectCommand({ Bucket: CELLS_1, Key: 'nope.txt', Body: 'x' }))), 'AccessDenied')).toBe(
      'AccessDenied',
    );
    const got = await gw.send(new GetObjectCommand({ Bucket: CELLS_1, Key: 'hello.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello from the web e2e');
    gw.destroy();
  });

  it('re-issues the gateway credentials: shown once, the old ones stop working', async () => {
    await button('Issue new credentials…').click();
    await button('Yes, issue new credentials').click();
    await page.getByRole('heading', { name: `New gateway credentials for ${NAME}` }).waitFor();
    const fresh: Creds = {
      accessKeyId: (await page.getByTestId('access-key-id').textContent())!,
      secretAccessKey: (await page.getByTestId('secret-access-key').textContent())!,
    };
    expect(fresh.accessKeyId).not.toBe(creds.accessKeyId);
    await shot(page, '13-credentials-reissued');
    const wanted = [CELLS_1, CELLS_2, OTHER].sort();
    expect(await eventually(() => gatewaySees(stack, fresh), wanted)).toEqual(wanted);
    expect(await eventually(() => gatewaySees(stack, creds), 'InvalidAccessKeyId')).toBe('InvalidAccessKeyId');
    creds = fresh;
    await button('Done, I have copied them').click();
    await page.getByRole('heading', { name: `Datasource ${NAME}` }).waitFor();
    expect(await page.getByTestId('current-access-key').textContent()).toBe(fresh.accessKeyId);
  });

  it('deletes only after the name is typed; the gateway stops serving it', async () => {
    await button('Delete datasource…').click();
    const confirm = button(`Delete ${NAME}`);
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByRole('textbox', { name: `Type ${NAME} to confirm` }).fill(NAME.slice(0, -1));
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByRole('textbox', { name: `Type ${NAME} to confirm` }).fill(NAME);
    await shot(page, '14-delete-confirm');
    await confirm.click();
    await page.getByText(`Datasource ${NAME} was deleted.`).waitFor();
    await page.getByText('No datasource yet').waitFor();
    await shot(page, '15-deleted');
    expect(await eventually(() => gatewaySees(stack, creds), 'InvalidAccessKeyId')).toBe('InvalidAccessKeyId');
    expect((await stack.rest('GET', `/api/datasources/${NAME}`)).status).toBe(404);
    expect(pageErrors).toEqual([]);
  });
});
