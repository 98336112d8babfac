import { Module } from '@nestjs/common';
import { GatewaysController } from './gateways.controller.js';
import { GatewaysStore, NatsGatewaysStore } from './gateways.store.js';

@Module({ controllers: [GatewaysController], providers: [{ provide: GatewaysStore, useClass: NatsGatewaysStore }] })
export class GatewaysModule {}
