export { CopilotKitModule } from './copilotkit.module.js';
export { COPILOTKIT_OPTIONS, DEFAULT_COPILOTKIT_PATH } from './copilotkit.constants.js';
export type { ResolvedCopilotKitOptions } from './copilotkit-options.resolver.js';
export { CopilotRuntime, type RuntimeCallContext, type StopResult } from './runtime/copilot-runtime.service.js';
export { AgentRegistry } from './runtime/agent-registry.js';
export {
  AgentRunner,
  type RunnerConnectRequest,
  type RunnerRunRequest,
  type RunnerStopRequest,
} from './runners/agent-runner.js';
export { AgentRun, type AgentRunOptions } from './runners/agent-run.js';
export { InMemoryAgentRunner, type InMemoryAgentRunnerOptions } from './runners/in-memory.runner.js';
export { RunEventGuard, type RunEndReason, type RunEventGuardOptions } from './protocol/run-event-guard.js';
export { formatSseEvent } from './protocol/sse-frame.js';
export { parseRunAgentInput } from './protocol/run-input.parser.js';
export type { AgentFactoryContext, AgentsSource, AgUiAgent } from './interfaces/ag-ui-agent.interface.js';
export type { CopilotKitModuleExtras, CopilotKitModuleOptions } from './interfaces/copilotkit-options.interface.js';
export type { RuntimeAgentInfo, RuntimeInfo, ThreadEndpointsInfo } from './interfaces/runtime-info.interface.js';
export { AgentNotFoundException } from './errors/agent-not-found.exception.js';
export { InvalidRunInputException, type InvalidFieldDetail } from './errors/invalid-run-input.exception.js';
export { ThreadBusyException } from './errors/thread-busy.exception.js';
export { CopilotKitConfigurationError } from './errors/copilotkit-configuration.error.js';
