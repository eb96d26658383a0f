import type { AssistantMessage, Message, ToolMessage } from '@ag-ui/core';
import { TOOL_CALL_UNANSWERED } from './agents.messages.js';

const UNANSWERED = JSON.stringify({ status: 'no_result', message: TOOL_CALL_UNANSWERED });

/**
 * Makes a client-sent history one that providers accept, instead of failing the run: drops
 * messages the model never sees (activity) and empty assistant turns, drops tool results that
 * answer no call, moves each result right after the assistant message that made the call, and
 * answers calls that never got a result. Frontend tools answered in the next run are normal here:
 * their results arrive later in the list and are moved into place.
 */
export function repairHistory(messages: readonly Message[]): Message[] {
  const calls = new Set<string>();
  for (const message of messages) {
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) calls.add(call.id);
  }
  const results = new Map<string, ToolMessage>();
  for (const message of messages) {
    if (message.role === 'tool' && calls.has(message.toolCallId) && !results.has(message.toolCallId)) {
      results.set(message.toolCallId, message);
    }
  }

  const repaired: Message[] = [];
  for (const message of messages) {
    if (message.role === 'activity' || message.role === 'tool') continue;
    if (message.role === 'assistant') {
      const assistant = message as AssistantMessage;
      const toolCalls = assistant.toolCalls ?? [];
      if (!assistant.content && toolCalls.length === 0) continue;
      repaired.push(assistant);
      for (const call of toolCalls) {
        repaired.push(results.get(call.id) ?? { id: `${call.id}-unanswered`, role: 'tool', toolCallId: call.id, content: UNANSWERED });
      }
      continue;
    }
    repaired.push(message);
  }
  return repaired;
}
