import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import { CopilotThreads } from '../runtime/copilot-threads.service.js';

/**
 * The thread routes under `path`, as the CopilotKit client's thread UI calls them, scoped to the
 * caller. Built per `forRoot`, with the same guards as the protocol routes.
 */
export function createThreadsController(path: string, guards: Array<Type<CanActivate> | CanActivate>): Type<unknown> {
  @Controller(`${path}/threads`)
  @UseGuards(...guards)
  class CopilotKitThreadsController {
    constructor(readonly threads: CopilotThreads) {}

    @Get()
    list(@Req() request: unknown, @Query() query: Record<string, string | undefined>) {
      return this.threads.list(request, query);
    }

    @Get(':threadId/messages')
    messages(@Req() request: unknown, @Param('threadId') threadId: string) {
      return this.threads.messages(request, threadId);
    }

    @Get(':threadId/events')
    async events(@Req() request: unknown, @Param('threadId') threadId: string) {
      return { events: await this.threads.events(request, threadId) };
    }

    @Get(':threadId/state')
    state(@Req() request: unknown, @Param('threadId') threadId: string) {
      return this.threads.state(request, threadId);
    }

    @Patch(':threadId')
    update(@Req() request: unknown, @Param('threadId') threadId: string, @Body() body: { name?: unknown; archived?: unknown } = {}) {
      return this.threads.update(request, threadId, { name: body?.name, archived: body?.archived });
    }

    @Post(':threadId/archive')
    @HttpCode(200)
    archive(@Req() request: unknown, @Param('threadId') threadId: string) {
      return this.threads.update(request, threadId, { archived: true });
    }

    @Delete(':threadId')
    delete(@Req() request: unknown, @Param('threadId') threadId: string) {
      return this.threads.delete(request, threadId);
    }
  }
  return CopilotKitThreadsController;
}
