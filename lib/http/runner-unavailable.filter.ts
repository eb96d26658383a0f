import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RunnerUnavailableException } from '../runners/runner-unavailable.exception.js';

/**
 * Answers a RunnerUnavailableException as Nest's own filter would (the exception's JSON body, 503),
 * plus the `Retry-After` header it carries, which Nest's filter cannot send. An interceptor could
 * add the header too, but an interceptor on an `@Sse()` route makes Nest send the stream's headers
 * before a slow error arrives, so the 503 (and every other refusal) would become an SSE error event.
 */
@Catch(RunnerUnavailableException)
export class RunnerUnavailableFilter implements ExceptionFilter<RunnerUnavailableException> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: RunnerUnavailableException, host: ArgumentsHost): void {
    const response: unknown = host.switchToHttp().getResponse();
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(response)) return void adapter.end(response);
    adapter.setHeader(response, 'Retry-After', String(exception.retryAfterSeconds));
    adapter.reply(response, exception.getResponse(), exception.getStatus());
  }
}
