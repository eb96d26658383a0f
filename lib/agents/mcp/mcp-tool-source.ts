import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { ModelTool } from '../adapters/model-adapter.interface.js';
import type { CopilotRunActions } from '../../interfaces/copilot-run-context.interface.js';
import { McpClientPool } from './mcp-client.pool.js';
import type { McpConnection, McpTool } from './mcp-connection.js';
import { McpRunTools, type McpToolEntry } from './mcp-run-tools.js';
import { compileToolSchema } from './mcp-tool-schema.js';
import { modelToolName } from './mcp-tool-name.js';
import type { ResolvedMcpServer } from './mcp-server.config.js';
import { describeError } from './mcp-server-health.js';
import { INVALID_RESOLVED_HEADERS, MCP_HEADERS_FAILED, MCP_TOOL_SHADOWED } from '../agents.messages.js';

export type McpAuthorizer = CopilotRunActions['authorize'];

/**
 * The MCP servers of one BuiltInAgent: one connection pool per server, living as long as the
 * agent (the agent is shared by every run), and, per run, the tools the model may call. A server
 * that is down, slow or misconfigured only takes its own tools out of the run; it never fails it.
 */
export class McpToolSource {
  private readonly logger = new Logger(McpToolSource.name);
  private readonly pools = new Map<string, McpClientPool>();
  /** Tool names already reported as hidden by an action of the same name: said once, not per run. */
  private readonly shadowed = new Set<string>();

  /** What a guard's `getHandler()` returns for a server: a function named after it. */
  private readonly handlers = new Map<string, Function>();

  constructor(private readonly servers: ResolvedMcpServer[]) {
    for (const server of servers) {
      this.pools.set(server.name, new McpClientPool(server));
      this.handlers.set(
        server.name,
        Object.defineProperty(() => undefined, 'name', { value: server.name }),
      );
    }
  }

  /**
   * The MCP tools of one run, for the caller of `request`. `taken` are the names of the backend
   * actions offered in this run: an action wins over an MCP tool of the same name (the action is
   * this app's own code, with guards; the tool list is whatever a remote server says today).
   */
  async forRun(request: unknown, taken: ReadonlySet<string>, signal: AbortSignal, authorize?: McpAuthorizer): Promise<McpRunTools> {
    const lists = await Promise.all(
      this.servers.map(async (server) => ((await this.mayUse(server, authorize)) ? this.toolsOf(server, request, taken) : [])),
    );
    return new McpRunTools(lists.flat(), signal);
  }

  /** A server with guards is offered only when they let this caller through (never without a runtime to ask). */
  private async mayUse(server: ResolvedMcpServer, authorize: McpAuthorizer | undefined): Promise<boolean> {
    if (server.guards.length === 0) return true;
    if (!authorize) return false;
    return authorize(server.guards, {
      label: `MCP server '${server.name}'`,
      hostClass: McpToolSource,
      handler: this.handlers.get(server.name)!,
    });
  }

  /** Ends the open sessions; the pools stay, so a later run reconnects. */
  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }

  private async toolsOf(server: ResolvedMcpServer, request: unknown, taken: ReadonlySet<string>): Promise<McpToolEntry[]> {
    const pool = this.pools.get(server.name)!;
    let identity: { headers: Record<string, string>; key: string };
    try {
      identity = await identify(server, request);
    } catch (error) {
      this.logger.warn(MCP_HEADERS_FAILED(server.name, describeError(error)));
      return [];
    }
    const connection = await pool.acquire(identity.key, identity.headers);
    if (!connection) return [];
    let tools: McpTool[];
    try {
      tools = await connection.tools();
    } catch (error) {
      pool.fail(identity.key, connection, error);
      return [];
    }
    return this.entries(server, pool, identity.key, connection, tools, taken);
  }

  private entries(
    server: ResolvedMcpServer,
    pool: McpClientPool,
    key: string,
    connection: McpConnection,
    tools: McpTool[],
    taken: ReadonlySet<string>,
  ): McpToolEntry[] {
    const names = new Set<string>();
    const entries: McpToolEntry[] = [];
    for (const tool of tools) {
      if (typeof tool?.name !== 'string' || (server.tools && !server.tools.has(tool.name))) continue;
      const name = modelToolName(server.name, tool.name, names);
      if (taken.has(name)) {
        if (!this.shadowed.has(name)) {
          this.shadowed.add(name);
          this.logger.warn(MCP_TOOL_SHADOWED(tool.name, server.name, name));
        }
        continue;
      }
      const schema = compileToolSchema(tool.inputSchema, `MCP tool '${tool.name}' of server '${server.name}'`);
      if (!schema) continue;
      names.add(name);
      const description = tool.description || `The '${tool.name}' tool of the ${server.name} MCP server.`;
      const modelTool: ModelTool = { name, description, parameters: schema.jsonSchema };
      entries.push({ tool: modelTool, remoteName: tool.name, server, pool, key, connection, schema });
    }
    return entries;
  }
}

/**
 * The headers for this caller, and the pool key they are used under. Per caller, the key is a
 * hash of the `userKey` and of the header values, never the values themselves: a caller whose
 * token changed gets a new session, and two callers share one only if they send the same
 * credentials.
 */
async function identify(server: ResolvedMcpServer, request: unknown): Promise<{ headers: Record<string, string>; key: string }> {
  const resolved = typeof server.headers === 'function' ? await server.headers(request) : server.headers;
  if (typeof resolved !== 'object' || resolved === null || Object.values(resolved).some((v) => v !== undefined && typeof v !== 'string')) {
    throw new Error(INVALID_RESOLVED_HEADERS);
  }
  const headers = Object.fromEntries(Object.entries(resolved).filter(([, value]) => value !== undefined)) as Record<string, string>;
  if (!server.perUser) return { headers, key: 'shared' };
  const user = server.userKey ? await server.userKey(request) : undefined;
  const canonical = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const key = createHash('sha256')
    .update(JSON.stringify([user ?? null, canonical]))
    .digest('hex');
  return { headers, key };
}
