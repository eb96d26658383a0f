export { CopilotKitModule } from './copilotkit.module.js';
export { COPILOTKIT_OPTIONS, DEFAULT_COPILOTKIT_PATH } from './config/copilotkit.constants.js';
export type { ResolvedCopilotKitOptions } from './config/copilotkit-options.resolver.js';
export { CopilotRuntime, type RuntimeCallContext, type StopResult } from './runtime/copilot-runtime.service.js';
export { AgentRegistry } from './discovery/agent-registry.js';
export {
  AgentRunner,
  type RunnerConnectRequest,
  type RunnerRunRequest,
  type RunnerStopRequest,
  type RunScope,
  type IdentifiedEvent,
} from './runners/agent-runner.js';
export { AgentRun, type AgentRunOptions } from './runners/agent-run.js';
export { InMemoryAgentRunner, type InMemoryAgentRunnerOptions } from './runners/in-memory.runner.js';
export { StoreAgentRunner, type StoreAgentRunnerOptions } from './runners/store-agent-runner.js';
export { InMemoryThreadStore } from './runners/in-memory.thread-store.js';
export { SqliteAgentRunner, type SqliteAgentRunnerOptions } from './runners/sqlite/sqlite.runner.js';
export { SqliteThreadStore, type SqliteThreadStoreOptions } from './runners/sqlite/sqlite.thread-store.js';
export { RedisPostgresAgentRunner, type RedisPostgresAgentRunnerOptions } from './runners/distributed/redis-postgres.runner.js';
export { PostgresThreadStore, type PostgresThreadStoreOptions } from './runners/distributed/postgres.thread-store.js';
export { migratePostgres } from './runners/distributed/postgres.migrations.js';
export {
  ThreadStore,
  type BeginRunResult,
  type StoredRun,
  type ThreadPage,
  type ThreadQuery,
  type ThreadRecord,
} from './runners/thread-store.js';
export { CopilotThreads, type ThreadMessage, type ThreadSummary } from './runtime/copilot-threads.service.js';
export { defaultThreadOwner, type ThreadOwnerResolver } from './runners/thread-owner.js';
export { ThreadNotFoundException } from './errors/thread-not-found.exception.js';
export { RunEventGuard, type RunEndReason, type RunEventGuardOptions } from './protocol/run-event-guard.js';
export { isCopilotKitStream } from './http/copilotkit-stream.js';
export { parseRunAgentInput } from './runtime/run-input.parser.js';
export type { AgentFactoryContext, AgentsSource, AgUiAgent } from './interfaces/ag-ui-agent.interface.js';
export type { CopilotKitModuleExtras, CopilotKitModuleOptions } from './config/copilotkit-options.interface.js';
export type { RuntimeAgentInfo, RuntimeInfo, ThreadEndpointsInfo } from './interfaces/runtime-info.interface.js';
export { AgentNotFoundException } from './errors/agent-not-found.exception.js';
export { InvalidRunInputException, type InvalidFieldDetail } from './errors/invalid-run-input.exception.js';
export { ThreadBusyException } from './errors/thread-busy.exception.js';
export { RunIdTakenException } from './errors/run-id-taken.exception.js';
export { CopilotKitConfigurationError } from './errors/copilotkit-configuration.error.js';
export { CopilotAction } from './decorators/copilot-action.decorator.js';
export { CopilotAgent, type CopilotAgentOptions } from './decorators/copilot-agent.decorator.js';
export { ActionArgs } from './decorators/action-args.decorator.js';
export { actionCallOf, isCopilotAction, COPILOTKIT_CONTEXT_TYPE, type ActionCall } from './actions/action-call.js';
export { CopilotContext } from './decorators/copilot-context.decorator.js';
export { ActionRegistry, type RegisteredAction } from './actions/action-registry.js';
export type { ActionContext } from './interfaces/action-context.interface.js';
export type {
  ActionParameters,
  ActionApprovalOptions,
  CopilotActionOptions,
  CopilotKitParameter,
  JsonSchema,
  StandardSchemaLike,
} from './interfaces/copilot-action-options.interface.js';
export type {
  ActionCallResult,
  ActionCallStatus,
  ActionDescriptor,
  CopilotRunActions,
  CopilotRunContext,
} from './interfaces/copilot-run-context.interface.js';
export { InvalidCopilotAgentError } from './errors/invalid-copilot-agent.error.js';
export { BuiltInAgent, type BuiltInAgentOptions, type ModelPricing, type UsageReport } from './agents/builtin-agent.js';
export { OpenAIAdapter, type OpenAIAdapterOptions, type OpenAIClientLike } from './agents/adapters/openai.adapter.js';
export { AnthropicAdapter, type AnthropicAdapterOptions, type AnthropicClientLike } from './agents/adapters/anthropic.adapter.js';
export type { ModelAdapter, ModelRequest, ModelSettings, ModelStreamPart, ModelTool } from './agents/adapters/model-adapter.interface.js';
export type { RetryPolicy } from './agents/upstream-error.js';
export { RemoteAgent, type RemoteAgentOptions } from './agents/remote/remote.agent.js';
export { CopilotHooks, type CopilotHooksOptions } from './decorators/copilot-hooks.decorator.js';
export { copilotRequestOf, type CopilotRequest } from './hooks/copilot-request.js';
export type {
  CopilotKitHooks,
  CopilotRequestContext,
  CopilotRequestOutcome,
  CopilotRequestSummary,
  CopilotRoute,
} from './hooks/copilotkit-hooks.interface.js';
export { InvalidResumeException, type InvalidResumeCode } from './errors/invalid-resume.exception.js';
export type { ApprovalResolution } from './approvals/resume-resolver.js';
export {
  TranscriptionError,
  TranscriptionService,
  type TranscriptionErrorBody,
  type TranscriptionErrorCode,
  type TranscriptionInput,
} from './transcription/transcription.service.js';
export {
  OpenAITranscriptionService,
  type OpenAITranscriptionClientLike,
  type OpenAITranscriptionServiceOptions,
} from './transcription/openai-transcription.service.js';
export type { McpHeadersResolver, McpServerConfig } from './agents/mcp/mcp-server.config.js';
