import { randomUUID } from 'node:crypto';
import { EventType, type BaseEvent, type RunAgentInput } from '@ag-ui/core';
import { isEventObject, KNOWN_EVENT_TYPES, normalizeEvent, type LooseEvent } from './event-normalizer.js';
import { AGENT_ERROR, AGENT_FAILED, STREAM_ENDED_UNFINISHED, TOOL_CALL_RUN_FAILED, TOOL_CALL_STOPPED } from './protocol.messages.js';

/** How a run ended when the agent did not say so itself. */
export type RunEndReason = 'completed' | 'stopped' | 'failed';

/** Why the guard refused an event; reported so the runner can log agent bugs once. */
export type DroppedEventReason =
  'malformed' | 'unknown-type' | 'after-terminal' | 'duplicate-run-started' | 'not-open' | 'already-open' | 'missing-id';

export interface RunEventGuardOptions {
  threadId: string;
  runId: string;
  /** Placed on RUN_STARTED so `connect` replays can rebuild the user's messages (absent when closing a recovered run). */
  input?: RunAgentInput;
  emit: (event: BaseEvent) => void;
  onDrop?: (reason: DroppedEventReason, event: unknown) => void;
}

type ChunkKind = 'text' | 'tool' | 'reasoning';

/** Events that pass through without closing a pending chunk stream, as the AG-UI client does. */
const CHUNK_TRANSPARENT = new Set<string>([
  EventType.RAW,
  EventType.ACTIVITY_SNAPSHOT,
  EventType.ACTIVITY_DELTA,
  EventType.REASONING_ENCRYPTED_VALUE,
  EventType.SUBAGENT_STARTED,
]);

/**
 * Stands between an agent and everyone who reads its run (HTTP streams, history, replay), and
 * makes the stream one that the official clients (0.0.59 and 1.0.0) accept whatever the agent does:
 * RUN_STARTED first with the run's ids and input; chunk events expanded to START/CONTENT/END;
 * CONTENT/ARGS/END only for open ids; everything closed before the terminal event; exactly one
 * terminal event carrying threadId and runId; nothing after it.
 *
 * It is deliberately cheap (a switch and a few Set operations per event) because it sits on the
 * hot path: validation of full event schemas is left to the edges.
 */
export class RunEventGuard {
  private started = false;
  private ended = false;
  private readonly openText = new Set<string>();
  private readonly openTools = new Set<string>();
  private readonly openReasoning = new Set<string>();
  private readonly openSpans = new Set<string>();
  private readonly openSteps = new Set<string>();
  private chunk: { kind: ChunkKind; id: string } | undefined;

  constructor(private readonly options: RunEventGuardOptions) {}

  get isEnded(): boolean {
    return this.ended;
  }

  /** Takes one event from the agent and emits zero or more protocol-valid events. */
  accept(raw: unknown): void {
    if (this.ended) return this.drop('after-terminal', raw);
    if (!isEventObject(raw)) return this.drop('malformed', raw);
    if (!KNOWN_EVENT_TYPES.has(raw.type)) return this.drop('unknown-type', raw);
    // Stored and replayed on every later run of the thread: a snapshot that is no list would break each one.
    if (raw.type === EventType.MESSAGES_SNAPSHOT && !Array.isArray(raw.messages)) return this.drop('malformed', raw);
    const event = normalizeEvent(raw);
    if (event.type === EventType.RUN_STARTED) {
      if (this.started) return this.drop('duplicate-run-started', raw);
      return this.start(event);
    }
    if (!this.started) this.start();

    switch (event.type) {
      case EventType.RUN_FINISHED:
        return this.finish({ ...event, threadId: this.options.threadId, runId: this.options.runId }, 'finished');
      case EventType.RUN_ERROR:
        return this.finish({ ...event, message: typeof event.message === 'string' ? event.message : AGENT_ERROR }, 'error');
      case EventType.TEXT_MESSAGE_CHUNK:
        return this.expandChunk('text', event, 'messageId');
      case EventType.TOOL_CALL_CHUNK:
        return this.expandChunk('tool', event, 'toolCallId');
      case EventType.REASONING_MESSAGE_CHUNK:
        return this.expandChunk('reasoning', event, 'messageId');
    }
    if (!CHUNK_TRANSPARENT.has(event.type)) this.closeChunk();

    switch (event.type) {
      case EventType.TEXT_MESSAGE_START:
        return this.open(this.openText, event.messageId, event);
      case EventType.TEXT_MESSAGE_CONTENT:
        return this.continue(this.openText, event.messageId, event);
      case EventType.TEXT_MESSAGE_END:
        return this.close(this.openText, event.messageId, event);
      case EventType.TOOL_CALL_START:
        return this.open(this.openTools, event.toolCallId, event);
      case EventType.TOOL_CALL_ARGS:
        return this.continue(this.openTools, event.toolCallId, event);
      case EventType.TOOL_CALL_END:
        return this.close(this.openTools, event.toolCallId, event);
      case EventType.REASONING_MESSAGE_START:
        return this.open(this.openReasoning, event.messageId, { ...event, role: 'reasoning' });
      case EventType.REASONING_MESSAGE_CONTENT:
        return this.continue(this.openReasoning, event.messageId, event);
      case EventType.REASONING_MESSAGE_END:
        return this.close(this.openReasoning, event.messageId, event);
      case EventType.REASONING_START:
        return this.open(this.openSpans, event.messageId, event);
      case EventType.REASONING_END:
        return this.close(this.openSpans, event.messageId, event);
      case EventType.STEP_STARTED:
        return this.open(this.openSteps, event.stepName, event);
      case EventType.STEP_FINISHED:
        return this.close(this.openSteps, event.stepName, event);
      case EventType.TOOL_CALL_RESULT:
        return this.options.emit(toolResult(event));
      default:
        return this.options.emit(event);
    }
  }

