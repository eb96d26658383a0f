import { EventType, type AssistantMessage, type BaseEvent, type Message, type RunAgentInput } from '@ag-ui/core';
import type { LooseEvent } from './event-normalizer.js';
import fastJsonPatch, { type Operation } from 'fast-json-patch';

/**
 * The input a run announces on RUN_STARTED: only the messages the thread has not seen before.
 * Clients send the whole history on every run; replaying all of it on every RUN_STARTED would make
 * `connect` streams grow quadratically, while the new messages are exactly what a replay needs.
 */
export function announcedInput(input: RunAgentInput, known: ReadonlySet<string>): RunAgentInput {
  if (known.size === 0) return input;
  return { ...input, messages: input.messages.filter((message) => !known.has(message.id)) };
}

/** Adds to `into` the id of every message a run announced or produced. */
export function collectMessageIds(events: readonly BaseEvent[], into: Set<string>): void {
  for (const event of events as LooseEvent[]) {
    if (event.type === EventType.RUN_STARTED) {
      for (const message of messageList((event.input as { messages?: unknown } | undefined)?.messages)) into.add(message.id);
      continue;
    }
    // An assistant message is identified by its text message id, or by the parent id (or the
    // call id) of a tool call made without text; tool results have their own message id.
    if (typeof event.messageId === 'string') into.add(event.messageId);
    if (typeof event.parentMessageId === 'string') into.add(event.parentMessageId);
    if (event.type === EventType.TOOL_CALL_START && typeof event.toolCallId === 'string') into.add(event.toolCallId);
  }
}

/**
 * The conversation a thread's events describe, built the way the AG-UI client builds it: input
 * messages of each RUN_STARTED, text and reasoning messages, tool calls on their assistant message,
 * tool results right after it, MESSAGES_SNAPSHOT as the new list. Activity messages are left out.
 */
export function messagesFromEvents(events: readonly BaseEvent[]): Message[] {
  const messages: Message[] = [];
  const byId = new Map<string, Message>();
  const add = (message: Message) => {
    messages.push(message);
    byId.set(message.id, message);
  };
  const toolOwner = new Map<string, AssistantMessage>();

  for (const event of events as LooseEvent[]) {
    switch (event.type) {
      case EventType.RUN_STARTED:
        for (const message of messageList((event.input as { messages?: unknown } | undefined)?.messages)) {
          if (!byId.has(message.id) && message.role !== 'activity') add(structuredClone(message));
        }
        break;
      case EventType.TEXT_MESSAGE_START:
        if (!byId.has(event.messageId)) add({ id: event.messageId, role: event.role ?? 'assistant', content: '' } as Message);
        break;
      case EventType.TEXT_MESSAGE_CONTENT:
      case EventType.REASONING_MESSAGE_CONTENT: {
        const message = byId.get(event.messageId) as { content?: unknown } | undefined;
        if (message) message.content = `${typeof message.content === 'string' ? message.content : ''}${event.delta}`;
        break;
      }
      case EventType.REASONING_MESSAGE_START:
        if (!byId.has(event.messageId)) add({ id: event.messageId, role: 'reasoning', content: '' });
        break;
      case EventType.REASONING_ENCRYPTED_VALUE: {
        const message = byId.get(event.entityId) as { encryptedValue?: string } | undefined;
        if (message && event.subtype === 'message') message.encryptedValue = event.encryptedValue;
        break;
      }
      case EventType.TOOL_CALL_START: {
        const parentId: string = typeof event.parentMessageId === 'string' ? event.parentMessageId : event.toolCallId;
        let owner = byId.get(parentId);
        if (!owner || owner.role !== 'assistant') {
          owner = { id: owner ? event.toolCallId : parentId, role: 'assistant' };
          add(owner);
        }
        const assistant = owner as AssistantMessage;
        assistant.toolCalls = [
          ...(assistant.toolCalls ?? []),
          { id: event.toolCallId, type: 'function', function: { name: event.toolCallName, arguments: '' } },
        ];
        toolOwner.set(event.toolCallId, assistant);
        break;
      }
      case EventType.TOOL_CALL_ARGS: {
        const call = toolOwner.get(event.toolCallId)?.toolCalls?.find((c) => c.id === event.toolCallId);
        if (call) call.function.arguments += event.delta;
        break;
      }
      case EventType.TOOL_CALL_RESULT: {
        if (byId.has(event.messageId)) break;
        const result: Message = { id: event.messageId, role: 'tool', toolCallId: event.toolCallId, content: event.content };
        const owner = toolOwner.get(event.toolCallId);
        let at = owner ? messages.indexOf(owner) + 1 : messages.length;
        while (at > 0 && at < messages.length && messages[at].role === 'tool') at++;
        messages.splice(at, 0, result);
        byId.set(result.id, result);
        break;
      }
      case EventType.MESSAGES_SNAPSHOT:
        messages.length = 0;
        byId.clear();
        for (const message of messageList(event.messages)) if (message.role !== 'activity') add(structuredClone(message));
        break;
      default:
        break;
    }
  }
  return messages.filter((message) => !(message.role === 'assistant' && !message.content && !message.toolCalls?.length));
}

