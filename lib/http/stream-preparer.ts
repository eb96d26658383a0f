import { Inject, Injectable, Logger, type MessageEvent } from '@nestjs/common';
import { EventType, type RunStartedEvent } from '@ag-ui/core';
import { tap, type Observable } from 'rxjs';
import { COPILOTKIT_OPTIONS } from '../config/copilotkit.constants.js';
import type { ResolvedCopilotKitOptions } from '../config/copilotkit-options.resolver.js';
import { RequestHooks } from '../hooks/request-hooks.js';
import { CopilotRuntime } from '../runtime/copilot-runtime.service.js';
import { toMessageEvents } from './message-events.js';
import { STOP_ON_DISCONNECT_FAILED } from './http.messages.js';

/**
 * Starts what a run, connect or suggestion streams, between the hooks: everything that may refuse the request
 * (hooks, unknown agent, invalid body, busy thread, someone else's thread) happens here, before
 * anything is sent, so that a refusal is an ordinary JSON answer.
 */
@Injectable()
export class StreamPreparer {
  private readonly logger = new Logger(StreamPreparer.name);

  constructor(
    private readonly runtime: CopilotRuntime,
    private readonly hooks: RequestHooks,
    @Inject(COPILOTKIT_OPTIONS) private readonly options: ResolvedCopilotKitOptions,
  ) {}

  run(agentId: string, body: unknown, request: unknown): Promise<Observable<MessageEvent>> {
    return this.hooks.around(
      { method: 'agent/run', agentId },
      request,
      async (current) => {
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
        // Nobody awaits this stop: a runner that fails it (its store down) must not become an unhandled rejection.
        const stop = () =>
          this.runtime.runner
            .stop({ threadId, runId: live })
            .catch((error: unknown) =>
              this.logger.warn(STOP_ON_DISCONNECT_FAILED(live, error instanceof Error ? error.message : String(error))),
            );
        return toMessageEvents(tracked, { heartbeatMs, onClientGone: () => void stop() });
      },
      body,
    );
  }

  /**
   * A suggestion stream: no runner and nothing to reconnect to, so the agent is stopped when the
   * client leaves, whatever `cancelRunOnDisconnect` says about runs.
   */
  suggest(agentId: string, body: unknown, request: unknown): Promise<Observable<MessageEvent>> {
    return this.hooks.around(
      { method: 'agent/suggest', agentId },
      request,
      async (current) => {
        const clientGone = new AbortController();
        const events = await this.runtime.suggestStream(agentId, body, { request, signal: clientGone.signal });
        const { threadId, runId } = body as { threadId: string; runId: string };
        current.streamed(events, { threadId, runId });
        return toMessageEvents(events, { heartbeatMs: this.options.heartbeatMs, onClientGone: () => clientGone.abort() });
      },
      body,
    );
  }

  connect(agentId: string, body: unknown, request: unknown, lastEventId?: string): Promise<Observable<MessageEvent>> {
    return this.hooks.around(
      { method: 'agent/connect', agentId },
      request,
      async (current) => {
        const events = await this.runtime.connectStream(agentId, body, { request, lastEventId });
        current.streamed(events, { threadId: (body as { threadId: string }).threadId });
        return toMessageEvents(events, { heartbeatMs: this.options.heartbeatMs });
      },
      body,
    );
  }
}
