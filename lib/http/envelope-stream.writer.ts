import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Inject, Injectable, type MessageEvent } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
// Not exported by Nest's entry point; see the class comment for why it is used all the same.
import { RouterResponseController } from '@nestjs/core/router/router-response-controller.js';
import type { Observable } from 'rxjs';
import { COPILOTKIT_OPTIONS } from '../config/copilotkit.constants.js';
import type { ResolvedCopilotKitOptions } from '../config/copilotkit-options.resolver.js';

/**
 * Writes the streams of the single-route envelope. That route answers JSON or a stream, so it
 * cannot be an `@Sse()` route; its streams go through the writer Nest's `@Sse()` routes use
 * (`RouterResponseController.sse`), with the same headers, disconnect handling and pending-data
 * limit, so that the codebase has one SSE encoding, Nest's. The consumer apps run it on the lowest
 * Nest 11 and 12 releases the package supports and on the latest ones.
 */
@Injectable()
export class EnvelopeStreamWriter {
  private readonly responder: RouterResponseController;

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(COPILOTKIT_OPTIONS) private readonly options: ResolvedCopilotKitOptions,
  ) {
    this.responder = new RouterResponseController(adapterHost.httpAdapter);
  }

  /** Settles when the stream ends; rejects, for the exception filters, only before anything was sent. */
  write(
    events: Observable<MessageEvent>,
    request: IncomingMessage,
    response: ServerResponse,
    headers: OutgoingHttpHeaders | undefined,
  ): Promise<void> {
    // A value, not a function: Nest 11 takes only a value here.
    return this.responder.sse(events, response, request, {
      additionalHeaders: headers,
      statusCode: 200,
      maxPendingDataLength: this.options.maxBufferedBytes,
    });
  }
}
