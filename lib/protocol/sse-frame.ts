import type { BaseEvent } from '@ag-ui/core';

/**
 * One AG-UI event as one SSE message: a single `data:` line and a blank line, LF only.
 * `JSON.stringify` escapes every line break inside strings, so the JSON can never split the frame;
 * CRLF would break the AG-UI client, which splits on `\n\n` only.
 */
export function formatSseEvent(event: BaseEvent, id?: string): string {
  const data = `data: ${JSON.stringify(event)}\n\n`;
  return id === undefined ? data : `id: ${id}\n${data}`;
}

/** An SSE comment: ignored by every client, but it keeps proxies with idle timeouts from closing. */
export const SSE_HEARTBEAT = ': ping\n\n';

/**
 * Response headers of every event stream. `no-transform` keeps `compression()` from buffering the
 * stream; `X-Accel-Buffering: no` does the same for nginx. (`Connection: keep-alive` is added for
 * HTTP/1 only: HTTP/2 forbids connection-specific headers.)
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
};
