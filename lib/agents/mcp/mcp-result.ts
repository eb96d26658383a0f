import { failure } from '../../actions/action-result.js';
import type { ActionCallResult } from '../../interfaces/copilot-run-context.interface.js';
import { MCP_TOOL_NO_CONTENT, MCP_TOOL_REPORTED_ERROR } from '../agents.messages.js';

/** An MCP `tools/call` result, as loosely as servers send it (older ones answer with `toolResult`). */
export interface McpCallResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: boolean;
  toolResult?: unknown;
}

type ContentBlock = {
  type?: string;
  text?: string;
  data?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  resource?: { uri?: string; text?: string; blob?: string; mimeType?: string };
};

/** Long enough for any useful answer; a runaway result must not blow the model's context. */
const MAX_CONTENT = 100_000;

/**
 * An MCP result as the tool result the model reads, with the same statuses as a backend action:
 * the text of the content blocks on success, `{ "error": "failed", "message": ... }` when the tool
 * reported an error (`isError`): MCP puts tool errors in the result precisely so that the model
 * can read them and try again, so their text is passed on.
 */
export function toToolResult(result: McpCallResult, toolName: string): ActionCallResult {
  const text = clip(describe(result));
  if (result.isError) return failure('failed', MCP_TOOL_REPORTED_ERROR(toolName, text));
  return { status: 'success', content: text || MCP_TOOL_NO_CONTENT };
}

function describe(result: McpCallResult): string {
  const blocks = Array.isArray(result.content) ? (result.content as ContentBlock[]) : [];
  if (blocks.length > 0) return blocks.map(describeBlock).join('\n');
  // Structured output without a text rendering (the spec asks servers for both, not all comply).
  if (result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  if (result.toolResult !== undefined) return typeof result.toolResult === 'string' ? result.toolResult : JSON.stringify(result.toolResult);
  return '';
}

/**
 * Tool results are text for both providers here, so binary blocks become a short note of what
 * was returned: the model can tell the user, and base64 is never poured into its context.
 */
function describeBlock(block: ContentBlock): string {
  switch (block?.type) {
    case 'text':
      return block.text ?? '';
    case 'image':
    case 'audio':
      return `[${block.type} ${block.mimeType ?? ''}, ${approximateBytes(block.data)} bytes, not shown]`;
    case 'resource': {
      const resource = block.resource ?? {};
      if (typeof resource.text === 'string') return resource.uri ? `[resource ${resource.uri}]\n${resource.text}` : resource.text;
      return `[resource ${resource.uri ?? ''} ${resource.mimeType ?? ''}, ${approximateBytes(resource.blob)} bytes, not shown]`;
    }
    case 'resource_link':
      return `[resource link ${block.uri ?? ''}${block.name ? ` (${block.name})` : ''}]`;
    default:
      return JSON.stringify(block);
  }
}

function approximateBytes(base64: string | undefined): number {
  return base64 ? Math.floor((base64.length * 3) / 4) : 0;
}

function clip(text: string): string {
  return text.length <= MAX_CONTENT ? text : `${text.slice(0, MAX_CONTENT)}\n[truncated: ${text.length - MAX_CONTENT} more characters]`;
}
