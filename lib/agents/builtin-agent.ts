import { FunctionMiddleware, type Middleware, type MiddlewareFunction } from '@ag-ui/client';
import { EventType, type BaseEvent, type RunAgentInput, type TokenUsage } from '@ag-ui/core';
import { Observable } from 'rxjs';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import type { AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import type { CopilotRunContext } from '../interfaces/copilot-run-context.interface.js';
import type { ModelAdapter, ModelSettings } from './adapters/model-adapter.interface.js';
import { runAgentLoop } from './agent-loop.js';
import { resolveMcpServers, type McpServerConfig } from './mcp/mcp-server.config.js';
import { McpToolSource } from './mcp/mcp-tool-source.js';
import { resolveModel } from './model-resolver.js';
import { totalTokens } from '../observability/telemetry.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './upstream-error.js';
import {
  INVALID_INSTRUCTIONS,
  INVALID_MAX_STEPS,
  INVALID_PRICING,
  INVALID_STATE_TOOLS,
  MODEL_REQUIRED,
  PROMPT_AND_INSTRUCTIONS,
} from './agents.messages.js';

/** Token usage of one run, for logging, billing or quotas. */
export interface UsageReport {
  agentId: string;
  threadId: string;
  runId: string;
  /** One entry per model call. */
  usage: TokenUsage[];
  /** The HTTP request of the run, to attribute the usage to a user or tenant. */
  request: unknown;
  /** Priced with the agent's `pricing`, when it has one. */
  costUsd?: number;
}

/** Prices in US dollars per million tokens, as providers publish them. */
export interface ModelPricing {
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface BuiltInAgentOptions extends ModelSettings {
  /** `'openai:gpt-4o-mini'`, `'anthropic:claude-sonnet-4-5'` (or `'openai/gpt-4o-mini'`), or an adapter with your own client. */
  model: string | ModelAdapter;
  /** For a model given as a string; default `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`. */
  apiKey?: string;
  /** The system prompt. Context entries (CopilotKit readables) and the shared state are added to it. */
  instructions?: string;
  /** `instructions` as the official CopilotKit docs name it; give one or the other. */
  prompt?: string;
  /** Model calls per run, backend actions running in between. Default 5. */
  maxSteps?: number;
  /** Names of the backend actions to offer (default: every action the caller may use); `false` for none. */
  actions?: string[] | false;
  /** Retries before the first token on 429, 5xx and connection failures. */
  retry?: Partial<RetryPolicy>;
  /** Stream the model's reasoning to the client as REASONING_* events. Default true. */
  exposeReasoning?: boolean;
  /** Shown by `/info`. */
  description?: string;
  /** Called once per run with its token usage (also sent on RUN_FINISHED as `usage`). */
  onUsage?: (report: UsageReport) => void;
  /** What the model costs, so usage reports carry `costUsd`. */
  pricing?: ModelPricing;
  /**
   * MCP servers whose tools are offered next to the backend actions, as `<server>_<tool>`.
   * Connections are kept open across runs; the module closes them when the app shuts down (for
   * agents given to `forRoot`), and after each request for agents an agents factory builds per
   * request; otherwise call `close()`.
   */
  mcpServers?: McpServerConfig[];
  /**
   * Offer the model `AGUISendStateSnapshot` and `AGUISendStateDelta` (JSON Patch), which change the
   * shared state (`useCoAgent` / `useAgent` state) and stream STATE_SNAPSHOT / STATE_DELTA to the
   * client. Default: offered in a run whose client shares a non-empty state object; `true`: in
   * every run; `false`: never. A backend action or frontend tool of the same name takes precedence.
   */
  stateTools?: boolean;
}

/**
 * The agent most apps run: it turns a CopilotKit conversation into LLM calls (OpenAI or Anthropic),
 * streams the answer, runs backend actions on the server between model calls, and hands frontend
 * tool calls back to the browser. It keeps no state between runs, so one instance serves all.
 */
export class BuiltInAgent implements AgUiAgent {
  readonly description: string;
  readonly adapter: ModelAdapter;
  private readonly settings: ModelSettings;
  private readonly retry: RetryPolicy;
  private readonly mcp: McpToolSource | undefined;
  /** As given, with `prompt` folded into `instructions`. */
  private readonly options: BuiltInAgentOptions;

  constructor(options: BuiltInAgentOptions) {
    const label = `BuiltInAgent(${typeof options?.model === 'string' ? options.model : (options?.model?.model ?? '?')})`;
    if (!options || options.model === undefined) throw new CopilotKitConfigurationError(MODEL_REQUIRED(label));
    this.options = { ...options, instructions: resolveInstructions(options, label) };
    const maxSteps = options.maxSteps ?? 5;
    if (!Number.isSafeInteger(maxSteps) || maxSteps < 1) {
      throw new CopilotKitConfigurationError(INVALID_MAX_STEPS(label, options.maxSteps));
    }
    this.adapter = resolveModel(options.model, options.apiKey, label);
    this.description = options.description ?? `Chat with ${this.adapter.provider} ${this.adapter.model}.`;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const { inputPerMillion, outputPerMillion } = options.pricing ?? { inputPerMillion: 0, outputPerMillion: 0 };
    if (![inputPerMillion, outputPerMillion].every((price) => Number.isFinite(price) && price >= 0)) {
      throw new CopilotKitConfigurationError(INVALID_PRICING(label));
    }
    const { temperature, topP, maxOutputTokens, stopSequences, seed, parallelToolCalls, reasoning, providerOptions } = options;
    this.settings = { temperature, topP, maxOutputTokens, stopSequences, seed, parallelToolCalls, reasoning, providerOptions };
    if (options.stateTools !== undefined && typeof options.stateTools !== 'boolean') {
      throw new CopilotKitConfigurationError(INVALID_STATE_TOOLS(label, options.stateTools));
    }
    if (options.mcpServers !== undefined) this.mcp = new McpToolSource(resolveMcpServers(options.mcpServers, label));
  }

  /**
   * Ends the agent's MCP sessions (a no-op without `mcpServers`). The agent stays usable: a later
   * run opens its sessions again, as an agent an agents factory caches is closed after its first request.
   */
  close(): Promise<void> {
    return this.mcp?.close() ?? Promise.resolve();
  }

  /** Named as on an AG-UI `AbstractAgent`, so the runtime finds the chain of either the same way. */
  private readonly middlewares: Middleware[] = [];

  /**
   * Adds AG-UI middleware (a `Middleware` such as `FilterToolCallsMiddleware`, or a function), as
   * `AbstractAgent.use()` does: the first added runs outermost, around every run of this agent.
   */
  use(...middlewares: Array<Middleware | MiddlewareFunction>): this {
    this.middlewares.push(
      ...middlewares.map((middleware) => (typeof middleware === 'function' ? new FunctionMiddleware(middleware) : middleware)),
    );
    return this;
  }

  run(input: RunAgentInput, context?: CopilotRunContext): Observable<BaseEvent> {
    return new Observable<BaseEvent>((subscriber) => {
      // Unsubscribing (a stop, or a disconnect with cancelRunOnDisconnect) cancels the HTTP call.
      const teardown = new AbortController();
      // One controller, fed by both: AbortSignal.any() costs far more per run on Node 20.
      const stopped = () => teardown.abort();
      context?.signal.addEventListener('abort', stopped, { once: true });
      const signal = teardown.signal;
      let settled = false;
      const emit = (event: BaseEvent) => {
        // The loop's terminal event is its last act: the run may be torn down as it is delivered.
        if (event.type === EventType.RUN_FINISHED || event.type === EventType.RUN_ERROR) settled = true;
        if (!subscriber.closed) subscriber.next(event);
      };
      runAgentLoop({
        input,
        context,
        adapter: this.adapter,
        settings: this.settings,
        instructions: this.options.instructions,
        maxSteps: this.options.maxSteps ?? 5,
        allowedActions: this.options.actions,
        stateTools: this.options.stateTools,
        turn: { retry: this.retry, exposeReasoning: this.options.exposeReasoning ?? true },
        signal,
        emit,
        mcp: this.mcp && ((actionNames) => this.mcp!.forRun(context?.request, actionNames, signal, context?.actions.authorize)),
      })
        .then((usage) => {
          settled = true;
          if (usage && this.options.onUsage && context) {
            const { agentId, request } = context;
            const costUsd = this.options.pricing && priceOf(usage, this.options.pricing);
            this.options.onUsage({
              agentId,
              threadId: input.threadId,
              runId: input.runId,
              usage,
              request,
              ...(costUsd !== undefined && { costUsd }),
            });
          }
          subscriber.complete();
        })
        .catch((error: unknown) => {
          settled = true;
          subscriber.error(error);
        });
      return () => {
        context?.signal.removeEventListener('abort', stopped);
        // A finished loop has nothing left to cancel; aborting anyway builds an AbortError (with
        // its stack) on every run.
        if (!settled) teardown.abort();
      };
    });
  }
}

/** Two system prompts would leave one silently unused, so both given is a boot error. */
function resolveInstructions({ instructions, prompt }: BuiltInAgentOptions, label: string): string | undefined {
  if (instructions !== undefined && prompt !== undefined) throw new CopilotKitConfigurationError(PROMPT_AND_INSTRUCTIONS(label));
  for (const [field, value] of [
    ['instructions', instructions],
    ['prompt', prompt],
  ] as const) {
    if (value !== undefined && typeof value !== 'string') throw new CopilotKitConfigurationError(INVALID_INSTRUCTIONS(label, field));
  }
  return instructions ?? prompt;
}

/**
 * `BuiltInAgent` under the name the official CopilotKit v2 docs use, so their examples run as
 * written. The same class, so `instanceof` holds either way.
 */
export const BasicAgent = BuiltInAgent;
/** Lets `BasicAgent` name the type too, as a class name can. */
export type BasicAgent = BuiltInAgent;

function priceOf(usage: readonly TokenUsage[], pricing: ModelPricing): number {
  const { input, output } = totalTokens(usage);
  return (input * pricing.inputPerMillion + output * pricing.outputPerMillion) / 1_000_000;
}
