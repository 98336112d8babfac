import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import type { Logger } from 'pino';
import {
  BUCKET_NAME_RE,
  BucketgateError,
  CheckCredentials,
  CreateBucket,
  createBucketMatcher,
  ListBuckets,
  validateNewBucketName,
  type DiscoveredBucket,
  type RemoteAccess,
} from '@bucketgate/contracts';
import { DISCOVERY_ENV, LOGGER } from '../tokens.js';
import type { DiscoveryEnv } from '../config/env.js';
import { REMOTE_STORAGE, type HeadResult, type RemoteSession, type RemoteStorage } from './buckets.store.js';
import { endpointLabel, signingRegion } from './s3-client.js';

export type ListBucketsRequest = z.output<(typeof ListBuckets)['request']>;
export type ListBucketsReply = z.output<(typeof ListBuckets)['response']>;
export type CheckCredentialsRequest = z.output<(typeof CheckCredentials)['request']>;
export type CheckCredentialsReply = z.output<(typeof CheckCredentials)['response']>;
export type CreateBucketRequest = z.output<(typeof CreateBucket)['request']>;
export type CreateBucketReply = z.output<(typeof CreateBucket)['response']>;

/** HeadBucket calls in flight at once when checking named buckets. */
const HEAD_CONCURRENCY = 8;

/**
 * Talks to a remote storage to learn what is there. Stateless: every call opens a session with the
 * given credentials, bounded by one deadline, and closes it.
 */
