import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createBucketMatcher } from '@bucketgate/contracts';
import { ApiError } from '../api.js';
import { ApiProvider } from '../api-context.js';
import { LISTING_DEBOUNCE_MS } from '../useBucketListing.js';
import { buckets, fakeApi } from '../test/fake-api.js';
import { NewDatasource } from './NewDatasource.js';

function setup() {
  const fake = fakeApi();
  const onCreated = vi.fn();
  render(
    <ApiProvider api={fake.api}>
      <NewDatasource onCreated={onCreated} onCancel={() => undefined} />
    </ApiProvider>,
  );
  return { ...fake, onCreated };
}

const type = (label: string | RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const wait = (ms: number) => act(async () => void vi.advanceTimersByTime(ms));
const settle = () => act(async () => undefined);

function fillRemote() {
  type('Endpoint URL', 'http://127.0.0.1:8000');
  type('API key', 'KEY');
  type('API secret', 'SECRET');
}

function previewRows() {
  const list = screen.getByRole('list', { name: /preview/i });
  return within(list)
    .getAllByRole('listitem')
    .map((li) => ({ name: li.getAttribute('data-bucket')!, highlighted: li.classList.contains('match') }));
}

describe('NewDatasource', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('lists the buckets once, 400 ms after the key and secret stop changing, with no button', async () => {
    const { api, listCalls } = setup();
    type('Endpoint URL', 'http://127.0.0.1:8000');
    type('API key', 'KEY');
    await wait(1000);
    expect(api.listBuckets).not.toHaveBeenCalled(); // no secret yet

    for (const partial of ['s', 'se', 'sec', 'secr', 'secret']) {
      type('API secret', partial);
      await wait(150); // typing faster than the debounce
    }
    expect(api.listBuckets).not.toHaveBeenCalled();
    await wait(LISTING_DEBOUNCE_MS - 150);
    expect(api.listBuckets).toHaveBeenCalledTimes(1);
    expect(listCalls[0]!.input).toEqual({ apiKey: 'KEY', apiSecret: 'secret', endpoint: 'http://127.0.0.1:8000', pathStyle: true });

    await act(async () => listCalls[0]!.answer.resolve(buckets('alpha', 'beta')));
    expect(screen.getByRole('status', { name: '' }).textContent).toMatch(/2 buckets on this storage/);
    expect(screen.getByRole('checkbox', { name: 'alpha , created 5/1/2024' })).toBeTruthy();
  });

  it('does not list while the custom endpoint is not a valid URL, and says why', async () => {
    const { api } = setup();
    type('Endpoint URL', 'minio.local:9000');
    type('API key', 'KEY');
    type('API secret', 'SECRET');
    await wait(1000);
    expect(api.listBuckets).not.toHaveBeenCalled();
    expect(screen.getByText(/Fix the endpoint URL: endpoint "minio.local:9000" has no scheme: write it as http:\/\/minio.local:9000/)).toBeTruthy();
  });

  it('never lets a stale answer overwrite the answer to a newer request', async () => {
    const { listCalls } = setup();
    fillRemote();
    await wait(LISTING_DEBOUNCE_MS);
    type('API secret', 'SECRET2'); // the operator fixes the secret while the first listing is in flight
    await wait(LISTING_DEBOUNCE_MS);
    expect(listCalls).toHaveLength(2);

    await act(async () => listCalls[1]!.answer.resolve(buckets('new-secret-bucket')));
    await act(async () => listCalls[0]!.answer.resolve(buckets('old-secret-bucket'))); // arrives last, but is stale
    await settle();

    expect(screen.queryByText('old-secret-bucket')).toBeNull();
    expect(screen.getByText('new-secret-bucket')).toBeTruthy();
  });

  it('ignores a stale error too', async () => {
    const { listCalls } = setup();
    fillRemote();
    await wait(LISTING_DEBOUNCE_MS);
    type('API secret', 'RIGHT');
    await wait(LISTING_DEBOUNCE_MS);
    await act(async () => listCalls[1]!.answer.resolve(buckets('ok-bucket')));
    await act(async () => listCalls[0]!.answer.reject(new ApiError('INVALID_CREDENTIALS', 'SignatureDoesNotMatch', 400)));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByText('ok-bucket')).toBeTruthy();
  });

  it.each([
    ['INVALID_CREDENTIALS', 'The remote said: SignatureDoesNotMatch', /refused this API key or secret/],
    ['REMOTE_UNREACHABLE', 'connect ECONNREFUSED 127.0.0.1:9', /cannot be reached/],
    ['TLS_ERROR', 'self-signed certificate', /secure \(TLS\) connection/],
    ['TIMEOUT', 'no answer within 3000 ms', /did not answer in time/],
    ['ACCESS_DENIED', 'AccessDenied: ListAllMyBuckets', /may not list buckets/],
  ] as const)('shows %s inline in plain words with the remote reason', async (code, message, headline) => {
    const { listCalls } = setup();
    fillRemote();
    await wait(LISTING_DEBOUNCE_MS);
    await act(async () => listCalls[0]!.answer.reject(new ApiError(code, message, 400)));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(headline);
    expect(alert.textContent).toContain(message);
  });

  it('offers typing bucket names by hand when listing is denied', async () => {
    const { listCalls } = setup();
    fillRemote();
    await wait(LISTING_DEBOUNCE_MS);
    await act(async () => listCalls[0]!.answer.reject(new ApiError('ACCESS_DENIED', 'AccessDenied', 403)));
    fireEvent.click(screen.getByRole('button', { name: 'Type bucket names by hand' }));
    type('Bucket names', 'reports, logs\nBad_Name!');
    expect(screen.getByText('Not a valid bucket name: Bad_Name!')).toBeTruthy();
  });

  it('previews exactly the buckets the shared RE2 matcher selects (unanchored) and flags an invalid regex', async () => {
    const names = ['cells-1', 'cells-2', 'my-cells', 'other', 'CELLS-upper', 'cellsx'];
    const { listCalls } = setup();
    fillRemote();
    await wait(LISTING_DEBOUNCE_MS);
    await act(async () => listCalls[0]!.answer.resolve(buckets(...names)));
    fireEvent.click(screen.getByRole('radio', { name: 'Match a regular expression' }));

    for (const pattern of ['^cells', 'cells', '(?i)^cells-', '^cells-\\d$', 'x$|^o']) {
      type('Regular expression', pattern);
      const picks = createBucketMatcher({ bucketsRegexp: pattern });
      expect(previewRows()).toEqual(names.map((name) => ({ name, highlighted: picks(name) })));
    }
    type('Regular expression', 'cells');
    expect(previewRows().filter((r) => r.highlighted).map((r) => r.name)).toEqual(['cells-1', 'cells-2', 'my-cells', 'cellsx']);
    expect(screen.getByText('Preview: 4 of 6 buckets match')).toBeTruthy();

    for (const bad of ['cells(', '(?=cells)', '[z-a]']) {
      type('Regular expression', bad);
      const input = screen.getByLabelText('Regular expression');
      expect(input.getAttribute('aria-invalid')).toBe('true');
      expect(screen.getByText(/^Invalid regular expression: /)).toBeTruthy();
      expect(previewRows().some((r) => r.highlighted)).toBe(false);
    }
  });

  it('selects all and none with one click each', async () => {
    const { listCalls } = setup();
    fillRemote();
    await wait(LISTING_DEBOUNCE_MS);
    await act(async () => listCalls[0]!.answer.resolve(buckets('a-1', 'b-2', 'c-3')));
    fireEvent.click(screen.getByRole('button', { name: 'Select all' }));
    const list = screen.getByRole('list', { name: 'Buckets' });
    expect(within(list).getAllByRole('checkbox', { checked: true }).map((c) => c.closest('li')!.dataset.bucket)).toEqual(['a-1', 'b-2', 'c-3']);
    expect(screen.getByText('3 of 3 selected')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Select none' }));
    expect(screen.getByText('0 of 3 selected')).toBeTruthy();
    expect(within(list).queryAllByRole('checkbox', { checked: true })).toHaveLength(0);
  });

  it('creates a bucket on the remote after validating its name, then lists again and ticks it', async () => {
    const { api, listCalls } = setup();
    fillRemote();
    await wait(LISTING_DEBOUNCE_MS);
    await act(async () => listCalls[0]!.answer.resolve(buckets('a-1')));
    type('New bucket name', 'Bad..Name');
    expect(screen.getByText('a bucket name has only lowercase letters, digits, "." and "-"')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Create bucket' }) as HTMLButtonElement).disabled).toBe(true);

    type('New bucket name', 'fresh-bucket');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Create bucket' })));
    expect(api.createBucket).toHaveBeenCalledWith({
      apiKey: 'KEY',
      apiSecret: 'SECRET',
      endpoint: 'http://127.0.0.1:8000',
      pathStyle: true,
      bucket: 'fresh-bucket',
    });
    expect(listCalls).toHaveLength(2); // listed again right away
    await act(async () => listCalls[1]!.answer.resolve(buckets('a-1', 'fresh-bucket')));
    expect((screen.getByRole('checkbox', { name: /fresh-bucket/ }) as HTMLInputElement).checked).toBe(true);
  });

  it('saves the datasource with the regex selection and clears the typed secret', async () => {
    const { api, listCalls, onCreated } = setup();
    type('Datasource name', 'team-archive');
    fillRemote();
    await wait(LISTING_DEBOUNCE_MS);
    await act(async () => listCalls[0]!.answer.resolve(buckets('cells-1', 'other')));
    fireEvent.click(screen.getByRole('radio', { name: 'Match a regular expression' }));
    type('Regular expression', '^cells');
    const issued = {
      datasource: { ...(await import('../test/fake-api.js')).view({ buckets: null, bucketsRegexp: '^cells' }) },
      credentials: { accessKeyId: 'BGAK', secretAccessKey: 'BGSECRET' },
      gateway: { endpoint: 'http://127.0.0.1:9100' },
    };
    api.createDatasource.mockResolvedValue(issued);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save datasource' })));
    expect(api.createDatasource).toHaveBeenCalledWith({
      name: 'team-archive',
      apiKey: 'KEY',
      apiSecret: 'SECRET',
      endpoint: 'http://127.0.0.1:8000',
      pathStyle: true,
      readOnly: false,
      bucketsRegexp: '^cells',
    });
    expect(onCreated).toHaveBeenCalledWith(issued);
    expect((screen.getByLabelText('API secret') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('API key') as HTMLInputElement).value).toBe('');
  });

  it('does not save without a name and a selection, and says what is missing', async () => {
    const { api } = setup();
    fillRemote();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save datasource' })));
    expect(api.createDatasource).not.toHaveBeenCalled();
    expect(screen.getByText(/name must be 1-63 characters/)).toBeTruthy();
    expect(screen.getByText(/Pick at least one bucket/)).toBeTruthy();
  });
});