  /**
   * Ends a run whose agent stopped emitting without a terminal event: closes whatever is open and
   * appends RUN_FINISHED (stopped) or RUN_ERROR (completed without a terminal, or failed).
   */
  end(reason: RunEndReason, message?: string, code?: string): void {
    if (this.ended) return;
    if (!this.started) this.start();
    if (reason === 'stopped') {
      this.finish({ type: EventType.RUN_FINISHED, threadId: this.options.threadId, runId: this.options.runId }, 'stopped');
      return;
    }
    const incomplete = reason === 'completed';
    this.finish(
      {
        type: EventType.RUN_ERROR,
        message: message ?? (incomplete ? STREAM_ENDED_UNFINISHED : AGENT_FAILED),
        code: code ?? (incomplete ? 'INCOMPLETE_STREAM' : 'AGENT_ERROR'),
      },
      'error',
    );
  }

  private start(agentEvent?: LooseEvent): void {
    this.started = true;
    const { threadId, runId } = this.options;
    const input = this.options.input ?? agentEvent?.input;
    this.options.emit({ ...agentEvent, type: EventType.RUN_STARTED, threadId, runId, ...(input && { input }) } as BaseEvent);
  }

  private finish(terminal: LooseEvent, how: 'finished' | 'stopped' | 'error'): void {
    this.closeAll(how);
    this.ended = true;
    this.options.emit(terminal);
  }

  private open(set: Set<string>, id: unknown, event: LooseEvent): void {
    if (typeof id !== 'string') return this.drop('missing-id', event);
    if (set.has(id)) return this.drop('already-open', event);
    set.add(id);
    this.options.emit(event);
  }

  private continue(set: Set<string>, id: unknown, event: LooseEvent): void {
    if (typeof id !== 'string' || !set.has(id)) return this.drop('not-open', event);
    this.options.emit(typeof event.delta === 'string' ? event : { ...event, delta: String(event.delta ?? '') });
  }

  private close(set: Set<string>, id: unknown, event: LooseEvent): void {
    if (typeof id !== 'string' || !set.delete(id)) return this.drop('not-open', event);
    this.options.emit(event);
  }

  /** Expands a *_CHUNK event the way the AG-UI client would, so history holds explicit events. */
  private expandChunk(kind: ChunkKind, event: LooseEvent, idKey: 'messageId' | 'toolCallId'): void {
    const id: unknown = event[idKey];
    const pending = this.chunk;
    const continues = pending?.kind === kind && (id === undefined || id === pending.id);
    if (!continues) {
      this.closeChunk();
      if (typeof id !== 'string') return this.drop('missing-id', event);
      if (kind === 'tool' && typeof event.toolCallName !== 'string') return this.drop('missing-id', event);
      this.chunk = { kind, id };
      this.options.emit(chunkStart(kind, event));
      this.setFor(kind).add(id);
    }
    if (event.delta !== undefined) {
      const current = this.chunk!.id;
      const delta = String(event.delta);
      this.options.emit(
        kind === 'tool'
          ? { type: EventType.TOOL_CALL_ARGS, toolCallId: current, delta }
          : { type: kind === 'text' ? EventType.TEXT_MESSAGE_CONTENT : EventType.REASONING_MESSAGE_CONTENT, messageId: current, delta },
      );
    }
  }

