import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { BaseEvent, RunAgentInput } from '@ag-ui/core';
import { map, type Observable } from 'rxjs';
import { ActionInvoker } from '../actions/action-invoker.js';
import { COPILOTKIT_OPTIONS } from '../config/copilotkit.constants.js';
import type { ResolvedCopilotKitOptions } from '../config/copilotkit-options.resolver.js';
import { ActionRegistry } from '../actions/action-registry.js';
import type { ActionCatalog } from '../actions/action-catalog.js';
import { ModuleActions } from './module-actions.js';
import { CopilotKitExplorer } from '../discovery/copilotkit.explorer.js';
import { InvalidRunInputException } from '../errors/invalid-run-input.exception.js';
import type { AgentFactoryContext, AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import type { RuntimeAgentInfo, RuntimeInfo } from '../interfaces/runtime-info.interface.js';
import { PACKAGE_VERSION } from '../platform/package-require.cjs';
import { checkConnectThreadId, parseRunAgentInput } from './run-input.parser.js';
import { RunPreparation } from './run-preparation.js';
import { SuggestionRuns } from './suggestion-run.js';
import type { AgentRunner } from '../runners/agent-runner.js';
import type { IdentifiedEvent } from '../protocol/identified-event.js';
import { AgentRegistry, type AgentLease } from '../discovery/agent-registry.js';
import type { RunScope } from './run-scope.js';
import type { CopilotRunActions } from '../interfaces/copilot-run-context.interface.js';
import { withForwardedHeaders } from '../agents/remote/forwarded-headers.js';
import { assertThreadAccess } from '../runners/thread-owner.js';
import type { TranscriptionService } from '../transcription/transcription.service.js';
import { TRANSCRIPTION_SERVICE } from '../transcription/transcription.token.js';
import { CAPABILITIES_FAILED, MISSING_CONNECT_THREAD_ID, NO_ACTIVE_RUN, SHADOWING_TOOLS_IGNORED } from './runtime.messages.js';

/** What `run` and `suggest` both start from (see `withAgent`). */
interface PreparedAgent {
  agentId: string;
  agent: AgUiAgent;
  input: RunAgentInput;
  request: unknown;
  bindActions: (scope: RunScope) => CopilotRunActions;
}

/** What a runtime call may know about who asked: the HTTP request, when there is one. */
export type RuntimeCallContext = AgentFactoryContext;

export interface StopResult {
  stopped: boolean;
  message?: string;
}

/**
 * The CopilotKit runtime as an injectable service: the agent registry and the runner, with
 * `info / run / connect / stop` as plain methods. The HTTP controller is one caller; application
 * code (a queue worker, a test, another controller) can drive agents the same way.
 *
 * Errors are Nest HTTP exceptions thrown before any event is produced: 404 unknown agent or thread
 * (someone else's thread is unknown), 400 invalid input, 409 thread already running.
 */
@Injectable()
export class CopilotRuntime implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly runner: AgentRunner;
  /** What `POST /transcribe` uses: `forRoot({ transcription })`, else a `TranscriptionService` provider in reach. */
  readonly transcription: TranscriptionService | undefined;
  private readonly logger = new Logger(CopilotRuntime.name);
  private readonly preparation = new RunPreparation();
  private readonly suggestions = new SuggestionRuns();

  constructor(
    @Inject(COPILOTKIT_OPTIONS) private readonly options: ResolvedCopilotKitOptions,
    /** Every agent served: from `forRoot` and from `@CopilotAgent` classes. */
    readonly agents: AgentRegistry,
    /** Every `@CopilotAction` of the app and every action given to `forRoot`, with its JSON Schema. */
    readonly actions: ActionRegistry,
    private readonly invoker: ActionInvoker,
    private readonly moduleActions: ModuleActions,
    private readonly explorer: CopilotKitExplorer,
    @Optional() @Inject(TRANSCRIPTION_SERVICE) transcription?: TranscriptionService,
  ) {
    this.runner = options.runner;
    this.transcription = options.transcription ?? transcription ?? undefined;
  }

  /** The body of `GET /info`; `threadRoutes: false` where the thread routes are not served (single-route). */
  async info(context: RuntimeCallContext = {}, { threadRoutes = true } = {}): Promise<RuntimeInfo> {
    await this.explorer.refresh();
    const lease = this.agents.lease();
    try {
      return await this.describe(await this.agents.list(context, lease), threadRoutes);
    } finally {
      // Not awaited: the client need not wait for sessions to be ended.
      void lease.release();
    }
  }

  private async describe(agents: Record<string, AgUiAgent>, threadRoutes: boolean): Promise<RuntimeInfo> {
    const entries = await Promise.all(
      Object.entries(agents).map(async ([id, agent]): Promise<[string, RuntimeAgentInfo]> => {
        const entry: RuntimeAgentInfo = {
          name: id,
          className: agent.constructor?.name ?? 'Object',
          description: this.agents.declaredDescription(id) ?? (typeof agent.description === 'string' ? agent.description : ''),
        };
        if (typeof agent.getCapabilities === 'function') {
          try {
            entry.capabilities = await agent.getCapabilities();
          } catch (error) {
            // One agent's failing capabilities must not hide every agent from the client.
            this.logger.warn(CAPABILITIES_FAILED(id, error instanceof Error ? error.message : String(error)));
          }
        }
        return [id, entry];
      }),
    );
    // Every flag says what is really served; an absent flag makes the CopilotKit UI assume "yes".
    // `suggestions: true`: the client suggests through `suggest` below, not through runs that would be stored as threads.
    return {
      version: PACKAGE_VERSION,
      agents: Object.fromEntries(entries),
      audioFileTranscriptionEnabled: this.transcription !== undefined,
      mode: 'sse',
      threadEndpoints: { list: threadRoutes, inspect: threadRoutes, mutations: threadRoutes, realtimeMetadata: false },
      suggestions: true,
      a2uiEnabled: false,
      openGenerativeUIEnabled: false,
      telemetryDisabled: true,
    };
  }

  /**
   * Starts a run of `agentId` with `input` (a RunAgentInput, validated here) and returns its
   * events. The run goes on even if nobody reads them; `connect` replays it.
   */
  async run(agentId: string, input: unknown, context: RuntimeCallContext = {}): Promise<Observable<BaseEvent>> {
    return withoutIds(await this.runStream(agentId, input, context));
  }

  /** `run`, with each event's SSE id, as the HTTP layer streams it. */
  runStream(agentId: string, input: unknown, context: RuntimeCallContext = {}): Promise<Observable<IdentifiedEvent>> {
    return this.withAgent(agentId, input, context, async (prepared, lease) =>
      this.preparation.start(this.runner, {
        ...prepared,
        ownerId: await this.options.threadOwner(context.request),
        history: (this.options.authoritativeHistory ?? this.runner.durable) ? 'authoritative' : 'client',
        forwardSystemMessages: this.options.forwardSystemMessages,
        maxRunDurationMs: this.options.maxRunDurationMs,
        // The run outlives this call (nobody may even read it), so its agents are closed when it settles.
        onSettled: () => void lease.release(),
      }),
    );
  }

  /**
   * A run of `agentId` for suggestions, as `@copilotkit/core` asks for them: the same agent, input
   * checks, backend actions and time limit as `run`, but no runner, so nothing is locked, stored or
   * listed (see SuggestionRuns). It ends with the agent, at `maxRunDurationMs`, or when `signal` aborts.
   */
  async suggest(
    agentId: string,
    input: unknown,
    context: RuntimeCallContext & { signal?: AbortSignal } = {},
  ): Promise<Observable<BaseEvent>> {
    return withoutIds(await this.suggestStream(agentId, input, context));
  }

  /** `suggest`, with event ids, as the HTTP layer streams it. */
  suggestStream(
    agentId: string,
    input: unknown,
    context: RuntimeCallContext & { signal?: AbortSignal } = {},
  ): Promise<Observable<IdentifiedEvent>> {
    return this.withAgent(agentId, input, context, async (prepared, lease) =>
      this.suggestions.start({
        ...prepared,
        forwardSystemMessages: this.options.forwardSystemMessages,
        maxRunDurationMs: this.options.maxRunDurationMs,
        signal: context.signal,
        onSettled: () => void lease.release(),
      }),
    );
  }

  /**
   * What a run and a suggestion both start from: this request's agent (a clone with the forwarded
   * headers), the validated input without frontend tools that shadow its actions, and the actions
   * bound to the caller. The agents are leased for `start`; refused before it started (404, 400,
   * 409), they are released at once.
   */
  private async withAgent<T>(
    agentId: string,
    input: unknown,
    context: RuntimeCallContext,
    start: (prepared: PreparedAgent, lease: AgentLease) => Promise<T>,
  ): Promise<T> {
    await this.explorer.refresh();
    const lease = this.agents.lease();
    try {
      const agent = withForwardedHeaders(
        await this.agents.instantiate(agentId, context, lease),
        context.request,
        this.options.forwardHeaders,
      );
      const received = parseRunAgentInput(input);
      const catalog = await this.moduleActions.forRun(agentId, received, context.request);
      const parsed = this.withoutShadowingTools(agentId, received, catalog);
      const request = context.request;
      const bindActions = (scope: RunScope) => this.invoker.bind({ ...scope, request, forwardedProps: parsed.forwardedProps, catalog });
      return await start({ agentId, agent, input: parsed, request, bindActions }, lease);
    } catch (error) {
      void lease.release();
      throw error;
    }
  }

  /** Replays a thread's history, then follows its live run if one is in flight. */
  async connect(
    agentId: string,
    input: unknown,
    context: RuntimeCallContext & { lastEventId?: string } = {},
  ): Promise<Observable<BaseEvent>> {
    return withoutIds(await this.connectStream(agentId, input, context));
  }

  /** `connect`, with event ids; after `lastEventId`, only what the client missed. */
  async connectStream(
    agentId: string,
    input: unknown,
    context: RuntimeCallContext & { lastEventId?: string } = {},
  ): Promise<Observable<IdentifiedEvent>> {
    await this.explorer.refresh();
    await this.checkAgent(agentId, context);
    const threadId = requireThreadId(input);
    assertThreadAccess(await this.runner.getThread(threadId), threadId, await this.options.threadOwner(context.request));
    const lastEventId = context.lastEventId ?? lastSeenEventId(input);
    return this.runner.connect({ threadId, lastEventId });
  }

  /** Stops the thread's live run (only `runId` if given). */
  async stop(agentId: string, threadId: string, options: { runId?: string } & RuntimeCallContext = {}): Promise<StopResult> {
    const { runId, ...context } = options;
    await this.explorer.refresh();
    await this.checkAgent(agentId, context);
    assertThreadAccess(await this.runner.getThread(threadId), threadId, await this.options.threadOwner(context.request));
    const stopped = await this.runner.stop({ threadId, runId });
    return stopped ? { stopped: true } : { stopped: false, message: NO_ACTIVE_RUN(threadId, runId) };
  }

  /**
   * The runner is no provider of its own (an instance given as a value would get no hooks), so its
   * lifecycle hangs on the runtime that holds it: started here, drained and closed below.
   */
  async onModuleInit(): Promise<void> {
    // Runners written before `start()` existed implement AgentRunner without it.
    await this.runner.start?.();
  }

  /** Runs the drain before Nest closes the HTTP server, whose open streams would otherwise hold it. */
  async beforeApplicationShutdown(): Promise<void> {
    this.suggestions.endAll();
    await this.runner.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.close();
    // After the runner: its runs are over, so no agent is closed under a run. Agents may hold
    // connections (BuiltInAgent's MCP sessions): forRoot's, a factory's long-lived ones, and any
    // a request still holds.
    await this.agents.close();
  }

  /** connect and stop only need to know the agent exists; a factory's agents are closed right after. */
  private async checkAgent(agentId: string, context: RuntimeCallContext): Promise<void> {
    const lease = this.agents.lease();
    try {
      await this.agents.get(agentId, context, lease);
    } finally {
      void lease.release();
    }
  }

  /**
   * A frontend tool named like a backend action would let the client stand in for the server
   * (or make the model's call ambiguous): the backend action wins and the client's tool is dropped.
   */
  private withoutShadowingTools(agentId: string, input: RunAgentInput, catalog: ActionCatalog): RunAgentInput {
    if (input.tools.length === 0) return input;
    const backend = new Set(catalog.forAgent(agentId).map((action) => action.name));
    const tools = input.tools.filter((tool) => !backend.has(tool.name));
    if (tools.length === input.tools.length) return input;
    const dropped = input.tools.filter((tool) => backend.has(tool.name)).map((tool) => tool.name);
    this.logger.warn(SHADOWING_TOOLS_IGNORED(input.runId, dropped));
    return { ...input, tools };
  }
}

function withoutIds(events: Observable<IdentifiedEvent>): Observable<BaseEvent> {
  return events.pipe(map((identified) => identified.event));
}

/** `connect` needs only the thread id; clients send a whole RunAgentInput, which is fine too. */
function requireThreadId(input: unknown): string {
  const threadId = (input as { threadId?: unknown } | null)?.threadId;
  if (typeof threadId !== 'string' || threadId.length === 0) {
    throw new InvalidRunInputException([{ field: 'threadId', message: MISSING_CONNECT_THREAD_ID }]);
  }
  checkConnectThreadId(input);
  return threadId;
}

function lastSeenEventId(input: unknown): string | undefined {
  const id = (input as { lastSeenEventId?: unknown } | null)?.lastSeenEventId;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}
