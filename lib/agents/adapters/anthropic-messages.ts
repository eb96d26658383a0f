import type { InputContent, Message } from '@ag-ui/core';
import type { ModelTool } from './model-adapter.interface.js';
import { argumentsObject, mediaSource } from './message-parts.js';
import { toolContent } from './openai-messages.js';
import { OPENAI_RESPONSES_REASONING_PREFIX } from './openai-responses-messages.js';
import { portableToolCallId } from './portable-tool-call-id.js';

type Block = Record<string, unknown>;
interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

/**
 * AG-UI messages as Anthropic Messages: system and developer messages join the system prompt,
 * tool results become `tool_result` blocks of a user turn, a reasoning message signed by Anthropic
 * goes back as the thinking block of the assistant turn after it, and consecutive turns of one role
 * are merged (the API requires alternation, and the first turn must be the user's).
 */
export function toAnthropicRequest(
  system: string | undefined,
  messages: readonly Message[],
): { system?: string; messages: AnthropicMessage[] } {
  const systemParts = system ? [system] : [];
  const out: AnthropicMessage[] = [];
  let pendingThinking: Block | undefined;
  const push = (role: AnthropicMessage['role'], content: Block[]) => {
    if (content.length === 0) return;
    const last = out[out.length - 1];
    if (last?.role === role) last.content.push(...content);
    else out.push({ role, content });
  };

  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        systemParts.push(message.content);
        break;
      case 'user':
        push('user', typeof message.content === 'string' ? textBlocks(message.content) : message.content.map(toAnthropicPart));
        break;
      case 'reasoning':
        // Only Anthropic's own signatures: another provider's reasoning (OpenAI's Responses API
        // tags its encrypted items) would make Anthropic refuse the request.
        pendingThinking =
          message.encryptedValue && !message.encryptedValue.startsWith(OPENAI_RESPONSES_REASONING_PREFIX)
            ? { type: 'thinking', thinking: message.content, signature: message.encryptedValue }
            : undefined;
        break;
      case 'assistant': {
        const blocks: Block[] = pendingThinking ? [pendingThinking] : [];
        pendingThinking = undefined;
        blocks.push(...textBlocks(message.content ?? ''));
        for (const call of message.toolCalls ?? []) {
          blocks.push({
            type: 'tool_use',
            id: portableToolCallId(call.id),
            name: call.function.name,
            input: argumentsObject(call.function.arguments),
          });
        }
        push('assistant', blocks);
        break;
      }
      case 'tool':
        push('user', [
          {
            type: 'tool_result',
            tool_use_id: portableToolCallId(message.toolCallId),
            content: toolContent(message.content, message.error),
            ...(message.error && { is_error: true }),
          },
        ]);
        break;
      default:
        break;
    }
  }
  if (out[0]?.role === 'assistant') out.unshift({ role: 'user', content: [{ type: 'text', text: '(conversation continues)' }] });
  return { ...(systemParts.length > 0 && { system: systemParts.join('\n\n') }), messages: out };
}

export function toAnthropicTools(tools: readonly ModelTool[]): Block[] {
  return tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.parameters }));
}

/** Anthropic rejects empty text blocks. */
function textBlocks(text: string): Block[] {
  return text.trim() ? [{ type: 'text', text }] : [];
}

function toAnthropicPart(part: InputContent): Block {
  if (part.type === 'text') return { type: 'text', text: part.text || ' ' };
  const source = mediaSource(part);
  if (!source) return { type: 'text', text: `[${part.type} omitted]` };
  const anthropicSource =
    source.type === 'data' ? { type: 'base64', media_type: source.mimeType, data: source.value } : { type: 'url', url: source.value };
  if (part.type === 'image') return { type: 'image', source: anthropicSource };
  if (part.type === 'document') return { type: 'document', source: anthropicSource };
  return { type: 'text', text: `[${part.type} omitted: not supported by this model]` };
}
