import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  RequestMethod,
  Res,
  Sse,
  UseFilters,
  UseGuards,
  type CanActivate,
  type MessageEvent,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { COPILOTKIT_OPTIONS } from '../config/copilotkit.constants.js';
import type { ResolvedCopilotKitOptions } from '../config/copilotkit-options.resolver.js';
import { CopilotRuntime, type StopResult } from '../runtime/copilot-runtime.service.js';
import type { CopilotRequest } from '../hooks/copilot-request.js';
import { RequestHooks } from '../hooks/request-hooks.js';
import { parseSingleRouteEnvelope } from './single-route-envelope.js';
import { decodeBase64Audio, type AudioUpload } from '../transcription/audio-upload.js';
import { readAudio, transcribe } from './transcription.responder.js';
import { addMethodNotAllowedRoutes } from './method-not-allowed.routes.js';
import { markCopilotKitRoutes } from './fastify-routes.js';
import { CopilotKitStream } from './copilotkit-stream.js';
import { EnvelopeStreamWriter } from './envelope-stream.writer.js';
import { coalesceWrites } from './write-coalescing.js';
import { PrepareStream, preparedStream } from './prepare-stream.guard.js';
import { StreamPreparer } from './stream-preparer.js';
import { RunnerUnavailableFilter } from './runner-unavailable.filter.js';
import { STREAM_ROUTES } from './stream-limits.js';
import { StreamConnections } from './stream-connections.js';
import { METHOD_NOT_ALLOWED } from './http.messages.js';
import { ThreadIdPipe } from './thread-params.pipe.js';

/** Express passes Node's objects directly; Fastify wraps them and exposes them as `.raw`. */
type PlatformRequest = IncomingMessage & { raw?: IncomingMessage; headers: IncomingMessage['headers'] };
interface FastifyReplyLike {
  raw: ServerResponse;
  hijack(): void;
  getHeaders(): OutgoingHttpHeaders;
}
type PlatformResponse = ServerResponse | FastifyReplyLike;

/**
 * Builds the controller that serves the CopilotKit v2 protocol under `path`: one class per
 * `forRoot`, so several runtimes can live in one app, each with its own guards.
 *
 * run, suggest and connect are `@Sse()` routes: Nest writes their events, and the app's interceptors see
 * each one (`isCopilotKitStream(context)` tells them apart). The JSON answers go through the HTTP
 * adapter (`@Res()`), because the client reads their exact shape, which an interceptor that wraps
 * responses would change. The single-route envelope answers JSON or a stream from one `@Post()`
 * route, and streams with Nest's own SSE writer (see `EnvelopeStreamWriter`).
 */
