import { z } from 'zod';
import { BucketgateError } from './errors.js';
import { compileBucketsRegexp, normalizeEndpoint, REGION_RE } from './validation.js';

/** Parses a value at a boundary; a failure becomes one INVALID error that names every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  throw new BucketgateError('INVALID', `invalid ${what}: ${problems.join('; ')}`, {
    issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/** Optional endpoint: '' / null / absent mean AWS S3; otherwise normalized to scheme://host[:port]. */
export const EndpointField = z
  .string()
  .max(2048)
  .nullish()
  .transform((v, ctx) => {
    try {
      return normalizeEndpoint(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

/** Optional region: '' / null / absent mean "work it out" (us-east-1 for signing, then the bucket's own). */
export const RegionField = z
  .string()
  .max(64)
  .nullish()
  .transform((v, ctx) => {
    const value = (v ?? '').trim();
    if (value === '') return undefined;
    if (!REGION_RE.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'region is letters, digits, "-" and "_" (e.g. us-east-1), or empty' });
      return z.NEVER;
    }
    return value;
  });

export const RegexpField = z
  .string()
  .transform((v, ctx) => {
    try {
      compileBucketsRegexp(v);
      return v;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

export const ApiKeyField = z.string().trim().min(1, 'apiKey is required').max(256);
/** Trimmed: S3 secrets never start or end with whitespace, so a pasted trailing newline is not part of the secret. */
export const ApiSecretField = z.string().trim().min(1, 'apiSecret is required').max(1024);

/** How to reach a remote storage: what discovery needs for any look-up. */
export const RemoteAccess = z.object({
  apiKey: ApiKeyField,
  apiSecret: ApiSecretField,
  endpoint: EndpointField,
  region: RegionField,
  /** Path-style addressing; default: true for a custom endpoint, false for AWS. */
  pathStyle: z.boolean().optional(),
});
export type RemoteAccess = z.output<typeof RemoteAccess>;
export type RemoteAccessInput = z.input<typeof RemoteAccess>;

export const IsoDate = z.string();
