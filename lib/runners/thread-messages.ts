import { EventType, type BaseEvent, type RunAgentInput } from '@ag-ui/core';

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
  for (const event of events) {
    const e = event as BaseEvent & Record<string, unknown>;
    if (e.type === EventType.RUN_STARTED) {
      const messages = (e.input as RunAgentInput | undefined)?.messages ?? [];
      for (const message of messages) into.add(message.id);
      continue;
    }
    // An assistant message is identified by its text message id, or by the parent id (or the
    // call id) of a tool call made without text; tool results have their own message id.
    if (typeof e.messageId === 'string') into.add(e.messageId);
    if (typeof e.parentMessageId === 'string') into.add(e.parentMessageId);
    if (e.type === EventType.TOOL_CALL_START && typeof e.toolCallId === 'string') into.add(e.toolCallId);
  }
}
