// The public API: what an app writes or types against. test/unit/public-api.spec.ts pins the list.

// The module and its options
export { CopilotKitModule } from './copilotkit.module.js';
export type {
  CopilotKitModuleExtras,
  CopilotKitModuleOptions,
  CopilotKitRunnerFactory,
  CopilotKitRunnerOption,
} from './config/copilotkit-options.interface.js';
export type { CopilotKitOptionsFactory } from './config/copilotkit-options-factory.interface.js';
export { CopilotKitConfigurationError } from './errors/copilotkit-configuration.error.js';

// Using the runtime from code
export { CopilotRuntime, type RuntimeCallContext, type StopResult } from './runtime/copilot-runtime.service.js';
export { CopilotThreads, type ThreadMessage, type ThreadSummary } from './runtime/copilot-threads.service.js';
export type { RuntimeAgentInfo, RuntimeInfo, ThreadEndpointsInfo } from './interfaces/runtime-info.interface.js';

// Agents
export type { AgentFactoryContext, AgentsSource, AgUiAgent } from './interfaces/ag-ui-agent.interface.js';
export { CopilotAgent, type CopilotAgentOptions } from './decorators/copilot-agent.decorator.js';
export { InvalidCopilotAgentError } from './errors/invalid-copilot-agent.error.js';
export { BasicAgent, BuiltInAgent, type BuiltInAgentOptions, type ModelPricing, type UsageReport } from './agents/builtin-agent.js';
export { OpenAIAdapter, type OpenAIAdapterOptions, type OpenAIClientLike } from './agents/adapters/openai.adapter.js';
export { AnthropicAdapter, type AnthropicAdapterOptions, type AnthropicClientLike } from './agents/adapters/anthropic.adapter.js';
export { GoogleAdapter, type GoogleAdapterOptions, type GoogleClientLike } from './agents/adapters/google.adapter.js';
export type {
  ModelAdapter,
  ModelRequest,
  ModelSettings,
  ModelStreamPart,
  ModelTool,
  ModelToolChoice,
} from './agents/adapters/model-adapter.interface.js';
export type { RetryPolicy } from './agents/upstream-error.js';
export { RemoteAgent, type RemoteAgentOptions } from './agents/remote/remote.agent.js';
export type { McpHeadersResolver, McpServerConfig } from './agents/mcp/mcp-server.config.js';

// Backend actions
export { CopilotAction } from './decorators/copilot-action.decorator.js';
export { ActionArgs } from './decorators/action-args.decorator.js';
export { CopilotContext } from './decorators/copilot-context.decorator.js';
export { actionCallOf, isCopilotAction, COPILOTKIT_CONTEXT_TYPE, type ActionCall } from './actions/action-call.js';
export type { ActionContext } from './interfaces/action-context.interface.js';
export type { ActionsFactoryContext, BackendAction, BackendActionsSource } from './interfaces/backend-action.interface.js';
export type {
  ActionApprovalOptions,
  ActionParameters,
  CopilotActionOptions,
  CopilotKitParameter,
  JsonSchema,
  StandardSchemaLike,
} from './interfaces/copilot-action-options.interface.js';
export type {
  ActionCallResult,
  ActionCallStatus,
  ActionDescriptor,
  ApprovalResolution,
  CopilotRunActions,
  CopilotRunContext,
} from './interfaces/copilot-run-context.interface.js';

// Runners and thread stores
export {
  AgentRunner,
  type IdentifiedEvent,
  type PreparedRun,
  type RunHooks,
  type RunnerBeginRequest,
  type RunnerConnectRequest,
  type RunnerStopRequest,
} from './runners/agent-runner.js';
export { InMemoryAgentRunner, type InMemoryAgentRunnerOptions } from './runners/in-memory.runner.js';
export { SqliteAgentRunner, type SqliteAgentRunnerOptions } from './runners/sqlite/sqlite.runner.js';
export { RedisPostgresAgentRunner, type RedisPostgresAgentRunnerOptions } from './runners/distributed/redis-postgres.runner.js';
export { migratePostgres } from './runners/distributed/postgres.migrations.js';
export { StoreAgentRunner, type StoreAgentRunnerOptions } from './runners/store-agent-runner.js';
export {
  ThreadStore,
  type BeginRunResult,
  type BegunRun,
  type StoredRun,
  type ThreadPage,
  type ThreadQuery,
  type ThreadRecord,
} from './runners/thread-store.js';
export { InMemoryThreadStore, type InMemoryThreadStoreOptions } from './runners/in-memory.thread-store.js';
export { SqliteThreadStore, type SqliteThreadStoreOptions } from './runners/sqlite/sqlite.thread-store.js';
export type { SqliteDatabaseLike } from './runners/sqlite/sqlite-database.js';
export { PostgresThreadStore, type PostgresThreadStoreOptions } from './runners/distributed/postgres.thread-store.js';
export type { PgPoolLike } from './runners/distributed/pg-client.js';
export type { PgPooledClient } from './runners/distributed/pg-client.js';
export type { RedisLike } from './runners/distributed/redis-event-bus.js';
export { RunnerUnavailableException } from './runners/runner-unavailable.exception.js';
export { defaultThreadOwner, type ThreadOwnerResolver } from './runners/thread-owner.js';

// The HTTP answers an app may catch or send itself
export { AgentNotFoundException } from './errors/agent-not-found.exception.js';
export { InvalidRunInputException, type InvalidFieldDetail } from './errors/invalid-run-input.exception.js';
export { InvalidResumeException, type InvalidResumeCode } from './errors/invalid-resume.exception.js';
export { RunIdTakenException } from './errors/run-id-taken.exception.js';
export { ThreadBusyException } from './errors/thread-busy.exception.js';
export { ThreadNotFoundException } from './errors/thread-not-found.exception.js';
export { UnstorableInputException } from './errors/unstorable-input.exception.js';

// Hooks, interceptors, audit
export { CopilotHooks, type CopilotHooksOptions } from './decorators/copilot-hooks.decorator.js';
export { copilotRequestOf, type CopilotRequest } from './hooks/copilot-request.js';
export type {
  CopilotKitHooks,
  CopilotRequestContext,
  CopilotRequestOutcome,
  CopilotRequestSummary,
  CopilotRoute,
} from './hooks/copilotkit-hooks.interface.js';
export { isCopilotKitStream } from './http/copilotkit-stream.js';

// Voice input
export { TranscriptionService, type TranscriptionInput } from './transcription/transcription.service.js';
export {
  TranscriptionException,
  type TranscriptionErrorBody,
  type TranscriptionErrorCode,
} from './transcription/transcription.exception.js';
export {
  OpenAITranscriptionService,
  type OpenAITranscriptionClientLike,
  type OpenAITranscriptionServiceOptions,
} from './transcription/openai-transcription.service.js';
