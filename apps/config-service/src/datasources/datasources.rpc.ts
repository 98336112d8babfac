import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateDatasource, DeleteDatasource, GetDatasource, ListDatasources, ReissueCredentials, ResolveDatasource, UpdateDatasource } from '@bucketgate/contracts';
import { parseRpc } from '@bucketgate/runtime';
import { parseDeleteRpc, parseUpdateRpc } from './datasources.input.js';
import { DatasourcesService } from './datasources.service.js';

/** NATS: config.v1.datasource.* in queue group config-service. Each handler parses with the contract and calls the service. */
@Controller()
export class DatasourcesRpc {
  constructor(@Inject(DatasourcesService) private readonly service: DatasourcesService) {}

  @MessagePattern(CreateDatasource.subject)
  create(@Payload() data: unknown) {
    return this.service.create(parseRpc(CreateDatasource, data));
  }

  @MessagePattern(GetDatasource.subject)
  get(@Payload() data: unknown) {
    return this.service.get(parseRpc(GetDatasource, data).name);
  }

  @MessagePattern(ListDatasources.subject)
  list(@Payload() data: unknown) {
    parseRpc(ListDatasources, data ?? {});
    return this.service.list();
  }

  @MessagePattern(UpdateDatasource.subject)
  update(@Payload() data: unknown) {
    const { name, change, expectedRevision } = parseUpdateRpc(data);
    return this.service.update(name, change, expectedRevision);
  }

  @MessagePattern(DeleteDatasource.subject)
  delete(@Payload() data: unknown) {
    const { name, expectedRevision } = parseDeleteRpc(data);
    return this.service.delete(name, expectedRevision);
  }

  @MessagePattern(ReissueCredentials.subject)
  reissue(@Payload() data: unknown) {
    return this.service.reissue(parseRpc(ReissueCredentials, data).name);
  }

  @MessagePattern(ResolveDatasource.subject)
  resolve(@Payload() data: unknown) {
    return this.service.resolve(parseRpc(ResolveDatasource, data).name);
  }
}
