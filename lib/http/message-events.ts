import { Logger, type MessageEvent } from '@nestjs/common';
import { EventType, type BaseEvent, type RunErrorEvent } from '@ag-ui/core';
import { Observable } from 'rxjs';
import type { IdentifiedEvent } from '../protocol/identified-event.js';
import { EVENT_STREAM_FAILED, EVENT_STREAM_FAILED_LOG, STREAM_EVENT_SERIALIZED_WHOLE } from './http.messages.js';

export interface MessageEventsOptions {
  /** Silence after which a heartbeat comment is sent; 0 disables it. */
  heartbeatMs: number;
  /** Called once if the stream is torn down before it completed: the client left or stopped reading. */
  onClientGone?: () => void;
}

const logger = new Logger('CopilotKitStream');
let warnedWholeSerialization = false;

/**
 * What the stream hands Nest's SSE writer, and so what a host app's interceptors see: a `MessageEvent`
 * whose `data` is the AG-UI event and `id` its position, or a heartbeat (`comment: 'ping'`, a comment
 * every SSE client ignores).
 *
 * Nest's writer serializes an event's `data`, never the event itself. So when `toJSON` runs, something
 * serialized the whole event, nearly always an interceptor that wraps every response
 * (`map(data => ({ data }))`), which turns each frame into one the AG-UI clients reject. No route can
 * skip a global interceptor on its own, so this is where it is noticed, and said once, with the fix.
 */
class StreamEvent implements MessageEvent {
  constructor(
    readonly data: BaseEvent | undefined,
    readonly id?: string,
    readonly comment?: string,
  ) {}

  toJSON(): Record<string, unknown> {
    if (!warnedWholeSerialization) {
      warnedWholeSerialization = true;
      logger.warn(STREAM_EVENT_SERIALIZED_WHOLE);
    }
    return {
      ...(this.id !== undefined && { id: this.id }),
      ...(this.data && { data: this.data }),
      ...(this.comment !== undefined && { comment: this.comment }),
    };
  }
}

const HEARTBEAT = new StreamEvent(undefined, undefined, 'ping');

/**
 * The one mapping from a runner's events to what Nest's SSE writer sends: each AG-UI event as the
 * `data` of a `MessageEvent` with its `id` (so a client resumes with `Last-Event-ID`), and a
 * heartbeat comment after `heartbeatMs` of silence, which keeps proxies from closing idle streams.
 *
 * Ids: an event without one (a custom runner may send some) takes the position of the one before
 * it, so that a reconnect after it resumes from the same place. Before any position, Nest numbers
 * it; a number is not a position, so a resume from it replays from the start, as a first connect does.
 *
 * Errors: runners never error their streams, but a custom one may. Once a stream has started, no
 * exception filter can answer any more, so the client gets a RUN_ERROR frame with a generic message
 * (the AG-UI clients read nothing else) and the log gets the details.
 */
export function toMessageEvents(events: Observable<IdentifiedEvent>, options: MessageEventsOptions): Observable<MessageEvent> {
  return new Observable<MessageEvent>((subscriber) => {
    let position: string | undefined;
    let ended = false;
    const heartbeat =
      options.heartbeatMs > 0
        ? setTimeout(function beat() {
            subscriber.next(HEARTBEAT);
            heartbeat?.refresh();
          }, options.heartbeatMs)
        : undefined;
    heartbeat?.unref();

    const send = (event: BaseEvent, id: string | undefined): void => {
      if (id !== undefined) position = id;
      heartbeat?.refresh();
      subscriber.next(new StreamEvent(event, position));
    };
    const end = (): void => {
      ended = true;
      if (heartbeat) clearTimeout(heartbeat);
    };

    const subscription = events.subscribe({
      next: ({ event, id }) => send(event, id),
      error: (error: unknown) => {
        logger.error(EVENT_STREAM_FAILED_LOG(error instanceof Error ? error.message : String(error)), (error as Error)?.stack);
        const failure: RunErrorEvent = { type: EventType.RUN_ERROR, message: EVENT_STREAM_FAILED, code: 'STREAM_ERROR' };
        send(failure, undefined);
        end();
        subscriber.complete();
      },
      complete: () => {
        end();
        subscriber.complete();
      },
    });
    return () => {
      subscription.unsubscribe();
      if (ended) return;
      end();
      options.onClientGone?.();
    };
  });
}
