import { Logger } from '@nestjs/common';
import { EventType, type RunAgentInput } from '@ag-ui/core';
import { map, type Observable } from 'rxjs';
import type { AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import type { CopilotRunActions } from '../interfaces/copilot-run-context.interface.js';
import { withoutInstructions } from '../protocol/client-instructions.js';
import type { IdentifiedEvent } from '../protocol/identified-event.js';
import { AgentRun } from './agent-run.js';
import type { RunScope } from './run-scope.js';
import { CLIENT_INSTRUCTIONS_DROPPED, SUGGESTION_ENDED_BY_SHUTDOWN } from './runtime.messages.js';

export interface SuggestionRequest {
  agentId: string;
  /** This request's own agent instance (already cloned, headers forwarded). */
  agent: AgUiAgent;
  /** Validated, with frontend tools that shadow backend actions already dropped. */
  input: RunAgentInput;
  /** The HTTP request, handed to the agent in its context. */
  request?: unknown;
  /** Builds the backend actions the agent may call, bound to the caller as in a run. */
  bindActions?: (scope: RunScope) => CopilotRunActions;
  /** Let the client's `system` and `developer` messages reach the agent; by default they are dropped. */
  forwardSystemMessages?: boolean;
  /** After this long the run is ended with RUN_ERROR `RUN_TIMEOUT`; unbounded when absent. */
  maxRunDurationMs?: number;
  /** Aborting it stops the agent: the client left, or the caller gave up. */
  signal?: AbortSignal;
  /** Called once the run has ended, when the agent is done; must not throw. */
  onSettled?: () => void;
}

/**
 * The runs `@copilotkit/core`'s suggestion engine asks for (`POST /agent/:agentId/suggest`): the
 * agent, its middleware, the event guard, the backend actions and the time limit of an ordinary
 * run, but no runner. The thread id is one the client made up for this batch; no thread is locked,
 * created, stored, listed or counted against its owner, and nothing can reconnect to the run, so
 * it is stopped as soon as its caller leaves (an ordinary run goes on for `connect`).
 *
 * The agent gets the client's messages as sent: there is no stored history to check them against,
 * and the caller could send the same ones as the first run of a new thread of its own. Its system
 * and developer messages are still dropped as on a run, since those would instruct the model.
 */
export class SuggestionRuns {
  private readonly logger = new Logger(SuggestionRuns.name);
  private readonly live = new Set<AgentRun>();
  private closed = false;

  start(request: SuggestionRequest): Observable<IdentifiedEvent> {
    // A suggestion answers no approval: a `resume` here would let the agent act on one.
    const { resume: _resume, ...asked } = request.input;
    const input: RunAgentInput = { ...asked, messages: this.agentMessages(request) };
    const { threadId, runId } = input;
    const run = new AgentRun({
      threadId,
      runId,
      agentId: request.agentId,
      agent: request.agent,
      input,
      announcedInput: input,
      request: request.request,
      bindActions: request.bindActions,
      maxDurationMs: request.maxRunDurationMs,
      kind: 'suggestion',
    });
    this.live.add(run);
    const onAbort = () => run.stop();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    void run.settled.then(() => {
      this.live.delete(run);
      request.signal?.removeEventListener('abort', onAbort);
      request.onSettled?.();
    });
    run.start();
    if (this.closed) run.abort(SUGGESTION_ENDED_BY_SHUTDOWN, 'SERVER_SHUTDOWN');
    else if (request.signal?.aborted) run.stop();
    return run.stream().pipe(map(withoutAnnouncedInput));
  }

  /**
   * At shutdown, before the HTTP server closes: a suggestion still streaming would hold its
   * connection open, and no runner drains these. They are disposable, so they end at once.
   */
  endAll(): void {
    this.closed = true;
    for (const run of this.live) run.abort(SUGGESTION_ENDED_BY_SHUTDOWN, 'SERVER_SHUTDOWN');
  }

  private agentMessages(request: SuggestionRequest): RunAgentInput['messages'] {
    if (request.forwardSystemMessages === true) return request.input.messages;
    const { value, dropped } = withoutInstructions(request.input.messages);
    if (dropped > 0) this.logger.warn(CLIENT_INSTRUCTIONS_DROPPED(request.input.runId, dropped));
    return value;
  }
}

/**
 * AgentRun puts the input on RUN_STARTED so that `connect` can replay the user's messages; nothing
 * replays a suggestion, and the client already holds every message it sent.
 */
function withoutAnnouncedInput(identified: IdentifiedEvent): IdentifiedEvent {
  if (identified.event.type !== EventType.RUN_STARTED || !('input' in identified.event)) return identified;
  const { input: _announced, ...event } = identified.event as typeof identified.event & { input?: unknown };
  return { ...identified, event };
}
