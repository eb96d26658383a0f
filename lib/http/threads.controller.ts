import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
  type CanActivate,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CopilotThreads } from '../runtime/copilot-threads.service.js';
import { markCopilotKitRoutes } from './fastify-routes.js';
import { RunnerUnavailableFilter } from './runner-unavailable.filter.js';
import { ThreadIdPipe, ThreadListQueryPipe, type ThreadListQuery } from './thread-params.pipe.js';

/**
 * The thread routes under `path`, as the CopilotKit client's thread UI calls them, scoped to the
 * caller. Built per `forRoot`, with the same guards as the protocol routes. Replies are written
 * through the HTTP adapter, like the protocol routes', so a host app's global interceptor that
 * wraps responses (`{ data: ... }`) cannot change the shape the CopilotKit client reads.
 */
export function createThreadsController(path: string, guards: Array<Type<CanActivate> | CanActivate>): Type<unknown> {
  @Controller(`${path}/threads`)
  @UseGuards(...guards)
  @UseFilters(RunnerUnavailableFilter)
  class CopilotKitThreadsController {
    constructor(
      readonly threads: CopilotThreads,
      readonly adapterHost: HttpAdapterHost,
    ) {}

    @Get()
    async list(@Req() request: unknown, @Res() response: unknown, @Query(ThreadListQueryPipe) query: ThreadListQuery) {
      this.reply(response, await this.threads.list(request, query));
    }

    @Get(':threadId/messages')
    async messages(@Req() request: unknown, @Res() response: unknown, @Param('threadId', ThreadIdPipe) threadId: string) {
      this.reply(response, await this.threads.messages(request, threadId));
    }

    @Get(':threadId/events')
    async events(@Req() request: unknown, @Res() response: unknown, @Param('threadId', ThreadIdPipe) threadId: string) {
      this.reply(response, { events: await this.threads.events(request, threadId) });
    }

    @Get(':threadId/state')
    async state(@Req() request: unknown, @Res() response: unknown, @Param('threadId', ThreadIdPipe) threadId: string) {
      this.reply(response, await this.threads.state(request, threadId));
    }

    @Patch(':threadId')
    async update(
      @Req() request: unknown,
      @Res() response: unknown,
      @Param('threadId', ThreadIdPipe) threadId: string,
      @Body() body: { name?: unknown; archived?: unknown } = {},
    ) {
      this.reply(response, await this.threads.update(request, threadId, { name: body?.name, archived: body?.archived }));
    }

    @Post(':threadId/archive')
    async archive(@Req() request: unknown, @Res() response: unknown, @Param('threadId', ThreadIdPipe) threadId: string) {
      this.reply(response, await this.threads.update(request, threadId, { archived: true }));
    }

    @Delete(':threadId')
    async delete(@Req() request: unknown, @Res() response: unknown, @Param('threadId', ThreadIdPipe) threadId: string) {
      this.reply(response, await this.threads.delete(request, threadId));
    }

    private reply(response: unknown, body: unknown): void {
      this.adapterHost.httpAdapter.reply(response, body ?? {}, 200);
    }
  }
  markCopilotKitRoutes(CopilotKitThreadsController, path);
  return CopilotKitThreadsController;
}
