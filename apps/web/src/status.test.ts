import { describe, expect, it } from 'vitest';
import type { GatewayStatus, WorkerStatus } from '@bucketgate/contracts';
import { datasourceStatus } from './status.js';

const gw = (id: string, workers: Partial<WorkerStatus>[]): GatewayStatus => ({
  instanceId: id,
  endpoint: 'http://127.0.0.1:9100',
  startedAt: '2024-01-01T00:00:00Z',
  at: '2024-01-01T00:00:05Z',
  workers: workers.map((w) => ({ name: 'ds', revision: 3, state: 'serving', ...w })),
});
const ds = { name: 'ds', revision: 3 };

describe(datasourceStatus.name, () => {
  it.each([
    ['no heartbeat read yet', undefined, 'stopped', 'waiting for the gateways’ status…'],
    ['no gateway running', [], 'stopped', 'no gateway instance is running'],
    ['one gateway serving it', [gw('a', [{}])], 'serving', 'served by the gateway'],
    ['two of two gateways serving', [gw('a', [{}]), gw('b', [{}])], 'serving', 'serving on 2 of 2 gateways'],
    ['an error on one gateway, with its reason', [gw('a', [{}]), gw('b', [{ state: 'error', error: 'remote refused the key' }])], 'error', 'remote refused the key (b)'],
    ['a gateway without the worker', [gw('a', [{ name: 'other' }])], 'stopped', 'the gateway does not serve it'],
    ['a worker still on an older revision', [gw('a', [{ revision: 2 }])], 'starting', 'serving; a gateway has not reported the latest change yet'],
    ['a worker starting', [gw('a', [{ state: 'starting' }])], 'starting', 'starting'],
    ['a stopped worker', [gw('a', [{ state: 'stopped' }])], 'stopped', 'the gateway does not serve it'],
  ] as const)('%s', (_what, gateways, state, detail) => {
    const s = datasourceStatus(ds, gateways as GatewayStatus[] | undefined);
    expect(s.state).toBe(state);
    expect(s.detail).toBe(detail);
  });
});
