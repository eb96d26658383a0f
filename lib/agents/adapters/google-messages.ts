import type { InputContent, Message } from '@ag-ui/core';
import type { ModelTool } from './model-adapter.interface.js';
import { argumentsObject, mediaSource } from './message-parts.js';
import { toolContent } from './openai-messages.js';

type Part = Record<string, unknown>;
export interface GeminiContent {
  role: 'user' | 'model';
  parts: Part[];
}

/** Marks an id this adapter made up because Gemini gave the call none; such ids are never sent back. */
const LOCAL_ID_PREFIX = 'gemini-call-';
/** Joins a call's id and the thought signature Gemini attached to it (base64 never holds a `~`). */
const SIGNATURE_SEPARATOR = '~ts~';

/**
 * The AG-UI id of a Gemini function call. Gemini 3 rejects a conversation whose function calls
 * come back without the thought signature it gave them, and the id is the one thing about a call
 * that every client keeps and sends back, within a run and across runs (a frontend tool's result
 * arrives in the next request, maybe on another instance). So the signature travels in the id.
 */
export function toToolCallId(geminiId: string | undefined, signature: string | undefined, local: () => string): string {
  const id = geminiId || `${LOCAL_ID_PREFIX}${local()}`;
  return signature ? `${id}${SIGNATURE_SEPARATOR}${signature}` : id;
}

/** What goes back to Gemini for an AG-UI tool call id: its own id (if it gave one) and the signature. */
export function fromToolCallId(toolCallId: string): { id?: string; signature?: string } {
  const at = toolCallId.indexOf(SIGNATURE_SEPARATOR);
  const id = at < 0 ? toolCallId : toolCallId.slice(0, at);
  const signature = at < 0 ? undefined : toolCallId.slice(at + SIGNATURE_SEPARATOR.length);
  return { ...(id && !id.startsWith(LOCAL_ID_PREFIX) && { id }), ...(signature && { signature }) };
}

/**
 * AG-UI messages as Gemini `contents`: system and developer messages join the system
 * instruction, the assistant is the `model` role, tool results become `functionResponse` parts of
 * a user turn (named after the call they answer, which Gemini needs), and consecutive turns of one
 * role are merged (the results of parallel calls must arrive together, in one turn). Reasoning
 * stays out: Gemini takes back only the signatures, which travel with the function calls.
 */
export function toGeminiRequest(
  system: string | undefined,
  messages: readonly Message[],
): { systemInstruction?: { parts: Part[] }; contents: GeminiContent[] } {
  const systemParts = system ? [system] : [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  const push = (role: GeminiContent['role'], parts: Part[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        systemParts.push(message.content);
        break;
      case 'user':
        push('user', typeof message.content === 'string' ? textParts(message.content) : message.content.map(toGeminiPart));
        break;
      case 'assistant': {
        const parts = textParts(message.content ?? '');
        for (const call of message.toolCalls ?? []) {
          callNames.set(call.id, call.function.name);
          const { id, signature } = fromToolCallId(call.id);
          parts.push({
            functionCall: { ...(id && { id }), name: call.function.name, args: argumentsObject(call.function.arguments) },
            ...(signature && { thoughtSignature: signature }),
          });
        }
        push('model', parts);
        break;
      }
      case 'tool': {
        const { id } = fromToolCallId(message.toolCallId);
        const text = toolContent(message.content, message.error);
        push('user', [
          {
            functionResponse: {
              ...(id && { id }),
              name: callNames.get(message.toolCallId) ?? 'unknown',
              response: message.error ? { error: text } : { output: text },
            },
          },
        ]);
        break;
      }
      default:
        break;
    }
  }
  if (contents[0]?.role === 'model') contents.unshift({ role: 'user', parts: [{ text: '(conversation continues)' }] });
  return {
    ...(systemParts.length > 0 && { systemInstruction: { parts: [{ text: systemParts.join('\n\n') }] } }),
    contents,
  };
}

/** JSON Schema as it is: the SDK sends `parametersJsonSchema` unchanged, no OpenAPI subset to translate to. */
export function toGeminiTools(tools: readonly ModelTool[]): Part[] {
  if (tools.length === 0) return [];
  return [
    {
      functionDeclarations: tools.map((tool) => ({
        name: tool.name,
        description: tool.description,
        parametersJsonSchema: tool.parameters,
      })),
    },
  ];
}

/** Gemini rejects empty text parts. */
function textParts(text: string): Part[] {
  return text.trim() ? [{ text }] : [];
}

/** Images, audio, video and documents alike: Gemini takes any of them as inline data or a file URI. */
function toGeminiPart(part: InputContent): Part {
  if (part.type === 'text') return { text: part.text || ' ' };
  const source = mediaSource(part);
  if (!source) return { text: `[${part.type} omitted]` };
  if (source.type === 'data') return { inlineData: { mimeType: source.mimeType, data: source.value } };
  return { fileData: { fileUri: source.value, ...(source.mimeType && { mimeType: source.mimeType }) } };
}
