import { McpConnection } from './mcp-connection.js';
import type { ResolvedMcpServer } from './mcp-server.config.js';
import { McpServerHealth } from './mcp-server-health.js';

/** The connection of one pool key, or why there is none: consecutive failures and when to try again. */
interface Slot {
  connection?: McpConnection;
  opening?: Promise<McpConnection | undefined>;
  failures: number;
  retryAt: number;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/**
 * The open sessions with one MCP server, reused across runs: opening a session costs an
 * `initialize` round trip (and, on the server, state), far too much to pay per run. Keys are
 * `'shared'` for a server with static headers, or one per caller (see McpToolSource), so a
 * connection opened with one caller's credentials is only ever used for that caller. The pool is
 * an LRU of `maxConnections` keys; an evicted connection is closed. A key whose connection failed
 * backs off (1 s, doubling up to 60 s) instead of making every run wait for a dead server.
 * `close()` ends the sessions but leaves the pool usable: an agent kept in a factory's cache is
 * closed after its first request, and its next run must still get its tools.
 */
export class McpClientPool {
  private readonly slots = new Map<string, Slot>();
  private readonly health: McpServerHealth;

  constructor(private readonly server: ResolvedMcpServer) {
    this.health = new McpServerHealth(server.name);
  }

  /** The connection for `key`, opened with `headers` if there is none; undefined while backing off or on failure. */
  acquire(key: string, headers: Record<string, string>): Promise<McpConnection | undefined> {
    const slot = this.touch(key);
    if (slot.connection && !slot.connection.broken) return Promise.resolve(slot.connection);
    slot.connection = undefined;
    // Runs that start together while the session is being opened share the one handshake.
    if (slot.opening) return slot.opening;
    if (Date.now() < slot.retryAt) return Promise.resolve(undefined);
    slot.opening = this.open(key, slot, headers).finally(() => (slot.opening = undefined));
    return slot.opening;
  }

  /**
   * A request on `connection` failed in a way that says the session is gone (network error, the
   * server restarted and forgot the session, the stream closed): drop it. The next run reconnects
   * at once, as a restarted server is the usual cause; if that fails, the backoff starts.
   */
  fail(key: string, connection: McpConnection, error: unknown): void {
    connection.markLost();
    const slot = this.slots.get(key);
    if (slot?.connection !== connection) return;
    slot.connection = undefined;
    this.health.unreachable(error, 0);
  }

  /** Ends every session, those still opening too; a later `acquire` opens a new one. */
  async close(): Promise<void> {
    const slots = [...this.slots.values()];
    this.slots.clear();
    await Promise.all(slots.map(async (slot) => (slot.connection ?? (await slot.opening))?.close()));
  }

  private async open(key: string, slot: Slot, headers: Record<string, string>): Promise<McpConnection | undefined> {
    const connection = new McpConnection(this.server, headers);
    try {
      await connection.open();
    } catch (error) {
      this.failed(slot, error);
      return undefined;
    }
    if (this.slots.get(key) !== slot) {
      // Closed (at shutdown too) or evicted while this one was connecting: the slot is no longer
      // the pool's, so nobody else would ever close this session.
      await connection.close();
      return undefined;
    }
    slot.connection = connection;
    slot.failures = 0;
    slot.retryAt = 0;
    this.health.reachable();
    return connection;
  }

  private failed(slot: Slot, error: unknown): void {
    slot.failures++;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** (slot.failures - 1), MAX_RETRY_MS);
    slot.retryAt = Date.now() + delay;
    this.health.unreachable(error, delay);
  }

  /** The slot of `key`, made the most recently used; the least recently used ones beyond the bound are closed. */
  private touch(key: string): Slot {
    const slot = this.slots.get(key) ?? { failures: 0, retryAt: 0 };
    this.slots.delete(key);
    this.slots.set(key, slot);
    for (const [oldestKey, oldest] of this.slots) {
      if (this.slots.size <= this.server.maxConnections) break;
      this.slots.delete(oldestKey);
      void oldest.connection?.close();
    }
    return slot;
  }
}
