import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { DatasourceView } from '@bucketgate/contracts';
import { ApiError } from '../api.js';
import { ApiProvider } from '../api-context.js';
import { LISTING_DEBOUNCE_MS } from '../useBucketListing.js';
import { buckets, fakeApi, view } from '../test/fake-api.js';
import { EditDatasource } from './EditDatasource.js';

async function setup(initial: DatasourceView = view(), latest?: number) {
  const fake = fakeApi();
  fake.api.getDatasource.mockResolvedValue(initial);
  const props = { onIssued: vi.fn(), onDeleted: vi.fn(), onChanged: vi.fn() };
  render(
    <ApiProvider api={fake.api}>
      <EditDatasource name={initial.name} gateways={[]} latestRevision={latest} {...props} />
    </ApiProvider>,
  );
  await screen.findByRole('heading', { name: `Datasource ${initial.name}` });
  return { ...fake, ...props };
}

const click = (name: string | RegExp) => act(async () => void fireEvent.click(screen.getByRole('button', { name })));
const type = (label: string | RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('EditDatasource', () => {
  it('toggles read-only with a PATCH that carries the revision it read', async () => {
    const { api, onChanged } = await setup();
    api.updateDatasource.mockResolvedValue(view({ readOnly: true, revision: 8 }));
    fireEvent.click(screen.getByRole('checkbox', { name: /Read-only/ }));
    await click('Save changes');
    expect(api.updateDatasource).toHaveBeenCalledWith('team-archive', { readOnly: true }, 7);
    expect(onChanged).toHaveBeenCalled();
    expect(screen.getByText('read-only')).toBeTruthy();
  });

  it('says "changed by someone else" on 409 and reloads on request', async () => {
    const { api } = await setup();
    api.updateDatasource.mockRejectedValue(new ApiError('CONFLICT', 'revision 7 is stale (now 9)', 409));
    fireEvent.click(screen.getByRole('checkbox', { name: /Read-only/ }));
    await click('Save changes');
    expect(screen.getByRole('alert').textContent).toMatch(/changed by someone else.*Reload to see the current version/);
    api.getDatasource.mockResolvedValue(view({ revision: 9, readOnly: true }));
    await click('Reload');
    expect(api.getDatasource).toHaveBeenCalledTimes(2);
    expect((screen.getByRole('checkbox', { name: /Read-only/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('rotates the remote secret: typing it lists the buckets, saving sends it once and clears it', async () => {
    const { api, listCalls } = await setup();
    vi.useFakeTimers();
    type('API secret', 'NEW-SECRET');
    await act(async () => void vi.advanceTimersByTime(LISTING_DEBOUNCE_MS));
    expect(listCalls[0]!.input).toEqual({ apiKey: 'REMOTEKEY', apiSecret: 'NEW-SECRET', endpoint: 'http://127.0.0.1:8000', pathStyle: true });
    await act(async () => listCalls[0]!.answer.resolve(buckets('cells-1', 'cells-2')));
    fireEvent.click(screen.getByRole('checkbox', { name: /cells-2/ }));

    api.updateDatasource.mockResolvedValue(view({ buckets: ['cells-1', 'cells-2'], revision: 8 }));
    await click('Save changes');
    expect(api.updateDatasource).toHaveBeenCalledWith(
      'team-archive',
      { buckets: ['cells-1', 'cells-2'], apiKey: 'REMOTEKEY', apiSecret: 'NEW-SECRET' },
      7,
    );
    expect((screen.getByLabelText('API secret') as HTMLInputElement).value).toBe('');
  });

  it('switches the selection to a regex without needing the secret', async () => {
    const { api } = await setup();
    fireEvent.click(screen.getByRole('radio', { name: 'Match a regular expression' }));
    type('Regular expression', '^cells');
    api.updateDatasource.mockResolvedValue(view({ buckets: null, bucketsRegexp: '^cells', revision: 8 }));
    await click('Save changes');
    expect(api.updateDatasource).toHaveBeenCalledWith('team-archive', { bucketsRegexp: '^cells' }, 7);
  });

  it('refuses to save nothing, and a new key without its secret', async () => {
    const { api } = await setup();
    await click('Save changes');
    expect(screen.getByRole('alert').textContent).toBe('Nothing has changed.');
    type('API key', 'OTHERKEY');
    await click('Save changes');
    expect(screen.getByRole('alert').textContent).toBe('Type the API secret that goes with the new API key.');
    expect(api.updateDatasource).not.toHaveBeenCalled();
  });

  it('says when the polled list shows a newer revision than the one being edited, and loads it', async () => {
    const { api } = await setup(view({ revision: 7 }), 9);
    expect(screen.getByText('This datasource was changed elsewhere since this page read it.')).toBeTruthy();
    api.getDatasource.mockResolvedValue(view({ revision: 9, bucketsRegexp: '^new', buckets: null }));
    await click('Load the current version');
    expect(screen.getByTestId('selection').textContent).toBe('regex ^new');
  });

  it('re-issues gateway credentials only after a confirmation', async () => {
    const { api, onIssued } = await setup();
    const issued = { datasource: view({ accessKeyId: 'BGNEW' }), credentials: { accessKeyId: 'BGNEW', secretAccessKey: 'S' }, gateway: { endpoint: 'http://g' } };
    api.reissueCredentials.mockResolvedValue(issued);
    await click('Issue new credentials…');
    expect(api.reissueCredentials).not.toHaveBeenCalled();
    expect(screen.getByText(/current access key stops working at once/)).toBeTruthy();
    await click('Yes, issue new credentials');
    expect(api.reissueCredentials).toHaveBeenCalledWith('team-archive');
    expect(onIssued).toHaveBeenCalledWith(issued);
  });

  it('deletes only once the datasource name is typed', async () => {
    const { api, onDeleted } = await setup();
    await click('Delete datasource…');
    const confirm = screen.getByRole('button', { name: 'Delete team-archive' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    type(/Type team-archive to confirm/, 'team-archiv');
    expect(confirm.disabled).toBe(true);
    type(/Type team-archive to confirm/, 'team-archive');
    expect(confirm.disabled).toBe(false);
    await click('Delete team-archive');
    expect(api.deleteDatasource).toHaveBeenCalledWith('team-archive', 7);
    expect(onDeleted).toHaveBeenCalledWith('team-archive');
  });
});
