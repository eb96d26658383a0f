import { Logger } from '@nestjs/common';
import { MCP_SERVER_AVAILABLE, MCP_SERVER_UNAVAILABLE } from '../agents.messages.js';

const MAX_REASON = 200;

/**
 * Whether an MCP server is in an outage, so that a server that is down is reported once when it
 * goes down and once when it is back, not on every run that would have used it. Only the server's
 * name and the error go to the log: URLs and headers may carry credentials.
 */
export class McpServerHealth {
  private readonly logger = new Logger(McpServerHealth.name);
  private down = false;

  constructor(private readonly name: string) {}

  unreachable(error: unknown, retryInMs: number): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn(MCP_SERVER_UNAVAILABLE(this.name, describeError(error), retryInMs));
  }

  reachable(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.log(MCP_SERVER_AVAILABLE(this.name));
  }
}

/** A short, single-line reason: the error's message and, for network errors, the system code. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  const text = `${message}${typeof code === 'string' ? ` (${code})` : ''}`.replace(/\s+/g, ' ').trim();
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}...` : text;
}
