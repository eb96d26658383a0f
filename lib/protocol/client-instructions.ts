import { EventType, type BaseEvent, type Message, type RunAgentInput } from '@ag-ui/core';

/** The roles through which a message instructs the model instead of talking to it. */
const INSTRUCTION_ROLES: ReadonlySet<string> = new Set(['system', 'developer']);

export interface WithoutInstructions<T> {
  value: T;
  /** How many system and developer messages were left out. */
  dropped: number;
}

/** The messages without their system and developer ones. */
export function withoutInstructions(messages: readonly Message[]): WithoutInstructions<Message[]> {
  const kept = messages.filter((message) => !INSTRUCTION_ROLES.has(message.role));
  return { value: kept, dropped: messages.length - kept.length };
}

/**
 * A thread's stored events with the system and developer messages left out of each RUN_STARTED
 * input. Those inputs are what clients sent (a thread stored before client instructions were
 * dropped, or while they were forwarded), so they go the way of the client's current ones. What
 * the agent itself produced (a MESSAGES_SNAPSHOT, a TEXT_MESSAGE_START with a role) is its own
 * doing and is kept. The stored events are not changed.
 */
export function withoutAnnouncedInstructions(events: readonly BaseEvent[]): WithoutInstructions<BaseEvent[]> {
  let dropped = 0;
  const value = events.map((event) => {
    const input = (event as { input?: RunAgentInput }).input;
    if (event.type !== EventType.RUN_STARTED || !Array.isArray(input?.messages)) return event;
    const messages = withoutInstructions(input.messages);
    if (messages.dropped === 0) return event;
    dropped += messages.dropped;
    return { ...event, input: { ...input, messages: messages.value } } as BaseEvent;
  });
  return { value, dropped };
}
