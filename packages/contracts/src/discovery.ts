import { z } from 'zod';
import { rpc } from './rpc.js';
import { ApiKeyField, ApiSecretField, EndpointField, RegexpField, RegionField } from './schema.js';
import { BucketName } from './validation.js';

const Remote = {
  apiKey: ApiKeyField,
  apiSecret: ApiSecretField,
  endpoint: EndpointField,
  region: RegionField,
  pathStyle: z.boolean().optional(),
};

export const DiscoveredBucket = z.object({
  name: z.string(),
  createdAt: z.string().nullable(),
  /** True when the given selection (regexp or names) picks this bucket. */
  selected: z.boolean(),
});
export type DiscoveredBucket = z.infer<typeof DiscoveredBucket>;

/** List the buckets the credentials reach. Errors: INVALID_CREDENTIALS, ACCESS_DENIED, REMOTE_UNREACHABLE, TLS_ERROR, TIMEOUT. */
export const ListBuckets = rpc({
  subject: 'discovery.v1.buckets.list',
  request: z
    .object({ ...Remote, bucketsRegexp: RegexpField.nullish(), buckets: z.array(z.string()).nullish() })
    .strict(),
  response: z.object({ buckets: z.array(DiscoveredBucket) }),
  timeoutMs: 15_000,
});

/**
 * Check credentials before saving a datasource: ListBuckets, or when listing is denied and bucket names
 * are given, HeadBucket on each. Reply says what the remote allowed.
 */
export const CheckCredentials = rpc({
  subject: 'discovery.v1.credentials.check',
  request: z.object({ ...Remote, buckets: z.array(z.string()).nullish() }).strict(),
  response: z.object({
    canListBuckets: z.boolean(),
    /** Named buckets that the remote says do not exist. */
    missingBuckets: z.array(z.string()),
  }),
  timeoutMs: 15_000,
});

/** Create a bucket on the remote (region = the datasource's region). */
export const CreateBucket = rpc({
  subject: 'discovery.v1.buckets.create',
  request: z.object({ ...Remote, bucket: BucketName }).strict(),
  response: z.object({ name: z.string(), created: z.literal(true) }),
  timeoutMs: 15_000,
});
