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
  UseGuards,
  type CanActivate,
  type MessageEvent,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { EventType, type RunStartedEvent } from '@ag-ui/core';
import { tap, type Observable } from 'rxjs';
import { COPILOTKIT_OPTIONS } from '../config/copilotkit.constants.js';
import type { ResolvedCopilotKitOptions } from '../config/copilotkit-options.resolver.js';
import { CopilotRuntime, type StopResult } from '../runtime/copilot-runtime.service.js';
import type { CopilotRequest } from '../hooks/copilot-request.js';
import type { CopilotRoute } from '../hooks/copilotkit-hooks.interface.js';
import { RequestHooks } from '../hooks/request-hooks.js';
import { parseSingleRouteEnvelope } from './single-route-envelope.js';
import { decodeBase64Audio, type AudioUpload } from '../transcription/audio-upload.js';
import { readAudio, transcribe } from './transcription.responder.js';
import { addMethodNotAllowedRoutes } from './method-not-allowed.routes.js';
import { markCopilotKitRoutes } from './fastify-routes.js';
import { CopilotKitStream } from './copilotkit-stream.js';
import { EnvelopeStreamWriter } from './envelope-stream.writer.js';
import { toMessageEvents } from './message-events.js';
import { STREAM_ROUTES } from './stream-limits.js';
import { StreamConnections } from './stream-connections.js';

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
 * run and connect are `@Sse()` routes: Nest writes their events, and the app's interceptors see
 * each one (`isCopilotKitStream(context)` tells them apart). The JSON answers go through the HTTP
 * adapter (`@Res()`), because the client reads their exact shape, which an interceptor that wraps
 * responses would change. The single-route envelope answers JSON or a stream from one `@Post()`
 * route, and streams with Nest's own SSE writer (see `EnvelopeStreamWriter`).
 */
