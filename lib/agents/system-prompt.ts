import type { Context } from '@ag-ui/core';

/**
 * The system prompt of a run: the agent's instructions, then what the application shares with the
 * model (CopilotKit readables arrive as `context`), then the shared state.
 */
export function buildSystemPrompt(instructions: string | undefined, context: readonly Context[], state: unknown): string | undefined {
  const sections: string[] = [];
  if (instructions?.trim()) sections.push(instructions.trim());
  if (context.length > 0) {
    sections.push(['## Context from the application', ...context.map((entry) => `${entry.description}:\n${entry.value}`)].join('\n\n'));
  }
  if (state !== undefined && state !== null && !(typeof state === 'object' && Object.keys(state).length === 0)) {
    sections.push(`## Application state\n\`\`\`json\n${JSON.stringify(state, null, 2)}\n\`\`\``);
  }
  return sections.length > 0 ? sections.join('\n\n') : undefined;
}
