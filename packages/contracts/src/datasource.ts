import { z } from 'zod';
import { rpc, event } from './rpc.js';
import { ApiKeyField, ApiSecretField, EndpointField, RegexpField, RegionField } from './schema.js';
import { BucketName, DatasourceName } from './validation.js';

const selectionRefinement = (v: { buckets?: unknown; bucketsRegexp?: unknown }, ctx: z.RefinementCtx, required: boolean) => {
  const hasList = v.buckets !== undefined && v.buckets !== null;
  const hasRe = v.bucketsRegexp !== undefined && v.bucketsRegexp !== null;
  if (hasList && hasRe) ctx.addIssue({ code: 'custom', path: ['buckets'], message: 'give either buckets or bucketsRegexp, not both' });
  if (required && !hasList && !hasRe) {
    ctx.addIssue({ code: 'custom', path: ['buckets'], message: 'select buckets: give buckets (a list of names) or bucketsRegexp (e.g. "^cells" or ".*")' });
  }
};

export const BucketList = z
  .array(BucketName)
  .min(1, 'pick at least one bucket (or give bucketsRegexp instead of buckets)')
  .max(1000)
  .transform((names) => [...new Set(names)]);

/** POST /api/datasources and config.v1.datasource.create */
export const CreateDatasourceRequest = z
  .object({
    name: DatasourceName,
    apiKey: ApiKeyField,
    apiSecret: ApiSecretField,
    endpoint: EndpointField,
    region: RegionField,
    buckets: BucketList.nullish(),
    bucketsRegexp: RegexpField.nullish(),
    pathStyle: z.boolean().optional(),
    readOnly: z.boolean().default(false),
    /** Save without asking the remote first (e.g. the remote is down for maintenance). */
    skipCheck: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => selectionRefinement(v, ctx, true));
export type CreateDatasourceRequest = z.output<typeof CreateDatasourceRequest>;

/** The patch part of PATCH /api/datasources/{name}: every field optional; a new selection replaces the old one. */
export const DatasourcePatch = z
  .object({
    apiKey: ApiKeyField.optional(),
    apiSecret: ApiSecretField.optional(),
    endpoint: EndpointField.optional(),
    region: RegionField.optional(),
    buckets: BucketList.optional(),
    bucketsRegexp: RegexpField.optional(),
    pathStyle: z.boolean().optional(),
    readOnly: z.boolean().optional(),
    skipCheck: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => selectionRefinement(v, ctx, false));
export type DatasourcePatch = z.output<typeof DatasourcePatch>;

/** A datasource as shown to operators: never a secret. */
export const DatasourceView = z.object({
  name: z.string(),
  endpoint: z.string().nullable(), // null = Amazon S3
  region: z.string().nullable(),
  pathStyle: z.boolean(),
  readOnly: z.boolean(),
  buckets: z.array(z.string()).nullable(),
  bucketsRegexp: z.string().nullable(),
  apiKey: z.string(), // the remote access key id (an identifier, not a secret)
  accessKeyId: z.string(), // the gateway access key issued for this datasource
  createdAt: z.string(),
  updatedAt: z.string(),
  /** KV revision; send it back as expectedRevision (or If-Match) to update only what you read. */
  revision: z.number().int(),
});
export type DatasourceView = z.infer<typeof DatasourceView>;

export const IssuedCredentials = z.object({ accessKeyId: z.string(), secretAccessKey: z.string() });
export type IssuedCredentials = z.infer<typeof IssuedCredentials>;

/** Reply to create and to credential re-issue: the only time the issued secret is ever returned. */
export const DatasourceWithCredentials = z.object({
  datasource: DatasourceView,
  credentials: IssuedCredentials,
  gateway: z.object({ endpoint: z.string() }),
});
export type DatasourceWithCredentials = z.infer<typeof DatasourceWithCredentials>;

const NameRequest = z.object({ name: DatasourceName }).strict();

export const CreateDatasource = rpc({
  subject: 'config.v1.datasource.create',
  request: CreateDatasourceRequest,
  response: DatasourceWithCredentials,
  timeoutMs: 20_000,
});
export const GetDatasource = rpc({ subject: 'config.v1.datasource.get', request: NameRequest, response: DatasourceView });
export const ListDatasources = rpc({
  subject: 'config.v1.datasource.list',
  request: z.object({}).strict(),
  response: z.object({ datasources: z.array(DatasourceView) }),
});
export const UpdateDatasource = rpc({
  subject: 'config.v1.datasource.update',
  request: z.object({ name: DatasourceName, patch: DatasourcePatch, expectedRevision: z.number().int().positive().optional() }).strict(),
  response: DatasourceView,
  timeoutMs: 20_000,
});
export const DeleteDatasource = rpc({
  subject: 'config.v1.datasource.delete',
  request: z.object({ name: DatasourceName, expectedRevision: z.number().int().positive().optional() }).strict(),
  response: z.object({ deleted: z.literal(true) }),
});
/** Issue new gateway credentials; the old ones stop working. */
export const ReissueCredentials = rpc({
  subject: 'config.v1.datasource.reissue',
  request: NameRequest,
  response: DatasourceWithCredentials,
});

/** Internal (gateway only): everything a worker needs, secrets decrypted. Never exposed over REST. */
export const WorkerConfig = z.object({
  name: z.string(),
  revision: z.number().int(),
  endpoint: z.string().nullable(),
  region: z.string().nullable(),
  pathStyle: z.boolean(),
  readOnly: z.boolean(),
  buckets: z.array(z.string()).nullable(),
  bucketsRegexp: z.string().nullable(),
  remote: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }),
  issued: IssuedCredentials,
});
export type WorkerConfig = z.infer<typeof WorkerConfig>;
export const ResolveDatasource = rpc({ subject: 'config.v1.datasource.resolve', request: NameRequest, response: WorkerConfig });

/** JetStream events, past tense, payloads never carry secrets. */
export const DatasourceEvent = z.object({ name: z.string(), revision: z.number().int(), at: z.string() });
export type DatasourceEvent = z.infer<typeof DatasourceEvent>;
export const DatasourceCreated = event({ subject: 'config.v1.datasource.created', payload: DatasourceEvent });
export const DatasourceUpdated = event({ subject: 'config.v1.datasource.updated', payload: DatasourceEvent });
export const DatasourceDeleted = event({ subject: 'config.v1.datasource.deleted', payload: DatasourceEvent });
/** The JetStream stream holding datasource events (explicit subjects, so RPC verbs are never captured). */
export const EVENTS_STREAM = {
  name: 'BUCKETGATE_EVENTS',
  subjects: [DatasourceCreated.subject, DatasourceUpdated.subject, DatasourceDeleted.subject],
} as const;
