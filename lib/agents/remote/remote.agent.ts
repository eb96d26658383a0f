import { HttpAgent } from '@ag-ui/client';
import type { BaseEvent, RunAgentInput } from '@ag-ui/core';
import { type Subscribable } from 'rxjs';
import { CopilotKitConfigurationError } from '../../errors/copilotkit-configuration.error.js';
import type { AgUiAgent } from '../../interfaces/ag-ui-agent.interface.js';
import type { CopilotRunContext } from '../../interfaces/copilot-run-context.interface.js';
import { INVALID_REMOTE_URL } from '../agents.messages.js';
import { pickHeaders } from './pick-headers.js';

export interface RemoteAgentOptions {
  /** The AG-UI endpoint: a LangGraph, CrewAI or Mastra server, or another app serving this module. */
  url: string;
  /** Sent on every request to the remote agent; always wins over a forwarded header of the same name. */
  headers?: Record<string, string>;
  /**
   * Names of incoming request headers passed on to the remote agent. Nothing is forwarded unless
   * it is listed here or in the module's `forwardHeaders` (the two lists add up): a caller's
   * `Authorization` is the caller's, not a credential for the remote.
   */
  forwardHeaders?: string[];
  description?: string;
}

/**
 * An agent that lives at a URL, streamed through unchanged. Runs go through this app's runner like
 * any other, so `connect`, `stop`, history and ownership work as for local agents; each run talks
 * to the remote over its own connection, which a stop closes.
 */
export class RemoteAgent implements AgUiAgent {
  readonly description: string;
  private readonly headers: Record<string, string>;
  private readonly forward: ReadonlySet<string>;
  private active: HttpAgent | undefined;

  constructor(private readonly options: RemoteAgentOptions) {
    if (!options?.url || !/^https?:\/\//.test(options.url)) {
      throw new CopilotKitConfigurationError(INVALID_REMOTE_URL(options?.url));
    }
    this.description = options.description ?? `Remote AG-UI agent at ${new URL(options.url).host}`;
    this.headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    this.forward = new Set((options.forwardHeaders ?? []).map((name) => name.toLowerCase()));
  }

  run(input: RunAgentInput, context?: CopilotRunContext): Subscribable<BaseEvent> {
    this.active = new HttpAgent({ url: this.options.url, headers: this.outgoingHeaders(context?.request) });
    return this.active.run(input);
  }

  abortRun(): void {
    this.active?.abortRun();
  }

  /** Each run gets its own instance, so concurrent runs never share a connection or headers. */
  clone(): RemoteAgent {
    return new RemoteAgent(this.options);
  }

  /**
   * This agent forwarding `names` too, for one run: the module's list adds to the agent's own, so
   * a header the app forwards to every agent need not be repeated on each RemoteAgent.
   */
  forwardingAlso(names: readonly string[]): RemoteAgent {
    return new RemoteAgent({ ...this.options, forwardHeaders: [...this.forward, ...names] });
  }

  private outgoingHeaders(request: unknown): Record<string, string> {
    return { ...pickHeaders(request, this.forward), ...this.headers };
  }
}
