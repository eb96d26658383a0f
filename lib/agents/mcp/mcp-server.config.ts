import type { CanActivate, Type } from '@nestjs/common';
import { CopilotKitConfigurationError } from '../../errors/copilotkit-configuration.error.js';
import { isInstalled } from '../../platform/package-require.cjs';
import {
  DUPLICATE_MCP_SERVER_NAME,
  INVALID_MCP_GUARDS,
  INVALID_MCP_HEADERS,
  INVALID_MCP_NUMBER,
  INVALID_MCP_SERVER_NAME,
  INVALID_MCP_TOOLS,
  INVALID_MCP_TRANSPORT,
  INVALID_MCP_URL,
  INVALID_MCP_USER_KEY,
  MCP_SERVER_NOT_AN_OBJECT,
  MCP_SERVERS_NOT_AN_ARRAY,
  MISSING_MCP_SDK,
  PER_USER_WITHOUT_KEY,
  SHARED_PER_CALLER_HEADERS,
} from '../agents.messages.js';

/**
 * Headers computed per run from the caller's HTTP request, e.g. to pass on the caller's own token.
 * A header whose value is `undefined` (the caller sent none) is left out.
 */
export type McpHeadersResolver = (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's own request type, e.g. `(req) => req.user`
  request: any,
) => Record<string, string | undefined> | Promise<Record<string, string | undefined>>;

/** An MCP server whose tools the built-in agent offers to the model, next to the backend actions. */
export interface McpServerConfig {
  /**
   * Prefix of the server's tools as the model sees them (`<name>_<tool>`), and its name in logs.
   * Letters, digits and '-', at most 32 characters: no '_', so a prefix can never be ambiguous.
   */
  name: string;
  /** The server's endpoint, http(s). */
  url: string;
  /** `'http'` (default): Streamable HTTP. `'sse'`: the older HTTP+SSE transport. */
  transport?: 'http' | 'sse';
  /**
   * Sent with every request to the server. A function is called once per run with the caller's
   * request, and connections are then kept per caller: one caller's token never serves another.
   */
  headers?: Record<string, string> | McpHeadersResolver;
  /** Names of the server's tools (as the server names them) to offer; default all. */
  tools?: string[];
  /**
   * One connection per caller rather than one for everyone. On by default when `headers` is a
   * function; with static headers it needs `userKey`, since nothing else tells callers apart.
   */
  perUser?: boolean;
  /** Tells callers apart for `perUser`, e.g. `(req) => req.user?.id`. Combined with the headers' hash. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's own request type
  userKey?: (request: any) => string | undefined | Promise<string | undefined>;
  /** Most connections kept open for this server when pooled per caller; the least recently used is closed. Default 100. */
  maxConnections?: number;
  /** How long connecting and listing tools may take before the run goes on without them. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** How long one tool call may take. Default 60000 ms. */
  callTimeoutMs?: number;
  /** How long a tool list is reused before it is fetched again (sooner on `tools/list_changed`). Default 60000 ms. */
  toolsTtlMs?: number;
  /**
   * Nest guards deciding, per caller, whether the server's tools are offered at all (as
   * `@UseGuards()` does for an action); classes are built with the module's DI.
   */
  guards?: Array<Type<CanActivate> | CanActivate>;
}

/** A config after validation, with every default filled in. */
export interface ResolvedMcpServer {
  name: string;
  url: URL;
  transport: 'http' | 'sse';
  headers: Record<string, string> | McpHeadersResolver;
  tools: ReadonlySet<string> | undefined;
  perUser: boolean;
  userKey: McpServerConfig['userKey'];
  maxConnections: number;
  connectTimeoutMs: number;
  callTimeoutMs: number;
  toolsTtlMs: number;
  guards: Array<Type<CanActivate> | CanActivate>;
}

const SERVER_NAME = /^[A-Za-z0-9-]{1,32}$/;

/**
 * Checks every server when the agent is built, so a typo stops the app at boot with a message
 * naming the server and the field, instead of tools silently missing at run time.
 */
export function resolveMcpServers(servers: unknown, label: string): ResolvedMcpServer[] {
  if (!Array.isArray(servers)) throw new CopilotKitConfigurationError(MCP_SERVERS_NOT_AN_ARRAY(label));
  const problems: string[] = [];
  const names = new Set<string>();
  const resolved = servers.map((server: McpServerConfig, index) => {
    const where = `${label}: mcpServers[${index}]${typeof server?.name === 'string' ? ` ('${server.name}')` : ''}`;
    const problem = (message: string) => problems.push(`${where}: ${message}`);
    if (typeof server !== 'object' || server === null) {
      problem(MCP_SERVER_NOT_AN_OBJECT);
      return undefined;
    }
    if (typeof server.name !== 'string' || !SERVER_NAME.test(server.name)) {
      problem(INVALID_MCP_SERVER_NAME(server.name));
    } else if (names.has(server.name)) {
      problem(DUPLICATE_MCP_SERVER_NAME(server.name));
    } else {
      names.add(server.name);
    }
    const url = parseUrl(server.url);
    if (!url) problem(INVALID_MCP_URL);
    const transport = server.transport ?? 'http';
    if (transport !== 'http' && transport !== 'sse') problem(INVALID_MCP_TRANSPORT(server.transport));
    const headers = server.headers ?? {};
    const dynamic = typeof headers === 'function';
    if (!dynamic && !isStringRecord(headers)) problem(INVALID_MCP_HEADERS);
    if (server.tools !== undefined && !(Array.isArray(server.tools) && server.tools.every((t) => typeof t === 'string' && t.length > 0))) {
      problem(INVALID_MCP_TOOLS);
    }
    if (server.userKey !== undefined && typeof server.userKey !== 'function') problem(INVALID_MCP_USER_KEY);
    const perUser = server.perUser ?? (dynamic || server.userKey !== undefined);
    if (server.perUser === false && dynamic) {
      // A shared connection would keep sending the headers of whichever caller opened it.
      problem(SHARED_PER_CALLER_HEADERS);
    }
    if (server.perUser === true && !dynamic && server.userKey === undefined) {
      problem(PER_USER_WITHOUT_KEY);
    }
    const guards = server.guards ?? [];
    if (
      !Array.isArray(guards) ||
      !guards.every((guard) => typeof guard === 'function' || typeof (guard as CanActivate)?.canActivate === 'function')
    ) {
      problem(INVALID_MCP_GUARDS);
    }
    const number = (field: 'maxConnections' | 'connectTimeoutMs' | 'callTimeoutMs' | 'toolsTtlMs', fallback: number) => {
      const value = server[field] ?? fallback;
      if (!Number.isSafeInteger(value) || (value as number) < 1) problem(INVALID_MCP_NUMBER(field, server[field]));
      return value as number;
    };
    return {
      name: server.name,
      url: url!,
      transport,
      headers,
      tools: server.tools ? new Set(server.tools) : undefined,
      perUser,
      userKey: server.userKey,
      maxConnections: number('maxConnections', 100),
      connectTimeoutMs: number('connectTimeoutMs', 5_000),
      callTimeoutMs: number('callTimeoutMs', 60_000),
      toolsTtlMs: number('toolsTtlMs', 60_000),
      guards: server.guards ?? [],
    };
  });
  if (resolved.length > 0 && !isInstalled('@modelcontextprotocol/sdk/client/index.js')) {
    problems.push(MISSING_MCP_SDK(label));
  }
  if (problems.length > 0) throw new CopilotKitConfigurationError(problems);
  return resolved as ResolvedMcpServer[];
}

function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