/**
 * The messages of a stored list, read defensively: what an agent wrote once is read on every later
 * run of its thread, so a malformed list (missing, not an array, entries without an id) must not
 * make the thread unusable. What cannot be a message is left out.
 */
function messageList(value: unknown): Message[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (message): message is Message =>
      typeof message === 'object' &&
      message !== null &&
      typeof (message as { id?: unknown }).id === 'string' &&
      typeof (message as { role?: unknown }).role === 'string',
  );
}

/**
 * The thread's state: the last snapshot with the deltas after it applied, as a client that saw
 * every event holds it. A delta that does not apply is skipped, as the official clients skip it.
 */
export function stateFromEvents(events: readonly BaseEvent[]): unknown {
  let state: unknown = null;
  for (const event of events as LooseEvent[]) {
    if (event.type === EventType.STATE_SNAPSHOT) state = event.snapshot;
    else if (event.type === EventType.STATE_DELTA && Array.isArray(event.delta)) state = patched(state, event.delta as Operation[]);
  }
  return state;
}

function patched(state: unknown, delta: Operation[]): unknown {
  try {
    // Cloned, validated and applied whole or not at all, as the client applies it.
    return fastJsonPatch.applyPatch(structuredClone(state ?? {}), delta, true, false).newDocument;
  } catch {
    return state;
  }
}

/**
 * Server-authoritative history: the earlier turns come from the store, and the client adds only
 * what a client may add: new user messages, and results of tool calls the store shows as still
 * unanswered (frontend tools). An edited or invented earlier turn, a forged tool result or a
 * fabricated assistant message is ignored. A new thread takes the client's opening messages, minus
 * tool calls and results, which only the server may produce.
 */
export function authoritativeHistory(stored: readonly Message[], known: ReadonlySet<string>, client: readonly Message[]): Message[] {
  const answered = new Set(stored.filter((m) => m.role === 'tool').map((m) => (m as { toolCallId: string }).toolCallId));
  const pending = new Set(
    stored.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []).map((call) => call.id) : [])).filter((id) => !answered.has(id)),
  );
  const fresh = client.filter((message) => !known.has(message.id));
  const added = fresh.flatMap((message): Message[] => {
    if (message.role === 'user') return [message];
    if (message.role === 'tool') return pending.delete(message.toolCallId) ? [message] : [];
    if (stored.length === 0 && (message.role === 'assistant' || message.role === 'system' || message.role === 'developer')) {
      return message.role === 'assistant'
        ? message.content
          ? [{ id: message.id, role: 'assistant', content: message.content }]
          : []
        : [message];
    }
    return [];
  });
  return [...stored, ...added];
}
