import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { EventType, type BaseEvent } from '@ag-ui/core';
import type { Observable } from 'rxjs';
import { formatSseEvent, SSE_HEADERS, SSE_HEARTBEAT } from '../protocol/sse-frame.js';
import type { IdentifiedEvent } from '../runners/agent-runner.js';

export interface SseResponseOptions {
  /** Silence after which a heartbeat comment is written; 0 disables it. */
  heartbeatMs: number;
  /** Queued bytes of a client that stopped reading before it is disconnected. */
  maxBufferedBytes: number;
  /** Called once if the client goes away before the stream completed. */
  onClientGone?: () => void;
  /** Headers set on the platform's reply before the stream (Fastify keeps them off the raw response, e.g. CORS). */
  headers?: OutgoingHttpHeaders;
}

const logger = new Logger('CopilotKit');

/**
 * Writes an event Observable to a response as `text/event-stream`, one frame per event with its
 * `id:` (so a client can resume with `Last-Event-ID`), flushed as it comes. The Observable is expected never to error (runners guarantee it); if one does
 * anyway, the client gets a RUN_ERROR frame with a generic message, never the error's text.
 * A client that goes away only unsubscribes this reader: writes stop, nothing throws.
 *
 * Works on the raw Node response, so it serves Express and Fastify (`reply.raw`) alike.
 */
export function sendSseResponse(
  request: IncomingMessage,
  response: ServerResponse,
  events: Observable<IdentifiedEvent>,
  options: SseResponseOptions,
): void {
  let finished = false;
  if (response.destroyed || response.writableEnded) {
    options.onClientGone?.();
    return;
  }
  const headers: OutgoingHttpHeaders = { ...options.headers, ...SSE_HEADERS };
  if (request.httpVersionMajor < 2) headers.Connection = 'keep-alive';
  response.writeHead(200, headers);
  response.flushHeaders();

  const heartbeat =
    options.heartbeatMs > 0 ? setTimeout(function ping() {
      write(SSE_HEARTBEAT);
    }, options.heartbeatMs) : undefined;

  function write(chunk: string): void {
    if (finished || response.destroyed) return;
    response.write(chunk);
    heartbeat?.refresh();
    if (response.writableLength > options.maxBufferedBytes) {
      logger.warn(
        `An SSE client stopped reading (${response.writableLength} bytes queued); disconnecting it. The run continues and can be replayed with connect.`,
      );
      response.destroy();
    }
  }

  function finish(): void {
    if (finished) return;
    finished = true;
    if (heartbeat) clearTimeout(heartbeat);
    if (!response.destroyed && !response.writableEnded) response.end();
  }

  // Errors on a socket the client already closed are expected; they must not become crashes.
  response.on('error', (error) => logger.debug(`SSE response error: ${error.message}`));
  response.on('close', () => {
    if (finished) return;
    finish();
    subscription?.unsubscribe();
    options.onClientGone?.();
  });

  const subscription = events.subscribe({
    next: ({ event, id }) => write(formatSseEvent(event, id)),
    error: (error: unknown) => {
      logger.error(`Event stream failed: ${error instanceof Error ? error.message : String(error)}`, (error as Error)?.stack);
      write(formatSseEvent({ type: EventType.RUN_ERROR, message: 'The event stream failed.', code: 'STREAM_ERROR' } as BaseEvent));
      finish();
    },
    complete: finish,
  });
  if (finished) subscription.unsubscribe();
}