export function createCopilotKitController(path: string, guards: Array<Type<CanActivate> | CanActivate>): Type<unknown> {
  @Controller(path)
  @UseGuards(...guards)
  @UseFilters(RunnerUnavailableFilter)
  class CopilotKitController {
    constructor(
      readonly runtime: CopilotRuntime,
      @Inject(COPILOTKIT_OPTIONS) readonly options: ResolvedCopilotKitOptions,
      readonly adapterHost: HttpAdapterHost,
      readonly hooks: RequestHooks,
      readonly envelopeStreams: EnvelopeStreamWriter,
      readonly connections: StreamConnections,
      readonly streams: StreamPreparer,
    ) {}

    @Get('info')
    async info(@Req() request: PlatformRequest, @Res() response: PlatformResponse): Promise<void> {
      this.json(response, await this.hooks.around({ method: 'info' }, request, () => this.runtime.info({ request })));
    }

    @Sse(STREAM_ROUTES.run, { method: RequestMethod.POST })
    @HttpCode(200)
    @CopilotKitStream('agent/run')
    @UseGuards(PrepareStream)
    run(@Req() request: PlatformRequest, @Res({ passthrough: true }) response: PlatformResponse): Observable<MessageEvent> {
      return this.stream(request, response);
    }

    /** Suggestions for `@copilotkit/core`: a run of the agent that no runner keeps (see SuggestionRuns). */
    @Sse(STREAM_ROUTES.suggest, { method: RequestMethod.POST })
    @HttpCode(200)
    @CopilotKitStream('agent/suggest')
    @UseGuards(PrepareStream)
    suggest(@Req() request: PlatformRequest, @Res({ passthrough: true }) response: PlatformResponse): Observable<MessageEvent> {
      return this.stream(request, response);
    }

    @Sse(STREAM_ROUTES.connect, { method: RequestMethod.POST })
    @HttpCode(200)
    @CopilotKitStream('agent/connect')
    @UseGuards(PrepareStream)
    connect(@Req() request: PlatformRequest, @Res({ passthrough: true }) response: PlatformResponse): Observable<MessageEvent> {
      return this.stream(request, response);
    }

    @Post('agent/:agentId/stop/:threadId')
    async stop(
      @Param('agentId') agentId: string,
      @Param('threadId', ThreadIdPipe) threadId: string,
      @Body() body: unknown,
      @Req() request: PlatformRequest,
      @Res() response: PlatformResponse,
    ): Promise<void> {
      const result = await this.hooks.around({ method: 'agent/stop', agentId, threadId }, request, (current) =>
        this.stopRun(agentId, threadId, body, request, current),
      );
      this.json(response, result);
    }

    /**
     * Audio to text for the voice input: `multipart/form-data` with an `audio` file, as the
     * CopilotKit client posts it (JSON `{ audio: base64, mimeType, filename }` is read too).
     * Answers `{ text, size, type }`, or `{ error, message, retryable }`.
     */
    @Post('transcribe')
    async transcribe(@Body() body: unknown, @Req() request: PlatformRequest, @Res() response: PlatformResponse): Promise<void> {
      await this.hooks.around({ method: 'transcribe' }, request, () =>
        this.transcribeAudio(request, response, () => readAudio(request.raw ?? request, body, this.options.maxAudioBytes)),
      );
    }

    /** The single-route transport: `{ method, params, body }` on the mount point itself. */
    @Post()
    async envelope(@Body() payload: unknown, @Req() request: PlatformRequest, @Res() response: PlatformResponse): Promise<void> {
      const call = parseSingleRouteEnvelope(request.headers['content-type'], payload);
      switch (call.method) {
        case 'info':
          // The envelope has no thread routes, so /info must not promise them.
          return this.hooks.around({ method: 'info' }, request, async () =>
            this.json(response, await this.runtime.info({ request }, { threadRoutes: false })),
          );
        case 'agent/run':
          return this.envelopeStream(request, response, await this.streams.run(call.agentId, call.body, request));
        case 'agent/suggest':
          return this.envelopeStream(request, response, await this.streams.suggest(call.agentId, call.body, request));
        case 'agent/connect':
          return this.envelopeStream(request, response, await this.streams.connect(call.agentId, call.body, request));
        case 'agent/stop': {
          const { agentId, threadId } = call;
          return this.hooks.around({ method: 'agent/stop', agentId, threadId }, request, async (current) =>
            this.json(response, await this.stopRun(agentId, threadId, call.body, request, current)),
          );
        }
        case 'transcribe':
          return this.hooks.around({ method: 'transcribe' }, request, () =>
            this.transcribeAudio(request, response, async () => decodeBase64Audio(call.body, this.options.maxAudioBytes)),
          );
      }
    }

    private stopRun(
      agentId: string,
      threadId: string,
      body: unknown,
      request: PlatformRequest,
      current: CopilotRequest,
    ): Promise<StopResult> {
      current.threadId = threadId;
      return this.runtime.stop(agentId, threadId, { runId: runIdOf(body), request });
    }

    /** 503 before the body is read when nothing transcribes; the service's errors are classified. */
    private async transcribeAudio(request: PlatformRequest, response: PlatformResponse, read: () => Promise<AudioUpload>): Promise<void> {
      const raw = rawResponse(response);
      const answer = await transcribe(this.runtime.transcription, read, request, raw, (name, value) =>
        this.adapterHost.httpAdapter.setHeader(response, name, value),
      );
      this.json(response, answer);
    }

    /** What the PrepareStream guard started, sent a turn's events at a time. */
    private stream(request: PlatformRequest, response: PlatformResponse): Observable<MessageEvent> {
      const raw = rawResponse(response);
      this.connections.track(raw);
      return coalesceWrites(preparedStream(request), raw);
    }

    private envelopeStream(request: PlatformRequest, response: PlatformResponse, events: Observable<MessageEvent>): Promise<void> {
      let headers: OutgoingHttpHeaders | undefined;
      if (isFastifyReply(response)) {
        // From here on the raw response is the writer's: Fastify must not send a reply of its own.
        response.hijack();
        headers = response.getHeaders();
      }
      const raw = rawResponse(response);
      this.connections.track(raw);
      return this.envelopeStreams.write(coalesceWrites(events, raw), request.raw ?? request, raw, headers);
    }

    private json(response: PlatformResponse, body: unknown): void {
      this.adapterHost.httpAdapter.reply(response, body, 200);
    }

    methodNotAllowed(response: PlatformResponse, allow: string): void {
      const adapter = this.adapterHost.httpAdapter;
      adapter.setHeader(response, 'Allow', allow);
      adapter.reply(response, { statusCode: 405, error: 'Method Not Allowed', message: METHOD_NOT_ALLOWED(allow) }, 405);
    }
  }
  addMethodNotAllowedRoutes(CopilotKitController, ['info'], 'GET');
  addMethodNotAllowedRoutes(
    CopilotKitController,
    ['/', 'transcribe', ...Object.values(STREAM_ROUTES), 'agent/:agentId/stop/:threadId'],
    'POST',
  );
  markCopilotKitRoutes(CopilotKitController, path);
  return CopilotKitController;
}

function isFastifyReply(response: PlatformResponse): response is FastifyReplyLike {
  return 'raw' in response && typeof (response as FastifyReplyLike).hijack === 'function';
}

function rawResponse(response: PlatformResponse): ServerResponse {
  return 'raw' in response && response.raw ? response.raw : (response as ServerResponse);
}

function runIdOf(body: unknown): string | undefined {
  const runId = (body as { runId?: unknown } | null | undefined)?.runId;
  return typeof runId === 'string' && runId.length > 0 ? runId : undefined;
}
