import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { BaseEvent, Message, RunAgentInput } from '@ag-ui/core';
import type { Observable } from 'rxjs';
import { pendingInterrupts, resolveResume } from '../approvals/resume-resolver.js';
import { RunIdTakenException } from '../errors/run-id-taken.exception.js';
import { ThreadBusyException } from '../errors/thread-busy.exception.js';
import { ThreadNotFoundException } from '../errors/thread-not-found.exception.js';
import type { AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import type { CopilotRunActions } from '../interfaces/copilot-run-context.interface.js';
import { withoutAnnouncedInstructions, withoutInstructions } from '../protocol/client-instructions.js';
import type { IdentifiedEvent } from '../protocol/identified-event.js';
import { announcedInput, authoritativeHistory, collectMessageIds, messagesFromEvents } from '../protocol/thread-messages.js';
import type { AgentRunner } from '../runners/agent-runner.js';
import { assertThreadAccess } from '../runners/thread-owner.js';
import { AgentRun } from './agent-run.js';
import type { RunScope } from './run-scope.js';
import { CLIENT_INSTRUCTIONS_DROPPED } from './runtime.messages.js';

export interface RunRequest {
  agentId: string;
  /** This request's own agent instance (already cloned). */
  agent: AgUiAgent;
  /** Validated, with frontend tools that shadow backend actions already dropped. */
  input: RunAgentInput;
  /** Who runs it: the owner of a new thread, checked against an existing one. */
  ownerId?: string;
  /** `authoritative`: earlier turns come from the stored history, the client only adds new messages. */
  history: 'client' | 'authoritative';
  /** The HTTP request that started the run, handed to the agent in its context. */
  request?: unknown;
  /** Builds the backend actions the agent may call, bound to the run. */
  bindActions?: (scope: RunScope) => CopilotRunActions;
  /** Let the client's `system` and `developer` messages reach the agent; by default they are dropped. */
  forwardSystemMessages?: boolean;
  /** After this long the run is ended with RUN_ERROR `RUN_TIMEOUT`; unbounded when absent. */
  maxRunDurationMs?: number;
  /** Called once the run has ended (settled), when the agent is done; must not throw. */
  onSettled?: () => void;
}

/**
 * The one place a run is prepared, whatever the runner: the thread is locked through the runner,
 * then who may continue it, which earlier turns the agent sees and which approvals a resume
 * answers are all decided here from the runner's stored history, never from what the client
 * claims. The runner then only executes, stores and relays the run, so a runner written from
 * scratch cannot skip a check. Throws before any event: 404 for someone else's thread, 409 while
 * it runs or for a run id it used before, 400 for a resume that answers nothing pending.
 */
export class RunPreparation {
  private readonly logger = new Logger(RunPreparation.name);

  async start(runner: AgentRunner, request: RunRequest): Promise<Observable<IdentifiedEvent>> {
    const input = await lockThread(runner, request);
    const { threadId, runId } = input;
    try {
      const { thread, runs } = await runner.threadWithHistory(threadId);
      // Checked again after the lock, whatever the runner did with `ownerId`: only the owner goes on.
      assertThreadAccess(thread, threadId, request.ownerId);
      const history = runs.flatMap((run) => run.events);
      const approvals = resolveResume(pendingInterrupts(history), input.resume);
      const known = new Set<string>();
      collectMessageIds(history, known);
      const agentInput = { ...input, messages: this.agentMessages(request, input, history, known) };
      const run = new AgentRun({
        threadId,
        runId,
        agentId: request.agentId,
        agent: request.agent,
        input: agentInput,
        announcedInput: announcedInput(agentInput, known),
        request: request.request,
        bindActions: request.bindActions,
        approvals,
        maxDurationMs: request.maxRunDurationMs,
      });
      const events = await runner.execute(run);
      if (request.onSettled) void run.settled.then(request.onSettled);
      return events;
    } catch (error) {
      await runner.abandon(threadId, runId).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The messages the agent gets. Unless the app forwards them, system and developer messages from
   * the client are dropped before anything else sees them (history, RUN_STARTED, the store): whoever
   * can call the route could otherwise override the agent's instructions. Server-authoritative
   * history drops those a client sent on earlier runs too, so a thread stored before (or while the
   * option was on) does not keep instructing the model once it is off.
   */
  private agentMessages(request: RunRequest, input: RunAgentInput, history: readonly BaseEvent[], known: ReadonlySet<string>): Message[] {
    const forward = request.forwardSystemMessages === true;
    const client = forward ? { value: input.messages, dropped: 0 } : withoutInstructions(input.messages);
    let dropped = client.dropped;
    let messages = client.value;
    if (request.history === 'authoritative') {
      const stored = forward ? { value: history, dropped: 0 } : withoutAnnouncedInstructions(history);
      dropped += stored.dropped;
      messages = authoritativeHistory(messagesFromEvents(stored.value), known, messages);
    }
    if (dropped > 0) this.logger.warn(CLIENT_INSTRUCTIONS_DROPPED(input.runId, dropped));
    return messages;
  }
}

/** Locks the thread for the run; returns the input it was locked for (a resumed run may get a fresh id). */
async function lockThread(runner: AgentRunner, request: RunRequest): Promise<RunAgentInput> {
  let input = request.input;
  const begin = () => runner.begin({ threadId: input.threadId, runId: input.runId, agentId: request.agentId, ownerId: request.ownerId });
  let begun = await begin();
  if (begun === 'duplicate-run' && input.resume?.length) {
    // CopilotKit's `useInterrupt` resumes with the paused run's own id; a run id names one run of
    // the thread, so the resumed run gets a fresh one (its RUN_STARTED says which).
    input = { ...input, runId: randomUUID() };
    begun = await begin();
  }
  if (begun === 'busy') throw new ThreadBusyException(input.threadId);
  if (begun === 'not-owner') throw new ThreadNotFoundException(input.threadId);
  if (begun === 'duplicate-run') throw new RunIdTakenException(input.threadId, input.runId);
  return input;
}