export function createCopilotKitController(path: string, guards: Array<Type<CanActivate> | CanActivate>): Type<unknown> {
  @Controller(path)
  @UseGuards(...guards)
  class CopilotKitController {
    constructor(
      readonly runtime: CopilotRuntime,
      @Inject(COPILOTKIT_OPTIONS) readonly options: ResolvedCopilotKitOptions,
      readonly adapterHost: HttpAdapterHost,
      readonly hooks: RequestHooks,
      readonly envelopeStreams: EnvelopeStreamWriter,
      readonly connections: StreamConnections,
    ) {}

    @Get('info')
    async info(@Req() request: PlatformRequest, @Res() response: PlatformResponse): Promise<void> {
      this.json(response, await this.hooked({ method: 'info' }, request, () => this.runtime.info({ request })));
    }

    @Sse(STREAM_ROUTES.run, { method: RequestMethod.POST })
    @HttpCode(200)
    @CopilotKitStream()
    run(
      @Param('agentId') agentId: string,
      @Body() body: unknown,
      @Req() request: PlatformRequest,
      @Res({ passthrough: true }) response: PlatformResponse,
    ): Promise<Observable<MessageEvent>> {
      this.connections.track(rawResponse(response));
      return this.hooked({ method: 'agent/run', agentId }, request, (current) => this.runEvents(agentId, body, request, current), body);
    }

    @Sse(STREAM_ROUTES.connect, { method: RequestMethod.POST })
    @HttpCode(200)
    @CopilotKitStream()
    connect(
      @Param('agentId') agentId: string,
      @Body() body: unknown,
      @Req() request: PlatformRequest,
      @Res({ passthrough: true }) response: PlatformResponse,
    ): Promise<Observable<MessageEvent>> {
      this.connections.track(rawResponse(response));
      const lastEventId = headerValue(request.headers['last-event-id']);
      return this.hooked(
        { method: 'agent/connect', agentId },
        request,
        (current) => this.connectEvents(agentId, body, request, current, lastEventId),
        body,
      );
    }

    @Post('agent/:agentId/stop/:threadId')
    async stop(
      @Param('agentId') agentId: string,
      @Param('threadId') threadId: string,
      @Body() body: unknown,
      @Req() request: PlatformRequest,
      @Res() response: PlatformResponse,
    ): Promise<void> {
      const result = await this.hooked({ method: 'agent/stop', agentId, threadId }, request, (current) =>
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
      await this.hooked({ method: 'transcribe' }, request, () =>
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
          return this.hooked({ method: 'info' }, request, async () =>
            this.json(response, await this.runtime.info({ request }, { threadRoutes: false })),
          );
        case 'agent/run': {
          const events = await this.hooked(
            { method: 'agent/run', agentId: call.agentId },
            request,
            (current) => this.runEvents(call.agentId, call.body, request, current),
            call.body,
          );
          return this.envelopeStream(request, response, events);
        }
        case 'agent/connect': {
          const events = await this.hooked(
            { method: 'agent/connect', agentId: call.agentId },
            request,
            (current) => this.connectEvents(call.agentId, call.body, request, current),
            call.body,
          );
          return this.envelopeStream(request, response, events);
        }
        case 'agent/stop': {
          const { agentId, threadId } = call;
          return this.hooked({ method: 'agent/stop', agentId, threadId }, request, async (current) =>
            this.json(response, await this.stopRun(agentId, threadId, call.body, request, current)),
          );
        }
        case 'transcribe':
          return this.hooked({ method: 'transcribe' }, request, () =>
            this.transcribeAudio(request, response, async () => decodeBase64Audio(call.body, this.options.maxAudioBytes)),
          );
      }
    }

    /** Runs `handler` between the hooks: before-hooks may refuse; after-hooks see how it went. */
    private async hooked<T>(
      route: CopilotRoute,
      request: PlatformRequest,
      handler: (current: CopilotRequest) => Promise<T>,
      body?: unknown,
    ): Promise<T> {
      // The ids the client sent, so a refused or invalid run is still attributable.
      const current = await this.hooks.begin(route, request, idsOf(body));
      try {
        const result = await handler(current);
        this.hooks.end(current);
        return result;
      } catch (error) {
        this.hooks.end(current, error);
        throw error;
      }
    }

    private async runEvents(
      agentId: string,
      body: unknown,
      request: PlatformRequest,
      current: CopilotRequest,
    ): Promise<Observable<MessageEvent>> {
      const events = await this.runtime.runStream(agentId, body, { request });
      const { threadId, runId } = body as { threadId: string; runId: string };
      current.streamed(events, { threadId, runId });
      const { heartbeatMs } = this.options;
      if (!this.options.cancelRunOnDisconnect) return toMessageEvents(events, { heartbeatMs });
      // A resumed approval may run under a fresh id (see the runner): stop the run this stream carries.
      let live = runId;
      const tracked = events.pipe(
        tap(({ event }) => {
          if (event.type === EventType.RUN_STARTED) live = (event as RunStartedEvent).runId;
        }),
      );
      return toMessageEvents(tracked, { heartbeatMs, onClientGone: () => void this.runtime.runner.stop({ threadId, runId: live }) });
    }

    private async connectEvents(
      agentId: string,
      body: unknown,
      request: PlatformRequest,
      current: CopilotRequest,
      lastEventId?: string,
    ): Promise<Observable<MessageEvent>> {
      const events = await this.runtime.connectStream(agentId, body, { request, lastEventId });
      current.streamed(events, { threadId: (body as { threadId: string }).threadId });
      return toMessageEvents(events, { heartbeatMs: this.options.heartbeatMs });
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

    private envelopeStream(request: PlatformRequest, response: PlatformResponse, events: Observable<MessageEvent>): Promise<void> {
      let headers: OutgoingHttpHeaders | undefined;
      if (isFastifyReply(response)) {
        // From here on the raw response is the writer's: Fastify must not send a reply of its own.
        response.hijack();
        headers = response.getHeaders();
      }
      this.connections.track(rawResponse(response));
      return this.envelopeStreams.write(events, request.raw ?? request, rawResponse(response), headers);
    }

    private json(response: PlatformResponse, body: unknown): void {
      this.adapterHost.httpAdapter.reply(response, body, 200);
    }

    methodNotAllowed(response: PlatformResponse, allow: string): void {
      const adapter = this.adapterHost.httpAdapter;
      adapter.setHeader(response, 'Allow', allow);
      adapter.reply(response, { statusCode: 405, error: 'Method Not Allowed', message: `Use ${allow} on this route.` }, 405);
    }
  }
  addMethodNotAllowedRoutes(CopilotKitController, ['info'], 'GET');
  addMethodNotAllowedRoutes(
    CopilotKitController,
    ['/', 'transcribe', 'agent/:agentId/run', 'agent/:agentId/connect', 'agent/:agentId/stop/:threadId'],
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

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function runIdOf(body: unknown): string | undefined {
  const runId = (body as { runId?: unknown } | null | undefined)?.runId;
  return typeof runId === 'string' && runId.length > 0 ? runId : undefined;
}

function idsOf(body: unknown): { threadId?: string; runId?: string } {
  const { threadId, runId } = (body ?? {}) as { threadId?: unknown; runId?: unknown };
  return { ...(typeof threadId === 'string' && { threadId }), ...(typeof runId === 'string' && { runId }) };
}
