import type { ServerResponse } from 'node:http';
import { Observable } from 'rxjs';

/**
 * Sends each event-loop turn's events in one socket write instead of one write per event.
 *
 * Nest's SSE writer starts an event's write only once the previous one has called back, a tick
 * later. Node's own batching of a chunked response lasts one tick too, so it never catches two
 * events, and each event costs a system call. On loopback, that call also runs the receiving
 * side's TCP stack. An agent emits in bursts: the tokens of one read from the model, a tool result
 * with the next message's start, or a whole replay. So the response is corked from a turn's first
 * event until the event loop's next check phase. By then Nest has written that turn's events, and
 * they leave together.
 *
 * This adds no wait of its own: what is written in a turn leaves at the end of that turn. Node's
 * `end()` uncorks fully, so the last events never wait for the timer. Interceptors still see every
 * event: this wraps what the route returns, and changes only when the bytes leave.
 */
export function coalesceWrites<T>(events: Observable<T>, response: ServerResponse): Observable<T> {
  return new Observable<T>((subscriber) => {
    let corked = false;
    const uncork = () => {
      corked = false;
      response.uncork();
    };
    return events.subscribe({
      next: (value) => {
        if (!corked && !response.writableEnded && !response.destroyed) {
          corked = true;
          response.cork();
          setImmediate(uncork);
        }
        subscriber.next(value);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
  });
}
