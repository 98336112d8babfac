import { Module } from '@nestjs/common';
import { WorkersModule } from '../workers/workers.module.js';
import { S3Service } from './s3.service.js';

@Module({ imports: [WorkersModule], providers: [S3Service], exports: [S3Service] })
export class S3Module {}
