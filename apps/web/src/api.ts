import {
  DatasourceView,
  DatasourceWithCredentials,
  DiscoveredBucket,
  GatewayStatus,
  isErrorBody,
  type CreateBucket,
  type CreateDatasource,
  type ErrorCode,
  type ListBuckets,
  type RpcRequest,
  type UpdateDatasource,
} from '@bucketgate/contracts';

/** Request bodies, typed from the shared contract (what the operator types, before server-side transforms). */
export type CreateDatasourceInput = RpcRequest<typeof CreateDatasource>;
export type DatasourcePatchInput = RpcRequest<typeof UpdateDatasource>['patch'];
export type ListBucketsInput = RpcRequest<typeof ListBuckets>;
export type CreateBucketInput = RpcRequest<typeof CreateBucket>;

/** What the page can do with the config service. The app uses `httpApi()`; component tests hand in a fake. */
export interface Api {
  listDatasources(signal?: AbortSignal): Promise<DatasourceView[]>;
  getDatasource(name: string, signal?: AbortSignal): Promise<DatasourceView>;
  createDatasource(body: CreateDatasourceInput): Promise<DatasourceWithCredentials>;
  updateDatasource(name: string, patch: DatasourcePatchInput, expectedRevision: number): Promise<DatasourceView>;
  deleteDatasource(name: string, expectedRevision?: number): Promise<void>;
  reissueCredentials(name: string): Promise<DatasourceWithCredentials>;
  listBuckets(body: ListBucketsInput, signal?: AbortSignal): Promise<DiscoveredBucket[]>;
  createBucket(body: CreateBucketInput): Promise<void>;
  listGateways(signal?: AbortSignal): Promise<GatewayStatus[]>;
}

/** An error as the page shows it: a code from the contract (or NETWORK when the server could not be reached). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly status = 0,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

interface Parser<T> {
  parse(value: unknown): T;
}

const enc = encodeURIComponent;

export function httpApi(base = ''): Api {
  async function call<T>(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; parse?: Parser<T> } = {},
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { accept: 'application/json', ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
        signal: opts.signal,
        cache: 'no-store',
      });
    } catch (err) {
      if (isAbort(err)) throw err;
      throw new ApiError('NETWORK', 'the bucketgate config service did not answer; is it running?');
    }
    const text = await res.text();
    let json: unknown = undefined;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    if (!res.ok) {
      const body = (json as { error?: unknown } | undefined)?.error;
      if (isErrorBody(body)) throw new ApiError(body.code, body.message, res.status, body.details);
      throw new ApiError('INTERNAL', `the server answered ${res.status} ${res.statusText}`.trim(), res.status);
    }
    if (!opts.parse) return undefined as T;
    try {
      return opts.parse.parse(json);
    } catch {
      throw new ApiError('INTERNAL', `unexpected answer from ${method} ${path}`, res.status);
    }
  }

  const list = <T>(key: string, item: Parser<T>): Parser<T[]> => ({
    parse: (v) => {
      const arr = (v as Record<string, unknown> | undefined)?.[key];
      if (!Array.isArray(arr)) throw new Error(`missing ${key}`);
      return arr.map((x) => item.parse(x));
    },
  });

  return {
    listDatasources: (signal) => call('GET', '/api/datasources', { signal, parse: list('datasources', DatasourceView) }),
    getDatasource: (name, signal) => call('GET', `/api/datasources/${enc(name)}`, { signal, parse: DatasourceView }),
    createDatasource: (body) => call('POST', '/api/datasources', { body, parse: DatasourceWithCredentials }),
    updateDatasource: (name, patch, expectedRevision) =>
      call('PATCH', `/api/datasources/${enc(name)}`, { body: patch, headers: { 'if-match': `"${expectedRevision}"` }, parse: DatasourceView }),
    deleteDatasource: async (name, expectedRevision) => {
      const q = expectedRevision !== undefined ? `?expectedRevision=${expectedRevision}` : '';
      await call('DELETE', `/api/datasources/${enc(name)}${q}`);
    },
    reissueCredentials: (name) => call('POST', `/api/datasources/${enc(name)}/credentials`, { parse: DatasourceWithCredentials }),
    listBuckets: (body, signal) => call('POST', '/api/buckets', { body, signal, parse: list('buckets', DiscoveredBucket) }),
    createBucket: async (body) => {
      await call('POST', '/api/buckets/create', { body });
    },
    listGateways: (signal) => call('GET', '/api/gateways', { signal, parse: list('gateways', GatewayStatus) }),
  };
}
