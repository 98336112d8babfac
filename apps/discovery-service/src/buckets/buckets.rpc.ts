import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CheckCredentials, CreateBucket, ListBuckets } from '@bucketgate/contracts';
import { parseRpc } from '@bucketgate/runtime';
import { BucketsService } from './buckets.service.js';

/** NATS edge: parse with the contract's schema, hand to the service. */
@Controller()
export class BucketsRpc {
  constructor(@Inject(BucketsService) private readonly buckets: BucketsService) {}

  @MessagePattern(ListBuckets.subject)
  list(@Payload() data: unknown) {
    return this.buckets.list(parseRpc(ListBuckets, data));
  }

  @MessagePattern(CheckCredentials.subject)
  check(@Payload() data: unknown) {
    return this.buckets.check(parseRpc(CheckCredentials, data));
  }

  @MessagePattern(CreateBucket.subject)
  create(@Payload() data: unknown) {
    return this.buckets.create(parseRpc(CreateBucket, data));
  }
}
