import type { Context } from '@ag-ui/core';
import { STATE_DELTA_TOOL, STATE_SNAPSHOT_TOOL } from './state-tools.js';

/**
 * The system prompt of a model call: the agent's instructions, then what the application shares
 * with the model (CopilotKit readables arrive as `context`), then the shared state. With the state
 * tools offered, the state is shown even when empty (the model may fill it) and the prompt says how
 * to change it; without them it is shown, when there is one, for the model to read.
 */
export function buildSystemPrompt(
  instructions: string | undefined,
  context: readonly Context[],
  state: unknown,
  stateTools = false,
): string | undefined {
  const sections: string[] = [];
  if (instructions?.trim()) sections.push(instructions.trim());
  if (context.length > 0) {
    sections.push(['## Context from the application', ...context.map((entry) => `${entry.description}:\n${entry.value}`)].join('\n\n'));
  }
  const empty = state === undefined || state === null || (typeof state === 'object' && Object.keys(state).length === 0);
  if (stateTools || !empty) {
    const shown = `## Application state\n\`\`\`json\n${JSON.stringify(state ?? {}, null, 2)}\n\`\`\``;
    sections.push(
      stateTools
        ? `${shown}\n\nThe application shows this state to the user and updates as it changes. To change it, call ${STATE_DELTA_TOOL} ` +
            `with JSON Patch operations, or ${STATE_SNAPSHOT_TOOL} with the complete new state. Change it only when the user's ` +
            `request calls for it, and then tell the user what you changed.`
        : shown,
    );
  }
  return sections.length > 0 ? sections.join('\n\n') : undefined;
}
