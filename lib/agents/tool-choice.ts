import type { ModelTool, ModelToolChoice } from './adapters/model-adapter.interface.js';

/**
 * The tool choice a client asks for in `forwardedProps.toolChoice`, in any of the spellings
 * CopilotKit clients send: `'auto' | 'required' | 'none'`, OpenAI's
 * `{ type: 'function', function: { name } }` (what `@copilotkit/core`'s suggestion engine sends),
 * the official BuiltInAgent's `{ type: 'tool', toolName }` and Anthropic's `{ type: 'tool', name }`.
 * A named tool this run does not offer is ignored rather than forwarded: providers reject a
 * choice naming a tool they were not given, and a client must not make a run fail that way.
 */
export function requestedToolChoice(forwardedProps: unknown, tools: readonly ModelTool[]): ModelToolChoice | undefined {
  const choice = (forwardedProps as { toolChoice?: unknown } | null | undefined)?.toolChoice;
  if (choice === 'auto' || choice === 'none') return choice;
  if (tools.length === 0) return undefined;
  if (choice === 'required' || choice === 'any') return 'required';
  if (!choice || typeof choice !== 'object') return undefined;
  const spelled = choice as { type?: unknown; function?: { name?: unknown }; toolName?: unknown; name?: unknown };
  const name = spelled.function?.name ?? spelled.toolName ?? spelled.name;
  if (typeof name !== 'string' || !tools.some((tool) => tool.name === name)) return undefined;
  return { name };
}
