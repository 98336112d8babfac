import { Module } from '@nestjs/common';
import { BucketsRpc } from './buckets.rpc.js';
import { BucketsService } from './buckets.service.js';
import { REMOTE_STORAGE, S3RemoteStorage } from './buckets.store.js';

@Module({
  controllers: [BucketsRpc],
  providers: [BucketsService, { provide: REMOTE_STORAGE, useClass: S3RemoteStorage }],
})
export class BucketsModule {}
