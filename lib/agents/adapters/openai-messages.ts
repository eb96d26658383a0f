import type { InputContent, Message } from '@ag-ui/core';
import type { ModelTool } from './model-adapter.interface.js';
import { TOOL_RESULT_ERROR } from '../agents.messages.js';
import { mediaSource, mediaUrl } from './message-parts.js';
import { portableToolCallId } from './portable-tool-call-id.js';

type Part = Record<string, unknown>;
type ChatMessage = Record<string, unknown>;

/**
 * AG-UI messages as OpenAI Chat Completions messages. `developer` becomes `system` (compatible
 * servers do not all know `developer`); reasoning stays out (Chat Completions takes none back);
 * user parts become text, image, audio and file parts, and what the API cannot take becomes a note.
 */
export function toOpenAIMessages(system: string | undefined, messages: readonly Message[]): ChatMessage[] {
  const out: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        out.push({ role: 'system', content: message.content });
        break;
      case 'user':
        out.push({ role: 'user', content: typeof message.content === 'string' ? message.content : message.content.map(toOpenAIPart) });
        break;
      case 'assistant':
        out.push({
          role: 'assistant',
          content: message.content ?? null,
          ...(message.toolCalls?.length && {
            tool_calls: message.toolCalls.map((call) => ({
              id: portableToolCallId(call.id),
              type: 'function',
              function: { name: call.function.name, arguments: call.function.arguments || '{}' },
            })),
          }),
        });
        break;
      case 'tool':
        out.push({
          role: 'tool',
          tool_call_id: portableToolCallId(message.toolCallId),
          content: toolContent(message.content, message.error),
        });
        break;
      default:
        break;
    }
  }
  return out;
}

export function toOpenAITools(tools: readonly ModelTool[]): Part[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/** Tool results are text for the model; an error is said so explicitly. */
export function toolContent(content: string | InputContent[], error?: string): string {
  const text =
    typeof content === 'string' ? content : content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');
  return error ? TOOL_RESULT_ERROR(error, text) : text;
}

/** Usage and other provider objects without the fields a provider left out (or sent as null). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function toOpenAIPart(part: InputContent): Part {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const source = mediaSource(part);
  if (!source) return { type: 'text', text: `[${part.type} omitted]` };
  const dataUrl = mediaUrl(source);
  switch (part.type) {
    case 'image':
      return { type: 'image_url', image_url: { url: dataUrl } };
    case 'audio': {
      const format = source.mimeType?.split('/')[1];
      if (source.type === 'data' && (format === 'wav' || format === 'mp3' || format === 'mpeg')) {
        return { type: 'input_audio', input_audio: { data: source.value, format: format === 'wav' ? 'wav' : 'mp3' } };
      }
      return { type: 'text', text: '[audio omitted: only wav or mp3 data can be sent to this model]' };
    }
    case 'document':
      return source.type === 'data'
        ? { type: 'file', file: { file_data: dataUrl, filename: 'document' } }
        : { type: 'text', text: `[document: ${source.value}]` };
    default:
      return { type: 'text', text: `[${part.type} omitted: not supported by this model]` };
  }
}
