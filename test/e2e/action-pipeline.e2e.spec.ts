import {
  Catch,
  Injectable,
  UseFilters,
  UseGuards,
  UseInterceptors,
  ValidationPipe,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { IsIn, IsString } from 'class-validator';
import { map, tap, type Observable } from 'rxjs';
import { ActionArgs, BuiltInAgent, CopilotAction, CopilotContext, actionCallOf, isCopilotAction } from '../../lib/index.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { postSse, runInput } from '../fixtures/sse-client.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';

class BookingDto {
  @IsString()
  @IsIn(['blue', 'green', 'taken'])
  room!: string;
}

class RoomTakenError extends Error {}
class DiskFullError extends Error {}

/** An app-wide interceptor, as apps write them for logging: it sees each action call. */
@Injectable()
class CallLog implements NestInterceptor {
  static entries: string[] = [];

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const what = `${context.getType()} ${context.getClass().name}.${context.getHandler().name}`;
    return next.handle().pipe(tap((result) => CallLog.entries.push(`${what} -> ${JSON.stringify(result)}`)));
  }
}

/** A method-level interceptor that rewrites the action's result. */
class ShoutRoom implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((result: { room: string }) => ({ ...result, room: result.room.toUpperCase() })));
  }
}

/** A class-level filter: what it returns is the tool result the model reads. */
@Catch(RoomTakenError)
class RoomTakenFilter implements ExceptionFilter {
  catch(error: RoomTakenError, host: ArgumentsHost) {
    return {
      error: 'room_taken',
      message: error.message,
      thread: isCopilotAction(host) ? actionCallOf(host)?.context.threadId : undefined,
    };
  }
}

/** A global filter written for routes: it answers on the HTTP response, which an action call does not have. */
@Catch(DiskFullError)
class HttpErrorPage implements ExceptionFilter {
  static caught = 0;

  catch(_error: unknown, host: ArgumentsHost) {
    HttpErrorPage.caught++;
    host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>().status(500).json({ oops: true });
  }
}

/** A global catch-all filter that leaves action calls alone, as the README shows. */
@Catch()
class ErrorPage implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost) {
    if (isCopilotAction(host)) throw error;
    host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>().status(500).json({ oops: true });
  }
}

class StaffGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['x-staff'] === 'yes';
  }
}

@Injectable()
@UseFilters(RoomTakenFilter)
class BookingService {
  static cancelled = 0;

  @CopilotAction({ description: 'Book a meeting room' })
  @UseInterceptors(ShoutRoom)
  book(@ActionArgs() booking: BookingDto, @CopilotContext('threadId') threadId: string) {
    if (booking.room === 'taken') throw new RoomTakenError('That room is booked all day.');
    return { room: booking.room, dto: booking instanceof BookingDto, keys: Object.keys(booking), threadId };
  }

  @CopilotAction({ description: 'Reindex the calendar' })
  reindex() {
    throw new DiskFullError('disk full on db-7');
  }

  @CopilotAction({ description: 'Cancel every booking' })
  @UseGuards(StaffGuard)
  cancelAll() {
    BookingService.cancelled++;
    return { cancelled: true };
  }
}

/** Actions called by the built-in agent (on aimock) go through the app's and the method's Nest pipeline. */
describe('an action in Nest’s pipeline', () => {
  const llm = new LlmMock();
  let server: TestApp;

  beforeAll(async () => {
    await llm.start();
    server = await startCopilotKit(
      { agents: { default: new BuiltInAgent({ model: llm.adapter('openai') }) } },
      {
        providers: [
          BookingService,
          { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
          { provide: APP_INTERCEPTOR, useClass: CallLog },
          { provide: APP_FILTER, useClass: ErrorPage },
          { provide: APP_FILTER, useClass: HttpErrorPage },
        ],
      },
    );
  });
  afterAll(async () => {
    await server.close();
    await llm.stop();
  });
  afterEach(() => llm.reset());

  async function callTools(calls: Array<{ name: string; arguments: Record<string, unknown> }>, headers: Record<string, string> = {}) {
    llm.server.on({ userMessage: 'book', hasToolResult: false }, { toolCalls: calls });
    llm.server.on({ userMessage: 'book', hasToolResult: true }, { content: 'Done.' });
    const input = runInput({ text: 'book it' });
    const { events } = await postSse(`${server.url}/agent/default/run`, input, { headers });
    return {
      input,
      results: events.filter((event) => event.type === 'TOOL_CALL_RESULT').map((event) => JSON.parse(event.content)),
      offered: llm.requests()[0]!.body.tools!.map((tool) => tool.function.name),
    };
  }

  it('runs the global and the method interceptors around the call, with the global ValidationPipe on its arguments', async () => {
    CallLog.entries = [];
    const { input, results } = await callTools([{ name: 'book', arguments: { room: 'blue' } }]);
    // transform: true made a BookingDto; ShoutRoom rewrote the result; CallLog saw it on its way out.
    expect(results).toEqual([{ room: 'BLUE', dto: true, keys: ['room'], threadId: input.threadId }]);
    expect(CallLog.entries.filter((entry) => entry.startsWith('copilotkit'))).toEqual([
      `copilotkit BookingService.book -> ${JSON.stringify(results[0])}`,
    ]);
  });

  it('answers a call with properties the DTO does not have with the ValidationPipe’s message (forbidNonWhitelisted), through a catch-all filter that hands action errors back', async () => {
    const { results } = await callTools([{ name: 'book', arguments: { room: 'green', floor: 3 } }]);
    expect(JSON.stringify(results[0])).toMatch(/property floor should not exist/);
  });

  it('lets an exception filter turn the action’s error into the tool result', async () => {
    const { input, results } = await callTools([{ name: 'book', arguments: { room: 'taken' } }]);
    expect(results).toEqual([{ error: 'room_taken', message: 'That room is booked all day.', thread: input.threadId }]);
  });

  it('survives a global filter written for HTTP responses: the call becomes an error result, the run goes on', async () => {
    const { results } = await callTools([{ name: 'reindex', arguments: {} }]);
    expect(HttpErrorPage.caught).toBe(1);
    expect(results).toEqual([{ error: 'failed', message: "The action 'reindex' failed because of an internal error." }]);
  });

  it('keeps a guarded action from the model and from a call it makes anyway; runs it for a caller the guard lets through', async () => {
    const refused = await callTools([{ name: 'cancelAll', arguments: {} }]);
    expect(refused.offered).toEqual(['book', 'reindex']);
    expect(refused.results[0]).toMatchObject({ error: 'unknown_tool' });
    expect(BookingService.cancelled).toBe(0);

    llm.reset();
    const allowed = await callTools([{ name: 'cancelAll', arguments: {} }], { 'x-staff': 'yes' });
    expect(allowed.offered).toEqual(['book', 'reindex', 'cancelAll']);
    expect(allowed.results).toEqual([{ cancelled: true }]);
    expect(BookingService.cancelled).toBe(1);
  });
});
