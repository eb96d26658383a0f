import type { InputContent, Message } from '@ag-ui/core';
import type { ModelTool } from './model-adapter.interface.js';
import { mediaSource, mediaUrl } from './message-parts.js';
import { toolContent } from './openai-messages.js';
import { portableToolCallId } from './portable-tool-call-id.js';

type Item = Record<string, unknown>;

/**
 * How a Responses reasoning item travels on an AG-UI reasoning message's `encryptedValue`: its id
 * and encrypted content, tagged so a value another provider signed (Anthropic's thinking
 * signature) is never sent to OpenAI. One response can hold several reasoning items; they are
 * joined by spaces, which neither ids nor base64 contain.
 */
export const OPENAI_RESPONSES_REASONING_PREFIX = 'openai-responses:';

export function encodeReasoningItem(id: string, encryptedContent: string): string {
  return `${OPENAI_RESPONSES_REASONING_PREFIX}${id}:${encryptedContent}`;
}

export function decodeReasoningItems(value: string): Array<{ id: string; encryptedContent: string }> {
  return value
    .split(' ')
    .filter((token) => token.startsWith(OPENAI_RESPONSES_REASONING_PREFIX))
    .map((token) => {
      const rest = token.slice(OPENAI_RESPONSES_REASONING_PREFIX.length);
      const colon = rest.indexOf(':');
      return colon > 0 ? { id: rest.slice(0, colon), encryptedContent: rest.slice(colon + 1) } : { id: '', encryptedContent: '' };
    })
    .filter((item) => item.id && item.encryptedContent);
}

/**
 * AG-UI messages as Responses `input` items (the system prompt goes in `instructions`). Assistant
 * text is `output_text`, each tool call a `function_call` keyed by its `call_id`, each result a
 * `function_call_output`; a reasoning message OpenAI encrypted goes back as its `reasoning` items,
 * so a reasoning model continues from its own reasoning (the API is called with `store: false`,
 * which keeps nothing server-side). Reasoning without OpenAI's encrypted content stays out.
 */
export function toResponsesInput(messages: readonly Message[]): Item[] {
  const out: Item[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        out.push({ type: 'message', role: message.role, content: message.content });
        break;
      case 'user':
        out.push({
          type: 'message',
          role: 'user',
          content: typeof message.content === 'string' ? [{ type: 'input_text', text: message.content }] : message.content.map(toInputPart),
        });
        break;
      case 'reasoning':
        decodeReasoningItems(message.encryptedValue ?? '').forEach(({ id, encryptedContent }, index) =>
          out.push({
            type: 'reasoning',
            id,
            // The text cannot be split back per item; the encrypted content is what the model reads.
            summary: index === 0 && message.content ? [{ type: 'summary_text', text: message.content }] : [],
            encrypted_content: encryptedContent,
          }),
        );
        break;
      case 'assistant':
        if (message.content) {
          out.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: message.content, annotations: [] }] });
        }
        for (const call of message.toolCalls ?? []) {
          out.push({
            type: 'function_call',
            call_id: portableToolCallId(call.id),
            name: call.function.name,
            arguments: call.function.arguments || '{}',
          });
        }
        break;
      case 'tool':
        out.push({
          type: 'function_call_output',
          call_id: portableToolCallId(message.toolCallId),
          output: toolContent(message.content, message.error),
        });
        break;
      default:
        break;
    }
  }
  return out;
}

/** Not strict: the schemas of actions and frontend tools are not written for strict mode's rules. */
export function toResponsesTools(tools: readonly ModelTool[]): Item[] {
  return tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    strict: false,
  }));
}

function toInputPart(part: InputContent): Item {
  if (part.type === 'text') return { type: 'input_text', text: part.text };
  const source = mediaSource(part);
  if (!source) return { type: 'input_text', text: `[${part.type} omitted]` };
  const dataUrl = mediaUrl(source);
  switch (part.type) {
    case 'image':
      return { type: 'input_image', image_url: dataUrl, detail: 'auto' };
    case 'document':
      return source.type === 'data'
        ? { type: 'input_file', file_data: dataUrl, filename: 'document' }
        : { type: 'input_file', file_url: source.value };
    default:
      // The Responses API takes no audio or video input.
      return { type: 'input_text', text: `[${part.type} omitted: not supported by this model]` };
  }
}
