import { vi } from 'vitest';
import type { DatasourceView, DiscoveredBucket } from '@bucketgate/contracts';
import type { Api, ListBucketsInput } from '../api.js';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const buckets = (...names: string[]): DiscoveredBucket[] =>
  names.map((name) => ({ name, createdAt: '2024-05-01T10:00:00.000Z', selected: false }));

/**
 * A fake of the page's API seam. listBuckets answers are held until the test resolves them (calls[i]),
 * and like a slow network it ignores the abort signal, so the page's own staleness guard is what is tested.
 */
export function fakeApi() {
  const listCalls: { input: ListBucketsInput; answer: Deferred<DiscoveredBucket[]> }[] = [];
  const api = {
    listDatasources: vi.fn<Api['listDatasources']>(async () => []),
    getDatasource: vi.fn<Api['getDatasource']>(),
    createDatasource: vi.fn<Api['createDatasource']>(),
    updateDatasource: vi.fn<Api['updateDatasource']>(),
    deleteDatasource: vi.fn<Api['deleteDatasource']>(async () => undefined),
    reissueCredentials: vi.fn<Api['reissueCredentials']>(),
    listBuckets: vi.fn<Api['listBuckets']>((input) => {
      const answer = deferred<DiscoveredBucket[]>();
      listCalls.push({ input, answer });
      return answer.promise;
    }),
    createBucket: vi.fn<Api['createBucket']>(async () => undefined),
    listGateways: vi.fn<Api['listGateways']>(async () => []),
  } satisfies Api;
  return { api, listCalls };
}

export function view(over: Partial<DatasourceView> = {}): DatasourceView {
  return {
    name: 'team-archive',
    endpoint: 'http://127.0.0.1:8000',
    region: null,
    pathStyle: true,
    readOnly: false,
    buckets: ['cells-1'],
    bucketsRegexp: null,
    apiKey: 'REMOTEKEY',
    accessKeyId: 'BGAKEXAMPLE',
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
    revision: 7,
    ...over,
  };
}
