import { act, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiProvider } from './api-context.js';
import { App } from './App.js';
import { POLL_INTERVAL_MS } from './usePolling.js';
import { fakeApi, view } from './test/fake-api.js';

describe('App', () => {
  it('lists datasources and follows the gateways’ status by polling, without a reload', async () => {
    vi.useFakeTimers();
    window.location.hash = '';
    const { api } = fakeApi();
    api.listDatasources.mockResolvedValue([view({ name: 'alpha', endpoint: null, readOnly: true, buckets: null, bucketsRegexp: '^cells' })]);
    const worker = { name: 'alpha', revision: 7, state: 'serving' as const };
    const gateway = { instanceId: 'g1', endpoint: 'http://127.0.0.1:9100', startedAt: '', at: '', workers: [worker] };
    api.listGateways.mockResolvedValue([gateway]);
    render(
      <ApiProvider api={api}>
        <App />
      </ApiProvider>,
    );
    await act(async () => undefined);
    const item = screen.getByRole('listitem');
    expect(within(item).getByText('Amazon S3')).toBeTruthy();
    expect(within(item).getByText('regex ^cells')).toBeTruthy();
    expect(within(item).getByText('read-only')).toBeTruthy();
    expect(item.querySelector('.badge')!.textContent).toBe('serving');

    api.listGateways.mockResolvedValue([{ ...gateway, workers: [{ ...worker, state: 'error', error: 'InvalidAccessKeyId from the remote' }] }]);
    await act(async () => void vi.advanceTimersByTime(POLL_INTERVAL_MS));
    expect(item.querySelector('.badge')!.textContent).toBe('error');
    expect(within(item).getByText('InvalidAccessKeyId from the remote')).toBeTruthy();

    api.listGateways.mockResolvedValue([]);
    await act(async () => void vi.advanceTimersByTime(POLL_INTERVAL_MS));
    expect(item.querySelector('.badge')!.textContent).toBe('stopped');
    expect(api.listGateways).toHaveBeenCalledTimes(3);
  });
});
