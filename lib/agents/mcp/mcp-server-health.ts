import { Logger } from '@nestjs/common';

const logger = new Logger('CopilotKit');
const MAX_REASON = 200;

/**
 * Whether an MCP server is in an outage, so that a server that is down is reported once when it
 * goes down and once when it is back, not on every run that would have used it. Only the server's
 * name and the error go to the log: URLs and headers may carry credentials.
 */
export class McpServerHealth {
  private down = false;

  constructor(private readonly name: string) {}

  unreachable(error: unknown, retryInMs: number): void {
    if (this.down) return;
    this.down = true;
    const next = retryInMs > 0 ? `next attempt in ${Math.ceil(retryInMs / 1000)} s` : 'reconnecting on the next run';
    logger.warn(`MCP server '${this.name}' is unavailable (${describeError(error)}); runs go on without its tools, ${next}.`);
  }

  reachable(): void {
    if (!this.down) return;
    this.down = false;
    logger.log(`MCP server '${this.name}' is available again.`);
  }
}

/** A short, single-line reason: the error's message and, for network errors, the system code. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  const text = `${message}${typeof code === 'string' ? ` (${code})` : ''}`.replace(/\s+/g, ' ').trim();
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}...` : text;
}