  private closeChunk(): void {
    const pending = this.chunk;
    if (!pending) return;
    this.chunk = undefined;
    if (this.setFor(pending.kind).delete(pending.id)) this.options.emit(endEvent(pending.kind, pending.id));
  }

  private closeAll(how: 'finished' | 'stopped' | 'error'): void {
    this.chunk = undefined;
    for (const id of this.openReasoning) this.options.emit(endEvent('reasoning', id));
    for (const id of this.openSpans) this.options.emit({ type: EventType.REASONING_END, messageId: id } as BaseEvent);
    for (const id of this.openText) this.options.emit(endEvent('text', id));
    for (const id of this.openTools) {
      this.options.emit(endEvent('tool', id));
      // A tool call cut off by a stop or failure gets a result, so that the client does not run a
      // frontend tool the user just stopped, and providers accept the history on the next turn.
      if (how !== 'finished') this.options.emit(interruptedToolResult(id, how));
    }
    for (const name of this.openSteps) this.options.emit({ type: EventType.STEP_FINISHED, stepName: name } as BaseEvent);
    this.openReasoning.clear();
    this.openSpans.clear();
    this.openText.clear();
    this.openTools.clear();
    this.openSteps.clear();
  }

  private setFor(kind: ChunkKind): Set<string> {
    return kind === 'text' ? this.openText : kind === 'tool' ? this.openTools : this.openReasoning;
  }

  private drop(reason: DroppedEventReason, event: unknown): void {
    this.options.onDrop?.(reason, event);
  }
}

function chunkStart(kind: ChunkKind, chunk: LooseEvent): BaseEvent {
  if (kind === 'tool') {
    return {
      type: EventType.TOOL_CALL_START,
      toolCallId: chunk.toolCallId,
      toolCallName: chunk.toolCallName,
      ...(typeof chunk.parentMessageId === 'string' && { parentMessageId: chunk.parentMessageId }),
    } as BaseEvent;
  }
  if (kind === 'reasoning') {
    return { type: EventType.REASONING_MESSAGE_START, messageId: chunk.messageId, role: 'reasoning' } as BaseEvent;
  }
  return {
    type: EventType.TEXT_MESSAGE_START,
    messageId: chunk.messageId,
    role: chunk.role ?? 'assistant',
    ...(typeof chunk.name === 'string' && { name: chunk.name }),
  } as BaseEvent;
}

function endEvent(kind: ChunkKind, id: string): BaseEvent {
  if (kind === 'tool') return { type: EventType.TOOL_CALL_END, toolCallId: id } as BaseEvent;
  const type = kind === 'text' ? EventType.TEXT_MESSAGE_END : EventType.REASONING_MESSAGE_END;
  return { type, messageId: id } as BaseEvent;
}

/** TOOL_CALL_RESULT must carry a string `content` and its own message id for 0.0.x clients. */
function toolResult(event: LooseEvent): BaseEvent {
  if (typeof event.content === 'string' && typeof event.messageId === 'string') return event;
  return {
    ...event,
    messageId: typeof event.messageId === 'string' ? event.messageId : randomUUID(),
    content: typeof event.content === 'string' ? event.content : JSON.stringify(event.content ?? null),
  };
}

function interruptedToolResult(toolCallId: string, how: 'stopped' | 'error'): BaseEvent {
  const content =
    how === 'stopped'
      ? { status: 'stopped', reason: 'stop_requested', message: TOOL_CALL_STOPPED }
      : { status: 'error', reason: 'run_failed', message: TOOL_CALL_RUN_FAILED };
  return {
    type: EventType.TOOL_CALL_RESULT,
    messageId: `${toolCallId}-result`,
    toolCallId,
    role: 'tool',
    content: JSON.stringify(content),
  } as BaseEvent;
}
