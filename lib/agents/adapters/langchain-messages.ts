import type { InputContent, Message } from '@ag-ui/core';
import type * as LangChainMessages from '@langchain/core/messages';
import type { BaseMessage, MessageContent } from '@langchain/core/messages';
import type { ModelTool } from './model-adapter.interface.js';
import { argumentsObject, mediaSource, mediaUrl } from './message-parts.js';
import { toolContent } from './openai-messages.js';
import { portableToolCallId } from './portable-tool-call-id.js';

/** A tool as LangChain's `bindTools()` takes it from any provider: the OpenAI function format. */
export interface LangChainToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

type Part = Record<string, unknown>;

let loading: Promise<typeof LangChainMessages> | undefined;

/**
 * `@langchain/core` is an optional peer, so its message classes are loaded on first use (once),
 * never when the package is imported.
 */
export function loadLangChainMessages(): Promise<typeof LangChainMessages> {
  loading ??= import('@langchain/core/messages').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * AG-UI messages as LangChain messages: the system prompt first, system and developer messages
 * as system messages, user parts as text and image parts (what a chat model cannot take becomes a
 * note), assistant tool calls with parsed arguments, and tool results with the id they answer.
 * Reasoning stays out: LangChain models take no reasoning back in a common shape.
 */
export function toLangChainMessages(lc: typeof LangChainMessages, system: string | undefined, messages: readonly Message[]): BaseMessage[] {
  const out: BaseMessage[] = system ? [new lc.SystemMessage(system)] : [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        out.push(new lc.SystemMessage(message.content));
        break;
      case 'user':
        out.push(
          new lc.HumanMessage({
            content: typeof message.content === 'string' ? message.content : (message.content.map(toLangChainPart) as MessageContent),
          }),
        );
        break;
      case 'assistant':
        out.push(
          new lc.AIMessage({
            content: message.content ?? '',
            tool_calls: (message.toolCalls ?? []).map((call) => ({
              id: portableToolCallId(call.id),
              name: call.function.name,
              args: argumentsObject(call.function.arguments),
              type: 'tool_call' as const,
            })),
          }),
        );
        break;
      case 'tool':
        out.push(
          new lc.ToolMessage({
            content: toolContent(message.content, message.error),
            tool_call_id: portableToolCallId(message.toolCallId),
            ...(message.error && { status: 'error' as const }),
          }),
        );
        break;
      default:
        break;
    }
  }
  return out;
}

export function toLangChainTools(tools: readonly ModelTool[]): LangChainToolDefinition[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters as Record<string, unknown> },
  }));
}

/** The OpenAI-style `image_url` part is the one every LangChain chat model integration converts. */
function toLangChainPart(part: InputContent): Part {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const source = mediaSource(part);
  if (part.type !== 'image' || !source || (source.type !== 'data' && source.type !== 'url')) {
    return { type: 'text', text: `[${part.type} omitted: not supported by this model]` };
  }
  return { type: 'image_url', image_url: { url: mediaUrl(source) } };
}
