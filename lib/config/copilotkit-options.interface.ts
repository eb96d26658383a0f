import type { CanActivate, DynamicModule, ForwardReference, InjectionToken, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { AgentRunner } from '../runners/agent-runner.js';
import type { ThreadOwnerResolver } from '../runners/thread-owner.js';
import type { CopilotKitHooks } from '../hooks/copilotkit-hooks.interface.js';
import type { AgentsSource } from '../interfaces/ag-ui-agent.interface.js';
import type { BackendActionsSource } from '../interfaces/backend-action.interface.js';
import type { TranscriptionService } from '../transcription/transcription.service.js';

/**
 * A runner built with Nest's dependency injection, like a provider of the CopilotKit module: its
 * `inject` tokens resolve from the module's `imports` and from global modules.
 *
 * ```ts
 * runner: { useFactory: (pool: Pool) => new RedisPostgresAgentRunner({ postgres: pool, redis }), inject: [PG_POOL] }
 * ```
 */
export interface CopilotKitRunnerFactory {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as Nest's FactoryProvider: each factory declares its own parameters
  useFactory: (...args: any[]) => AgentRunner | Promise<AgentRunner>;
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
}

/**
 * Where threads live: an instance (`new SqliteAgentRunner({ path })`), a class extending
 * AgentRunner that Nest builds with its constructor's dependencies, or a factory.
 */
export type CopilotKitRunnerOption = AgentRunner | Type<AgentRunner> | CopilotKitRunnerFactory;

/** Runtime options; in `forRootAsync` these are what the factory returns. */
export interface CopilotKitModuleOptions {
  /** Agent id → AG-UI agent, or a factory called per request. Ids must be URL-safe. */
  agents?: AgentsSource;
  /**
   * Backend actions as plain objects, in the CopilotKit docs' shape (`{ name, description,
   * parameters, handler }`), next to the `@CopilotAction()` methods and held to the same rules; or
   * a function that returns them for each run (`(context) => [...]`), for per-tenant tools.
   */
  actions?: BackendActionsSource;
  /**
   * Where threads and their events live: an AgentRunner instance, an (`@Injectable()`) AgentRunner
   * class, or `{ useFactory, inject }`. Whichever it is, the module starts it when the app starts
   * (connections, migrations, timers) and drains and closes it when the app shuts down.
   * Default: a new `InMemoryAgentRunner()`.
   */
  runner?: CopilotKitRunnerOption;
  /** Milliseconds of silence after which a `: ping` comment is sent on an open stream. Default 15000; 0 disables. */
  heartbeatMs?: number;
  /**
   * By default a client that goes away does not cancel its run, exactly as the official runtime:
   * the run finishes and can be replayed through `connect`. Set true to stop the run instead.
   */
  cancelRunOnDisconnect?: boolean;
  /**
   * Characters of events that may wait for a client that stopped reading before it is disconnected
   * (the `maxPendingDataLength` of the stream routes' `@Sse()`); the run carries on and stays
   * replayable. It must exceed `bodyLimit`, since a run's RUN_STARTED carries its input. Default
   * `bodyLimit` plus 8 MiB.
   */
  maxBufferedBytes?: number;
  /**
   * Who owns a thread, from the request. Written on a thread's first run and checked on every
   * thread-addressed route; someone else's thread answers 404. Default: `request.user.id`
   * (else `request.user.sub`), as the app's authentication guard set it.
   */
  threadOwner?: ThreadOwnerResolver;
  /**
   * Earlier turns come from the store and the client only adds new messages, so it cannot forge
   * earlier tool results. Default: on with a durable runner (SQLite, PostgreSQL), off in memory.
   */
  authoritativeHistory?: boolean;
  /**
   * Lets clients instruct the model: `system` and `developer` messages a client sends are dropped
   * before the agent by default, as the official runtime does, since whoever can call the route
   * could otherwise override the agent's instructions. The agent's own instructions are unaffected.
   * Default false.
   */
  forwardSystemMessages?: boolean;
  /**
   * Longest a run may go on, in milliseconds: past it the agent is aborted and the run ends with a
   * RUN_ERROR (code `RUN_TIMEOUT`), its events stored and its thread freed, so a hung agent cannot
   * hold a thread (and a durable runner's lease) forever. Default 1 800 000 (30 minutes).
   */
  maxRunDurationMs?: number;
  /**
   * Largest request body on the CopilotKit routes (`'10mb'` by default): conversations carry their
   * whole history and images. The rest of the app keeps its own limit. Express only.
   */
  bodyLimit?: string | number;
  /**
   * Hooks around every request: refuse or enrich it before, audit it after (with the run's
   * messages and usage). `@CopilotHooks()` providers are the injectable way to the same.
   */
  hooks?: CopilotKitHooks | CopilotKitHooks[];
  /**
   * Turns the CopilotKit voice input's recordings into text (`POST {path}/transcribe`), e.g.
   * `new OpenAITranscriptionService({ client })`. Without it (and without a `TranscriptionService`
   * provider the module can see), `/info` says transcription is off and the route answers 503.
   */
  transcription?: TranscriptionService;
  /**
   * Names of the caller's request headers (`['authorization', 'x-tenant']`) passed on to every
   * agent that makes HTTP calls of its own: an AG-UI `HttpAgent` (on its per-run copy) and a
   * `RemoteAgent` (added to its own `forwardHeaders`). Headers set on the agent win. Nothing is
   * forwarded by default: a caller's credentials are theirs, not a credential for your agents.
   */
  forwardHeaders?: string[];
  /**
   * Largest audio file `/transcribe` accepts, in bytes. Default 25 MB (OpenAI's limit). Base64
   * audio through the single-route endpoint is also bound by `bodyLimit` (a third larger).
   */
  maxAudioBytes?: number;
}

/**
 * Options that shape the module itself and so must be known synchronously, even with
 * `forRootAsync`: they decide which routes and guards exist before any provider is built.
 */
export interface CopilotKitModuleExtras {
  /** Route prefix of the controller. Default `copilotkit`; composes with `app.setGlobalPrefix()`. */
  path?: string;
  /** Guards on every CopilotKit route, in addition to the app's global guards. */
  guards?: Array<Type<CanActivate> | CanActivate>;
  /** Modules that the guards' own dependencies come from (the guards are built in this module). */
  imports?: Array<Type<unknown> | DynamicModule | Promise<DynamicModule> | ForwardReference>;
  /** Make `CopilotRuntime` injectable everywhere without importing the module again. */
  isGlobal?: boolean;
  /**
   * The runtime's name, by which `@CopilotAgent`, `@CopilotAction` and `@CopilotHooks` pick the
   * runtimes that serve them (`runtime: 'admin'`) when the app has several. Default: `path`.
   */
  name?: string;
}
