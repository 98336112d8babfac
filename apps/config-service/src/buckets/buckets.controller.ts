import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { CreateBucket, ListBuckets, parseOrThrow } from '@bucketgate/contracts';
import { requireBody } from '../http/require-body.js';
import { BucketsService } from './buckets.service.js';

/** REST: /api/buckets, proxies to the discovery service (the config service never talks S3 itself). */
@Controller('api/buckets')
export class BucketsController {
  constructor(@Inject(BucketsService) private readonly service: BucketsService) {}

  @Post()
  @HttpCode(200)
  list(@Body() body: unknown) {
    return this.service.list(parseOrThrow(ListBuckets.request, requireBody(body), 'bucket listing request'));
  }

  @Post('create')
  @HttpCode(201)
  create(@Body() body: unknown) {
    return this.service.create(parseOrThrow(CreateBucket.request, requireBody(body), 'bucket creation request'));
  }
}