@Injectable()
export class BucketsService {
  constructor(
    @Inject(REMOTE_STORAGE) private readonly storage: RemoteStorage,
    @Inject(DISCOVERY_ENV) private readonly env: DiscoveryEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The buckets the credentials reach, sorted by name, each flagged with whether the selection picks it. */
  async list(req: ListBucketsRequest): Promise<ListBucketsReply> {
    const selected = selectionMatcher(req);
    return this.withRemote('ListBuckets', req, async (session) => {
      const buckets = await this.listOrExplain(session, req);
      const found: DiscoveredBucket[] = buckets.map((b) => ({
        name: b.name,
        createdAt: b.createdAt ? b.createdAt.toISOString() : null,
        selected: selected(b.name),
      }));
      found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { buckets: found };
    });
  }

  /**
   * Are these credentials good for this remote? ListBuckets; when listing is denied and bucket names are
   * given, HeadBucket each. Names the remote says do not exist come back in missingBuckets.
   */
  async check(req: CheckCredentialsRequest): Promise<CheckCredentialsReply> {
    const names = validBucketNames(req.buckets ?? []);
    return this.withRemote('CheckCredentials', req, async (session) => {
      let listed: Set<string> | undefined;
      let denied: BucketgateError | undefined;
      try {
        listed = new Set((await session.listBuckets()).map((b) => b.name));
      } catch (err) {
        if (!isAccessDenied(err)) throw err;
        denied = err;
      }

      if (listed) {
        // A bucket may be reachable without being owned (and so listed): ask about the others one by one.
        const heads = await headAll(session, names.filter((n) => !listed.has(n)));
        this.throwIfForbidden(req, heads);
        return { canListBuckets: true, missingBuckets: namesIn(heads, 'missing') };
      }

      if (names.length === 0) throw await this.explainListingDenied(session, req, denied!);
      const heads = await headAll(session, names);
      const forbidden = namesIn(heads, 'forbidden');
      if (forbidden.length === names.length) await this.rejectIfCredentialsRefused(session, req, denied!);
      this.throwIfForbidden(req, heads);
      return { canListBuckets: false, missingBuckets: namesIn(heads, 'missing') };
    });
  }

  /** Creates a bucket on the remote, in the datasource's region. */
  async create(req: CreateBucketRequest): Promise<CreateBucketReply> {
    const problem = validateNewBucketName(req.bucket);
    if (problem) throw new BucketgateError('INVALID', `cannot create bucket "${req.bucket}": ${problem}`, { field: 'bucket' });
    return this.withRemote('CreateBucket', req, async (session) => {
      // Some stores (Ceph RGW, Amazon S3 in us-east-1) answer 200 to creating a bucket the account already
      // owns: ask first, so "created" is only ever said of a bucket that was not there.
      if ((await session.headBucket(req.bucket)).state === 'found') throw await this.alreadyThere(session, req, req.bucket);
      try {
        await session.createBucket(req.bucket);
      } catch (err) {
        if (isAccessDenied(err)) await this.rejectIfCredentialsRefused(session, req, err);
        throw err;
      }
      return { name: req.bucket, created: true as const };
    }, { bucket: req.bucket });
  }

  /** CONFLICT for a bucket that exists and these credentials reach; "yours" when the account's listing has it. */
  private async alreadyThere(session: RemoteSession, remote: RemoteAccess, bucket: string): Promise<BucketgateError> {
    const where = endpointLabel(remote);
    const owned = await session.listBuckets().then(
      (buckets) => buckets.some((b) => b.name === bucket),
      () => undefined,
    );
    const whose = owned === true
      ? 'and is yours'
      : owned === false
        ? 'and these credentials can use it, though another account owns it'
        : 'and these credentials can already use it';
    return new BucketgateError('CONFLICT', `bucket "${bucket}" already exists on ${where} ${whose}; nothing was created`, {
      bucket,
      ...(owned !== undefined ? { owned } : {}),
    });
  }

  private async listOrExplain(session: RemoteSession, remote: RemoteAccess) {
    try {
      return await session.listBuckets();
    } catch (err) {
      if (isAccessDenied(err)) throw await this.explainListingDenied(session, remote, err);
      throw err;
    }
  }

  /** Listing was denied: tell refused credentials apart from valid ones that may not list. */
  private async explainListingDenied(session: RemoteSession, remote: RemoteAccess, denied: BucketgateError): Promise<BucketgateError> {
    await this.rejectIfCredentialsRefused(session, remote, denied);
    return new BucketgateError(
      'ACCESS_DENIED',
      `the credentials are valid but may not list the buckets of ${endpointLabel(remote)} (they lack the s3:ListAllMyBuckets permission); ` +
        'typed bucket names still work: give the bucket names instead of a regular expression',
      { ...denied.details, missingPermission: 's3:ListAllMyBuckets' },
      { cause: denied },
    );
  }

  /**
   * Some stores (Ceph RGW among them) answer AccessDenied instead of InvalidAccessKeyId or
   * SignatureDoesNotMatch when the key or secret is wrong. A HeadBucket on a name that surely does not
   * exist tells the two apart: accepted credentials get 404, refused ones get 403 again.
   */
  private async rejectIfCredentialsRefused(session: RemoteSession, remote: RemoteAccess, denied: BucketgateError): Promise<void> {
    const probe = await session.headBucket(`bucketgate-probe-${randomBytes(8).toString('hex')}`);
    if (probe.state !== 'forbidden') return;
    throw new BucketgateError(
      'INVALID_CREDENTIALS',
      `${endpointLabel(remote)} refused the credentials: it answered ${String(denied.details?.remoteCode ?? 'AccessDenied')} ` +
        'to every request, even to look up a bucket that does not exist, so the access key or the secret is wrong (or the key is disabled)',
      { ...denied.details, probe: 'HeadBucket of a non-existent bucket was denied too' },
      { cause: denied },
    );
  }

  private throwIfForbidden(remote: RemoteAccess, heads: Array<[string, HeadResult]>): void {
    const forbidden = namesIn(heads, 'forbidden');
    if (forbidden.length === 0) return;
    const list = forbidden.map((n) => `"${n}"`).join(', ');
    throw new BucketgateError(
      'ACCESS_DENIED',
      `the credentials are valid but ${endpointLabel(remote)} denies access to bucket${forbidden.length > 1 ? 's' : ''} ${list}`,
      { buckets: forbidden },
    );
  }

  /** Runs one RPC's remote work in a session bounded by the call deadline; logs it; scrubs the secret from errors. */
  private async withRemote<T>(op: string, remote: RemoteAccess, work: (session: RemoteSession) => Promise<T>, extra: Record<string, unknown> = {}): Promise<T> {
    const started = performance.now();
    const endpoint = endpointLabel(remote);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new BucketgateError('TIMEOUT', `${endpoint} did not finish ${op} within ${this.env.callDeadlineMs} ms (the storage is slow or does not answer)`, {
          endpoint, op, timeoutMs: this.env.callDeadlineMs,
        });
        controller.abort(err);
        reject(err);
      }, this.env.callDeadlineMs);
    });
    const session = this.storage.open(remote, controller.signal);
    const log = { op, endpoint, region: signingRegion(remote), ...extra };
    try {
      const result = await Promise.race([work(session), deadline]);
      this.logger.info({ ...log, outcome: 'ok', durationMs: Math.round(performance.now() - started) }, `${op} ok`);
      return result;
    } catch (err) {
      const failure = scrubSecret(controller.signal.aborted ? (controller.signal.reason as BucketgateError) : err, remote.apiSecret, { endpoint, op });
      const code = failure instanceof BucketgateError ? failure.code : 'INTERNAL';
      const durationMs = Math.round(performance.now() - started);
      if (code === 'INTERNAL') this.logger.error({ ...log, outcome: code, durationMs, err: failure }, `${op} failed`);
      else this.logger.info({ ...log, outcome: code, durationMs, reason: (failure as Error).message }, `${op} ${code}`);
      throw failure;
    } finally {
      clearTimeout(timer);
      session.close();
    }
  }
}

