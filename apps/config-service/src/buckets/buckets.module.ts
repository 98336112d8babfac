import { Module } from '@nestjs/common';
import { DiscoveryModule } from '../discovery/discovery.module.js';
import { BucketsController } from './buckets.controller.js';
import { BucketsService } from './buckets.service.js';

@Module({ imports: [DiscoveryModule], controllers: [BucketsController], providers: [BucketsService] })
export class BucketsModule {}
