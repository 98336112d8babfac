import { Inject, Injectable } from '@nestjs/common';
import { BucketgateError, validateNewBucketName } from '@bucketgate/contracts';
import {
  DiscoveryClient,
  type CreateBucketRequest,
  type CreateBucketResult,
  type ListBucketsRequest,
  type ListBucketsResult,
} from '../discovery/discovery.client.js';

/** Bucket look-ups for the admin forms (preview a selection, create a bucket); discovery talks to the remote. */
@Injectable()
export class BucketsService {
  constructor(@Inject(DiscoveryClient) private readonly discovery: DiscoveryClient) {}

  async list(req: ListBucketsRequest): Promise<ListBucketsResult> {
    const { buckets } = await this.discovery.listBuckets(req);
    return { buckets: buckets.map((b) => ({ name: b.name, createdAt: b.createdAt, selected: b.selected })) };
  }

  async create(req: CreateBucketRequest): Promise<CreateBucketResult> {
    const problem = validateNewBucketName(req.bucket);
    if (problem) throw new BucketgateError('INVALID', `bucket "${req.bucket}": ${problem}`, { field: 'bucket' });
    return this.discovery.createBucket(req);
  }
}
