import { randomUUID } from 'node:crypto';
import { EventType, type AssistantMessage, type BaseEvent, type Message, type ToolMessage } from '@ag-ui/core';
import type { ApprovalResolution } from '../approvals/resume-resolver.js';
import type { CopilotRunContext } from '../interfaces/copilot-run-context.interface.js';
import { ACTION_DECLINED, ACTION_NOT_APPROVED } from './agents.messages.js';

/**
 * Applies the user's answers to the calls the previous run paused on: an approved call runs now
 * (with the arguments the server recorded, or the user's allowed edits), a declined or abandoned
 * one gets a result that says so. Each result is streamed against the original tool call, as
 * AG-UI's resume rules ask (no new TOOL_CALL_START), and returned for the conversation.
 */
export async function answerApprovals(context: CopilotRunContext | undefined, emit: (event: BaseEvent) => void): Promise<ToolMessage[]> {
  const results: ToolMessage[] = [];
  for (const approval of context?.approvals ?? []) {
    const content = approval.approved
      ? (await context!.actions.call(approval.action, approval.args, { toolCallId: approval.toolCallId })).content
      : JSON.stringify({ error: approval.decision, message: declinedMessage(approval) });
    const message: ToolMessage = { id: randomUUID(), role: 'tool', toolCallId: approval.toolCallId, content };
    emit({ type: EventType.TOOL_CALL_RESULT, messageId: message.id, toolCallId: message.toolCallId, role: 'tool', content } as BaseEvent);
    results.push(message);
  }
  return results;
}

function declinedMessage(approval: ApprovalResolution): string {
  return approval.decision === 'declined' ? ACTION_DECLINED(approval.action) : ACTION_NOT_APPROVED(approval.action);
}

/**
 * Puts each result right after the assistant message that made the call, replacing whatever
 * result the client sent for it: a client cannot approve by writing a tool message.
 */
export function withApprovalResults(messages: readonly Message[], results: readonly ToolMessage[]): Message[] {
  if (results.length === 0) return [...messages];
  const answered = new Set(results.map((result) => result.toolCallId));
  const out = messages.filter((message) => !(message.role === 'tool' && answered.has(message.toolCallId)));
  for (const result of results) {
    const owner = out.findIndex(
      (message) => message.role === 'assistant' && (message as AssistantMessage).toolCalls?.some((call) => call.id === result.toolCallId),
    );
    if (owner >= 0) out.splice(owner + 1, 0, result);
  }
  return out;
}
