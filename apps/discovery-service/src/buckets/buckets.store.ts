import { Inject, Injectable } from '@nestjs/common';
import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RemoteAccess } from '@bucketgate/contracts';
import { DISCOVERY_ENV } from '../tokens.js';
import type { DiscoveryEnv } from '../config/env.js';
import { NotS3ResponseError, toRemoteError } from './remote-errors.js';
import { createS3Client, DEFAULT_SIGNING_REGION, endpointLabel, signingRegion } from './s3-client.js';

export interface RemoteBucket {
  name: string;
  createdAt?: Date;
}

/** What HeadBucket said about one bucket (after following a region redirect). */
export type HeadResult = { state: 'found'; region?: string } | { state: 'missing' } | { state: 'forbidden' };

/** One conversation with one remote storage; every method throws a typed BucketgateError. */
export interface RemoteSession {
  listBuckets(): Promise<RemoteBucket[]>;
  headBucket(bucket: string): Promise<HeadResult>;
  createBucket(bucket: string): Promise<void>;
  /** Frees the connections; the session is unusable afterwards. */
  close(): void;
}

/** The seam the service talks through; the only code that touches S3 is behind it. */
export interface RemoteStorage {
  open(remote: RemoteAccess, signal: AbortSignal): RemoteSession;
}
export const REMOTE_STORAGE = Symbol('RemoteStorage');

/** A bound on pages of ListBuckets (stores that paginate return up to 10,000 buckets a page). */
const MAX_LIST_PAGES = 100;

@Injectable()
export class S3RemoteStorage implements RemoteStorage {
  constructor(@Inject(DISCOVERY_ENV) private readonly env: DiscoveryEnv) {}

  open(remote: RemoteAccess, signal: AbortSignal): RemoteSession {
    return new S3RemoteSession(remote, signal, this.env);
  }
}

class S3RemoteSession implements RemoteSession {
  private readonly client: S3Client;
  private readonly label: string;

  constructor(private readonly remote: RemoteAccess, private readonly signal: AbortSignal, private readonly env: DiscoveryEnv) {
    this.client = createS3Client(remote, env);
    this.label = endpointLabel(remote);
    this.client.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const response = out.response as { statusCode?: number; headers?: Record<string, string> } | undefined;
        const contentType = response?.headers?.['content-type'];
        if (contentType && /html/i.test(contentType)) throw new NotS3ResponseError(response?.statusCode, contentType);
        return out;
      },
      { step: 'deserialize', priority: 'high', name: 'bucketgateNotS3Guard' },
    );
  }

  async listBuckets(): Promise<RemoteBucket[]> {
    const buckets: RemoteBucket[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const out = await this.run('ListBuckets', () =>
        this.client.send(new ListBucketsCommand(token ? { ContinuationToken: token } : {}), { abortSignal: this.signal }),
      );
      // Every S3 ListAllMyBucketsResult has a <Buckets> element (empty when there are none).
      if (!out.Buckets) throw toRemoteError(new NotS3ResponseError(out.$metadata.httpStatusCode, undefined), this.ctx('ListBuckets'));
      for (const b of out.Buckets) if (b.Name) buckets.push({ name: b.Name, ...(b.CreationDate ? { createdAt: b.CreationDate } : {}) });
      token = out.ContinuationToken;
      if (!token) break;
    }
    return buckets;
  }

  async headBucket(bucket: string): Promise<HeadResult> {
    try {
      const out = await this.client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: this.signal });
      return out.BucketRegion ? { state: 'found', region: out.BucketRegion } : { state: 'found' };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (!(err instanceof NotS3ResponseError)) {
        if (status === 404) return { state: 'missing' };
        if (status === 403) return { state: 'forbidden' };
      }
      throw toRemoteError(err, this.ctx('HeadBucket'));
    }
  }

  async createBucket(bucket: string): Promise<void> {
    const region = this.remote.region?.trim();
    // us-east-1 is the one region S3 wants no LocationConstraint for (it refuses one naming it).
    const location = region && region !== DEFAULT_SIGNING_REGION ? { CreateBucketConfiguration: { LocationConstraint: region as never } } : {};
    await this.run('CreateBucket', () => this.client.send(new CreateBucketCommand({ Bucket: bucket, ...location }), { abortSignal: this.signal }));
  }

  close(): void {
    this.client.destroy();
  }

  private async run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toRemoteError(err, this.ctx(op));
    }
  }

  private ctx(op: string) {
    return { endpoint: this.label, op, region: signingRegion(this.remote), timeoutMs: this.env.requestTimeoutMs, connectTimeoutMs: this.env.connectTimeoutMs };
  }
}
