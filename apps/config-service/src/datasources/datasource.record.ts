import { z } from 'zod';
import type { DatasourceView } from '@bucketgate/contracts';

/**
 * What the config service stores in KV `bg_datasources` under the datasource name. Secrets are sealed with the
 * master key (see SecretBox); gateways never read this value, they only watch key/revision/delete markers and
 * then call config.v1.datasource.resolve.
 */
export const StoredDatasource = z.object({
  v: z.literal(1),
  name: z.string(),
  endpoint: z.string().nullable(),
  region: z.string().nullable(),
  pathStyle: z.boolean(),
  readOnly: z.boolean(),
  buckets: z.array(z.string()).nullable(),
  bucketsRegexp: z.string().nullable(),
  apiKey: z.string(),
  apiSecretEnc: z.string(),
  accessKeyId: z.string(),
  secretAccessKeyEnc: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StoredDatasource = z.infer<typeof StoredDatasource>;

/** A stored record with the KV revision it was read at. */
export interface StoredEntry {
  record: StoredDatasource;
  revision: number;
}

/** The operator's view: everything but the secrets. */
export function toView({ record, revision }: StoredEntry): DatasourceView {
  return {
    name: record.name,
    endpoint: record.endpoint,
    region: record.region,
    pathStyle: record.pathStyle,
    readOnly: record.readOnly,
    buckets: record.buckets,
    bucketsRegexp: record.bucketsRegexp,
    apiKey: record.apiKey,
    accessKeyId: record.accessKeyId,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    revision,
  };
}
