import { randomUUID } from 'node:crypto';
import { failure } from '../../actions/action-result.js';
import { readToolArguments } from '../../actions/tool-arguments.js';
import type { ActionSchema } from '../../actions/schema/action-schema.js';
import type { ActionCallResult } from '../../interfaces/copilot-run-context.interface.js';
import { inSpan } from '../../observability/telemetry.js';
import type { ModelTool } from '../adapters/model-adapter.interface.js';
import type { ToolCallRequest } from '../model-turn.js';
import type { McpClientPool } from './mcp-client.pool.js';
import type { McpConnection } from './mcp-connection.js';
import { toToolResult } from './mcp-result.js';
import type { ResolvedMcpServer } from './mcp-server.config.js';
import { describeError } from './mcp-server-health.js';
import { STOPPED_WHILE_RUNNING } from '../../actions/actions.messages.js';
import { MCP_SERVER_LOST_DURING_CALL, MCP_TOOL_FAILED, MCP_TOOL_TIMED_OUT, STOPPED_BEFORE_TOOL } from '../agents.messages.js';

/** One MCP tool offered in a run, with the session it was listed on. */
export interface McpToolEntry {
  tool: ModelTool;
  /** The tool's name on its server. */
  remoteName: string;
  server: ResolvedMcpServer;
  pool: McpClientPool;
  key: string;
  connection: McpConnection;
  schema: ActionSchema;
}

/** JSON-RPC error codes the SDK raises itself: the session closed, or no answer in time. */
const CONNECTION_CLOSED = -32000;
const REQUEST_TIMEOUT = -32001;

/**
 * The MCP tools of one run and how calls to them are answered: like backend actions, every call
 * gets a result (never a throw): arguments parsed and validated before anything is sent, the
 * result as text, failures as `{ "error": ..., "message": ... }`, a stop ends the wait.
 */
export class McpRunTools {
  readonly tools: ModelTool[];
  private readonly entries: Map<string, McpToolEntry>;

  constructor(
    entries: McpToolEntry[],
    private readonly signal: AbortSignal,
  ) {
    this.entries = new Map(entries.map((entry) => [entry.tool.name, entry]));
    this.tools = entries.map((entry) => entry.tool);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * The tool message answering `call`, as the agent loop adds it to the conversation. MCP tools
   * have no approval step (`interrupt` is for backend actions that wait for one).
   */
  async answer(call: ToolCallRequest): Promise<{ id: string; role: 'tool'; toolCallId: string; content: string; interrupt?: undefined }> {
    const entry = this.entries.get(call.name)!;
    const result = await inSpan(
      'copilotkit.mcp.tool',
      { 'copilotkit.mcp.server': entry.server.name, 'copilotkit.mcp.tool': entry.remoteName },
      () => this.execute(entry, call.args),
      (outcome) => ({
        attributes: { 'copilotkit.action.outcome': outcome.status },
        error: outcome.status === 'success' ? undefined : outcome.status,
      }),
    );
    return { id: randomUUID(), role: 'tool', toolCallId: call.id, content: result.content };
  }

  private async execute(entry: McpToolEntry, rawArgs: string): Promise<ActionCallResult> {
    const name = entry.tool.name;
    const validated = await readToolArguments(rawArgs, entry.schema, name);
    if (!validated.ok) return validated.result;
    if (this.signal.aborted) return failure('stopped', STOPPED_BEFORE_TOOL(name));
    try {
      const result = await entry.connection.call(entry.remoteName, validated.value as Record<string, unknown>, this.signal);
      return toToolResult(result, name);
    } catch (error) {
      return this.failed(entry, error);
    }
  }

  private failed(entry: McpToolEntry, error: unknown): ActionCallResult {
    const name = entry.tool.name;
    if (this.signal.aborted) return failure('stopped', STOPPED_WHILE_RUNNING(name));
    const code = (error as { name?: unknown; code?: unknown })?.name === 'McpError' ? (error as { code: number }).code : undefined;
    if (code === REQUEST_TIMEOUT) return failure('failed', MCP_TOOL_TIMED_OUT(name, entry.server.callTimeoutMs));
    // The server answered, with a JSON-RPC error (unknown tool, invalid params): the session is fine.
    if (code !== undefined && code !== CONNECTION_CLOSED) return failure('failed', MCP_TOOL_FAILED(name, describeError(error)));
    entry.pool.fail(entry.key, entry.connection, error);
    return failure('failed', MCP_SERVER_LOST_DURING_CALL(entry.server.name, describeError(error), name));
  }
}
