import {
  BucketgateError,
  CreateDatasourceRequest,
  DatasourcePatch,
  DeleteDatasource,
  GetDatasource,
  parseOrThrow,
  UpdateDatasource,
} from '@bucketgate/contracts';
import { parseRpc } from '@bucketgate/runtime';
import { requireBody } from '../http/require-body.js';

/**
 * A parsed patch plus what the schema cannot express: an explicit `""` or `null` endpoint/region clears the value
 * (back to Amazon S3 / to "work the region out"), while an absent field keeps it.
 */
export type DatasourceChange = DatasourcePatch & { clearEndpoint?: boolean; clearRegion?: boolean };

function isBlank(value: unknown): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '');
}

export function toChange(patch: DatasourcePatch, raw: unknown): DatasourceChange {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    ...patch,
    ...('endpoint' in r && isBlank(r.endpoint) ? { clearEndpoint: true } : {}),
    ...('region' in r && isBlank(r.region) ? { clearRegion: true } : {}),
  };
}

/** REST body of POST /api/datasources. */
export function parseCreateBody(body: unknown): CreateDatasourceRequest {
  return parseOrThrow(CreateDatasourceRequest, requireBody(body), 'datasource');
}

/** REST body of PATCH /api/datasources/:name. */
export function parsePatchBody(body: unknown): DatasourceChange {
  return toChange(parseOrThrow(DatasourcePatch, requireBody(body), 'patch'), body);
}

/** The :name of a REST path. */
export function parseName(name: unknown): string {
  return parseOrThrow(GetDatasource.request, { name }, 'datasource name').name;
}

/** NATS config.v1.datasource.update. */
export function parseUpdateRpc(data: unknown): { name: string; change: DatasourceChange; expectedRevision?: number } {
  const req = parseRpc(UpdateDatasource, data);
  return { name: req.name, change: toChange(req.patch, (data as { patch?: unknown }).patch), expectedRevision: req.expectedRevision };
}

/** NATS config.v1.datasource.delete. */
export function parseDeleteRpc(data: unknown): { name: string; expectedRevision?: number } {
  return parseRpc(DeleteDatasource, data);
}

/**
 * The revision a client says it read: `If-Match: "<revision>"` (an ETag from GET) or `?expectedRevision=<n>`.
 * `If-Match: *` means "whatever is there", like no condition.
 */
export function parseExpectedRevision(ifMatch: string | undefined, query: unknown): number | undefined {
  const fromHeader = parseIfMatch(ifMatch);
  let fromQuery: number | undefined;
  if (query !== undefined) {
    if (typeof query !== 'string' || !/^[1-9][0-9]{0,15}$/.test(query)) {
      const got = query === '' ? 'nothing (?expectedRevision= is empty; leave it out to use the revision read now)' : `"${String(query)}"`;
      throw new BucketgateError('INVALID', `expectedRevision must be a positive integer (the "revision" you read), got ${got}`);
    }
    fromQuery = Number(query);
  }
  if (fromHeader !== undefined && fromQuery !== undefined && fromHeader !== fromQuery) {
    throw new BucketgateError('INVALID', `If-Match (${fromHeader}) and expectedRevision (${fromQuery}) disagree; send one of them`);
  }
  return fromHeader ?? fromQuery;
}

function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '' || v === '*') return undefined;
  const m = /^(?:W\/)?"?([1-9][0-9]{0,15})"?$/.exec(v);
  if (!m) throw new BucketgateError('INVALID', `If-Match must be the ETag of the datasource, e.g. "3" (with quotes), got ${v}`);
  return Number(m[1]);
}
