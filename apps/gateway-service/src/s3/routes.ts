import type { IncomingHttpHeaders } from 'node:http';
import type { OpName } from './s3.types.js';

/**
 * Query parameters that select a sub-resource (and so a different S3 operation). A request naming one that
 * its route does not list is a different operation, which the gateway does not implement.
 */
export const SUBRESOURCES = new Set([
  'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'delete', 'encryption', 'intelligent-tiering', 'inventory',
  'legal-hold', 'lifecycle', 'list-type', 'location', 'logging', 'metadataConfiguration', 'metrics', 'notification',
  'object-lock', 'ownershipControls', 'partNumber', 'policy', 'policyStatus', 'publicAccessBlock', 'renameObject',
  'replication', 'requestPayment', 'restore', 'retention', 'select', 'session', 'tagging', 'torrent', 'uploadId',
  'uploads', 'versioning', 'versions', 'website',
]);

type Target = 'service' | 'bucket' | 'object';

export interface Route {
  op: Exclude<OpName, 'Unsupported'>;
  method: string;
  target: Target;
  /** Sub-resources that must all be present. */
  markers?: string[];
  /** Sub-resources that may be present. */
  optional?: string[];
  /** true: x-amz-copy-source must be present; false: must be absent; undefined: either. */
  copySource?: boolean;
}

/** The declarative route table: first match wins, so more specific rows come first. */
export const ROUTES: readonly Route[] = [
  { op: 'ListBuckets', method: 'GET', target: 'service' },

  { op: 'HeadBucket', method: 'HEAD', target: 'bucket' },
  { op: 'GetBucketLocation', method: 'GET', target: 'bucket', markers: ['location'] },
  { op: 'ListObjectsV2', method: 'GET', target: 'bucket', markers: ['list-type'] },
  { op: 'ListMultipartUploads', method: 'GET', target: 'bucket', markers: ['uploads'] },
  { op: 'ListObjects', method: 'GET', target: 'bucket' },
  { op: 'DeleteObjects', method: 'POST', target: 'bucket', markers: ['delete'] },
  { op: 'CreateBucket', method: 'PUT', target: 'bucket' },
  { op: 'DeleteBucket', method: 'DELETE', target: 'bucket' },

  { op: 'HeadObject', method: 'HEAD', target: 'object', optional: ['partNumber'] },
  { op: 'ListParts', method: 'GET', target: 'object', markers: ['uploadId'] },
  { op: 'GetObject', method: 'GET', target: 'object', optional: ['partNumber'] },
  { op: 'UploadPartCopy', method: 'PUT', target: 'object', markers: ['partNumber', 'uploadId'], copySource: true },
  { op: 'UploadPart', method: 'PUT', target: 'object', markers: ['partNumber', 'uploadId'], copySource: false },
  { op: 'CopyObject', method: 'PUT', target: 'object', copySource: true },
  { op: 'PutObject', method: 'PUT', target: 'object', copySource: false },
  { op: 'DeleteObject', method: 'DELETE', target: 'object' },
  { op: 'AbortMultipartUpload', method: 'DELETE', target: 'object', markers: ['uploadId'] },
  { op: 'CreateMultipartUpload', method: 'POST', target: 'object', markers: ['uploads'] },
  { op: 'CompleteMultipartUpload', method: 'POST', target: 'object', markers: ['uploadId'] },
];

/** Sub-resources each route accepts (markers + optional), computed once rather than on every request. */
const ALLOWED = new Map<Route, ReadonlySet<string>>(ROUTES.map((r) => [r, new Set([...(r.markers ?? []), ...(r.optional ?? [])])]));
const NO_MARKERS: readonly string[] = [];

export interface RouteInput {
  method: string;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export type RouteMatch = { route: Route } | { route?: undefined; description: string };

/** Finds the operation a request means, or describes the one it means when no route implements it. */
export function matchRoute(input: RouteInput): RouteMatch {
  const target: Target = input.bucket === undefined ? 'service' : input.key === undefined ? 'bucket' : 'object';
  const present = new Set<string>();
  for (const k of input.query.keys()) if (SUBRESOURCES.has(k)) present.add(k);
  const hasCopySource = input.headers['x-amz-copy-source'] !== undefined;
  for (const route of ROUTES) {
    if (route.method !== input.method || route.target !== target) continue;
    if (route.copySource !== undefined && route.copySource !== hasCopySource) continue;
    if (!(route.markers ?? NO_MARKERS).every((m) => present.has(m))) continue;
    const allowed = ALLOWED.get(route)!;
    let extra = false;
    for (const m of present) if (!allowed.has(m)) extra = true;
    if (extra) continue;
    if (route.op === 'ListObjectsV2' && input.query.get('list-type') !== '2') continue;
    return { route };
  }
  const subs = [...present].sort();
  const what = subs.length ? `${input.method} on a ${target} with ?${subs.join('&')}` : `${input.method} on a ${target}`;
  return { description: what };
}
