import { Controller, Get, Inject } from '@nestjs/common';
import { GatewaysStore } from './gateways.store.js';

/** REST: live gateway instances from their heartbeats. */
@Controller('api/gateways')
export class GatewaysController {
  constructor(@Inject(GatewaysStore) private readonly store: GatewaysStore) {}

  @Get()
  async list() {
    return { gateways: await this.store.list() };
  }
}
