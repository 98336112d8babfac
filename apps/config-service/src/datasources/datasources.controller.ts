import type { ServerResponse } from 'node:http';
import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { DatasourceView } from '@bucketgate/contracts';
import { parseCreateBody, parseExpectedRevision, parseName, parsePatchBody } from './datasources.input.js';
import { DatasourcesService } from './datasources.service.js';

/** The revision as an ETag, so `If-Match` can send back what was read. */
function withEtag(res: ServerResponse, view: DatasourceView): DatasourceView {
  res.setHeader('ETag', `"${view.revision}"`);
  return view;
}

/** REST: /api/datasources. Each handler parses its input and calls the service. */
@Controller('api/datasources')
export class DatasourcesController {
  constructor(@Inject(DatasourcesService) private readonly service: DatasourcesService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown) {
    return this.service.create(parseCreateBody(body));
  }

  @Get()
  list() {
    return this.service.list();
  }

  @Get(':name')
  async get(@Param('name') name: string, @Res({ passthrough: true }) res: ServerResponse) {
    return withEtag(res, await this.service.get(parseName(name)));
  }

  @Patch(':name')
  async update(@Param('name') name: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Query('expectedRevision') rev: unknown, @Res({ passthrough: true }) res: ServerResponse) {
    return withEtag(res, await this.service.update(parseName(name), parsePatchBody(body), parseExpectedRevision(ifMatch, rev)));
  }

  @Delete(':name')
  delete(@Param('name') name: string, @Headers('if-match') ifMatch: string | undefined, @Query('expectedRevision') rev: unknown) {
    return this.service.delete(parseName(name), parseExpectedRevision(ifMatch, rev));
  }

  @Post(':name/credentials')
  @HttpCode(200)
  reissue(@Param('name') name: string) {
    return this.service.reissue(parseName(name));
  }
}
