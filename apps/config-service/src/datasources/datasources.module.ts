import { Module } from '@nestjs/common';
import { DiscoveryModule } from '../discovery/discovery.module.js';
import { DatasourcesController } from './datasources.controller.js';
import { DatasourcesRpc } from './datasources.rpc.js';
import { DatasourcesService } from './datasources.service.js';
import { DatasourcesStore, NatsDatasourcesStore } from './datasources.store.js';

@Module({
  imports: [DiscoveryModule],
  controllers: [DatasourcesController, DatasourcesRpc],
  providers: [DatasourcesService, { provide: DatasourcesStore, useClass: NatsDatasourcesStore }],
})
export class DatasourcesModule {}
