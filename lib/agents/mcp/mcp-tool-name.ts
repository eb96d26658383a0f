import { createHash } from 'node:crypto';

/** The longest tool name OpenAI and Anthropic accept (see actions/tool-name.ts). */
const MAX = 64;

/**
 * The name the model sees for an MCP tool: `<server>_<tool>`, with characters providers reject
 * (MCP allows '.', '/', spaces, ...) replaced by '_'. Server names contain no '_' (checked at
 * construction), so two servers can never produce the same name; within one server, a name that
 * is taken (two tools sanitizing alike) or too long gets a short hash of the original name, which
 * keeps it stable from one tool listing to the next.
 */
export function modelToolName(server: string, tool: string, taken: ReadonlySet<string>): string {
  const base = `${server}_${tool.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  if (base.length <= MAX && !taken.has(base)) return base;
  const suffix = `_${createHash('sha256').update(tool).digest('hex').slice(0, 8)}`;
  return `${base.slice(0, MAX - suffix.length)}${suffix}`;
}