function selectionMatcher(req: ListBucketsRequest): (bucket: string) => boolean {
  const hasRe = req.bucketsRegexp !== undefined && req.bucketsRegexp !== null;
  const hasList = req.buckets !== undefined && req.buckets !== null;
  if (hasRe && hasList) throw new BucketgateError('INVALID', 'give either buckets or bucketsRegexp, not both', { field: 'buckets' });
  if (hasRe) return createBucketMatcher({ bucketsRegexp: req.bucketsRegexp! });
  if (hasList) return createBucketMatcher({ buckets: req.buckets! });
  return () => false;
}

function validBucketNames(names: string[]): string[] {
  const bad = names.filter((n) => !BUCKET_NAME_RE.test(n));
  if (bad.length) {
    throw new BucketgateError('INVALID', `not a valid bucket name: ${bad.map((n) => JSON.stringify(n)).join(', ')} (3-63 characters of letters, digits, ".", "-" and "_")`, {
      field: 'buckets',
      invalid: bad,
    });
  }
  return [...new Set(names)];
}

function isAccessDenied(err: unknown): err is BucketgateError {
  return err instanceof BucketgateError && err.code === 'ACCESS_DENIED';
}

async function headAll(session: RemoteSession, names: string[]): Promise<Array<[string, HeadResult]>> {
  const results: Array<[string, HeadResult]> = [];
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      results.push([name, await session.headBucket(name)]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEAD_CONCURRENCY, names.length) }, worker));
  return results.sort(([a], [b]) => names.indexOf(a) - names.indexOf(b));
}

function namesIn(heads: Array<[string, HeadResult]>, state: HeadResult['state']): string[] {
  return heads.filter(([, r]) => r.state === state).map(([n]) => n);
}

/** The shortest run of the secret's characters that counts as "the secret" when found in a remote's words. */
export const SECRET_WINDOW = 8;
/** Secrets shorter than this are not looked for (they would match ordinary words). */
const MIN_SCRUBBED_SECRET = 6;
export const WITHHELD = "the remote's message was withheld because it contained the secret";

/**
 * Whether `text` holds the secret or a piece of it: any run of SECRET_WINDOW characters of the secret
 * (the whole secret when shorter), compared without regard to case, in the text as is and URL-decoded.
 */
export function containsSecret(text: string, secret: string): boolean {
  if (secret.length < MIN_SCRUBBED_SECRET || text.length === 0) return false;
  const lowered = secret.toLowerCase();
  const width = Math.min(SECRET_WINDOW, lowered.length);
  const haystacks = new Set([text.toLowerCase(), urlDecode(text).toLowerCase(), urlDecode(urlDecode(text)).toLowerCase()]);
  for (let i = 0; i + width <= lowered.length; i++) {
    const piece = lowered.slice(i, i + width);
    for (const h of haystacks) if (h.includes(piece)) return true;
  }
  return false;
}

/** Decodes %XX escapes (and + as space) leniently: malformed escapes stay as they are. */
function urlDecode(text: string): string {
  return text.replace(/\+/g, ' ').replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function scrubValue(value: unknown, secret: string): { value: unknown; hit: boolean } {
  if (typeof value === 'string') return containsSecret(value, secret) ? { value: '[withheld]', hit: true } : { value, hit: false };
  if (Array.isArray(value)) {
    const out = value.map((v) => scrubValue(v, secret));
    return { value: out.map((o) => o.value), hit: out.some((o) => o.hit) };
  }
  if (value && typeof value === 'object') {
    let hit = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = scrubValue(v, secret);
      hit ||= r.hit || containsSecret(k, secret);
      if (!containsSecret(k, secret)) out[k] = r.value;
    }
    return { value: out, hit };
  }
  return { value, hit: false };
}

/**
 * Last line of defence: a remote that echoes the secret back (whole, in pieces, URL-encoded or with
 * another case) must not get it into a reply or a log. Its message is then withheld entirely, detail
 * values holding it are replaced, and the raw cause (which carries the remote's words) is dropped.
 */
export function scrubSecret(err: unknown, secret: string, where: { endpoint: string; op: string } = { endpoint: 'the remote', op: 'the request' }): unknown {
  if (!(err instanceof BucketgateError) || secret.length < MIN_SCRUBBED_SECRET) return err;
  const inMessage = containsSecret(err.message, secret);
  const details = err.details ? scrubValue(err.details, secret) : undefined;
  if (!inMessage && !details?.hit) return err;
  const endpoint = containsSecret(where.endpoint, secret) ? 'the remote' : where.endpoint;
  const message = inMessage ? `${endpoint} answered ${where.op} with an error (${WITHHELD})` : err.message;
  return new BucketgateError(err.code, message, details?.value as Record<string, unknown> | undefined);
}
