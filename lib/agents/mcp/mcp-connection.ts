import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { PACKAGE_VERSION } from '../../platform/package-require.cjs';
import type { JsonSchema } from '../../interfaces/copilot-action-options.interface.js';
import type { McpCallResult } from './mcp-result.js';
import type { ResolvedMcpServer } from './mcp-server.config.js';
import { MCP_CONNECT_TIMED_OUT, MCP_CONNECTION_CLOSED, MCP_TERMINATE_TIMED_OUT } from '../agents.messages.js';

/** A tool as the server lists it. */
export interface McpTool {
  name: string;
  description?: string;
  inputSchema: JsonSchema;
}

/** A server that pages its tool list forever must not hang the run. */
const MAX_TOOL_PAGES = 20;
/** Ending a session is a courtesy to the server; shutdown must not wait on a server that is gone. */
const TERMINATE_TIMEOUT_MS = 1_000;

/** The SDK is loaded on first use, so apps whose agents have no MCP server never load it. */
let sdk: Promise<typeof import('./mcp-sdk.js')> | undefined;
const loadSdk = () => (sdk ??= import('./mcp-sdk.js'));

/**
 * One MCP client session with one server, opened with one set of headers. It is reused by every
 * run that resolves to the same pool key; once `broken`, the pool replaces it on the next run.
 */
export class McpConnection {
  private client: Client | undefined;
  private transport: Transport | undefined;
  private listed: { tools: McpTool[]; at: number } | undefined;
  private lost = false;

  constructor(
    private readonly server: ResolvedMcpServer,
    private readonly headers: Record<string, string>,
  ) {}

  /** True once the transport has closed or failed: the session cannot be used any more. */
  get broken(): boolean {
    return this.lost;
  }

  /** Connects and runs the `initialize` handshake, giving up after `connectTimeoutMs`. */
  async open(): Promise<void> {
    const { Client, SSEClientTransport, StreamableHTTPClientTransport } = await loadSdk();
    const client = new Client(
      { name: 'nestjs-copilotkit', version: PACKAGE_VERSION },
      // Only active when the server announces `tools.listChanged`; otherwise the TTL applies.
      { listChanged: { tools: { autoRefresh: false, onChanged: () => (this.listed = undefined) } } },
    );
    const requestInit = { headers: this.headers };
    const transport =
      this.server.transport === 'sse'
        ? new SSEClientTransport(this.server.url, { requestInit })
        : new StreamableHTTPClientTransport(this.server.url, {
            requestInit,
            // The optional GET stream is for server notifications only; do not retry it for long.
            reconnectionOptions: {
              initialReconnectionDelay: 1_000,
              maxReconnectionDelay: 30_000,
              reconnectionDelayGrowFactor: 2,
              maxRetries: 2,
            },
          });
    client.onclose = () => (this.lost = true);
    // Failed requests are reported where they are made. The only other errors are of the
    // background stream: with the SSE transport that stream is the session, so it is lost.
    client.onerror = () => {
      if (this.server.transport === 'sse' && this.client) this.markLost();
    };
    this.transport = transport;
    const timeout = this.server.connectTimeoutMs;
    try {
      await withTimeout(client.connect(transport, { timeout }), timeout, MCP_CONNECT_TIMED_OUT(timeout));
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  /** The server's tools, from cache while fresh (`toolsTtlMs`, or until it says they changed). */
  async tools(): Promise<McpTool[]> {
    if (this.listed && Date.now() - this.listed.at < this.server.toolsTtlMs) return this.listed.tools;
    const client = this.connected();
    const timeout = this.server.connectTimeoutMs;
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const result = await client.listTools(cursor ? { cursor } : undefined, { timeout });
      tools.push(...(result.tools as McpTool[]));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    this.listed = { tools, at: Date.now() };
    return tools;
  }

  /** One `tools/call`; rejects on protocol, transport and timeout errors, and on abort. */
  async call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<McpCallResult> {
    const client = this.connected();
    return (await client.callTool({ name, arguments: args }, undefined, { signal, timeout: this.server.callTimeoutMs })) as McpCallResult;
  }

  /** Marks the session unusable and closes it in the background: the next run opens a new one. */
  markLost(): void {
    if (this.lost && !this.client) return;
    this.lost = true;
    void this.close();
  }

  /** Ends the session on the server (Streamable HTTP `DELETE`) when it answers quickly, then closes. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.lost = true;
    if (!client) return;
    const transport = this.transport as { terminateSession?: () => Promise<void> } | undefined;
    if (typeof transport?.terminateSession === 'function') {
      await withTimeout(transport.terminateSession(), TERMINATE_TIMEOUT_MS, MCP_TERMINATE_TIMED_OUT).catch(() => undefined);
    }
    await client.close().catch(() => undefined);
  }

  private connected(): Client {
    if (!this.client || this.lost) throw new McpConnectionLostError();
    return this.client;
  }
}

/** The session was closed (evicted, shut down, or its transport failed) before or during a call. */
export class McpConnectionLostError extends Error {
  override readonly name = 'McpConnectionLostError';

  constructor() {
    super(MCP_CONNECTION_CLOSED);
  }
}

function withTimeout<T>(pending: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
}
