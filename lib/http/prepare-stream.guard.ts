import { Injectable, type CanActivate, type ExecutionContext, type MessageEvent } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { copilotKitStreamOf, type CopilotKitStreamRoute } from './copilotkit-stream.js';
import { StreamPreparer } from './stream-preparer.js';

type StreamRequest = {
  params: { agentId: string };
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
};

const prepared = new WeakMap<object, Observable<MessageEvent>>();

/**
 * Prepares the stream of an `@Sse()` run, connect or suggest route, as the last of its guards. Nest runs a
 * route's interceptors around its handler without waiting for it, and sends the stream's headers a
 * moment after they subscribe: a refusal the runtime finds later (a thread PostgreSQL says is busy)
 * could then only be an SSE `error` event under a 200. Guards are the last stage Nest waits for
 * before that, so the run is started here, after the app's and the runtime's own guards, and the
 * handler only returns its events.
 */
@Injectable()
export class PrepareStream implements CanActivate {
  constructor(private readonly preparer: StreamPreparer) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<StreamRequest>();
    prepared.set(request, await this.prepare(copilotKitStreamOf(context.getHandler()), request));
    return true;
  }

  private prepare(route: CopilotKitStreamRoute | undefined, request: StreamRequest): Promise<Observable<MessageEvent>> {
    const { agentId } = request.params;
    switch (route) {
      case 'agent/connect':
        return this.preparer.connect(agentId, request.body, request, headerValue(request.headers['last-event-id']));
      case 'agent/suggest':
        return this.preparer.suggest(agentId, request.body, request);
      default:
        return this.preparer.run(agentId, request.body, request);
    }
  }
}

/** The events `PrepareStream` started for this request. */
export function preparedStream(request: object): Observable<MessageEvent> {
  const events = prepared.get(request);
  if (!events) throw new Error('A CopilotKit stream route ran without its PrepareStream guard.');
  prepared.delete(request);
  return events;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
