import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as api from '../../lib/index.js';
import * as langchain from '../../lib/langchain.js';

/** Every name an entry file exports, types included, as the compiler sees them. */
function exportedNames(file = 'index.ts'): { values: string[]; types: string[] } {
  const entry = fileURLToPath(new URL(`../../lib/${file}`, import.meta.url));
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const values: string[] = [];
  const types: string[] = [];
  for (const exported of checker.getExportsOfModule(symbol)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const typeOnly = exported.declarations?.some(
      (declaration) => ts.isExportSpecifier(declaration) && (declaration.isTypeOnly || declaration.parent.parent.isTypeOnly),
    );
    (target.flags & ts.SymbolFlags.Value && !typeOnly ? values : types).push(exported.name);
  }
  return { values: values.sort(), types: types.sort() };
}

/**
 * The package's public surface, pinned: adding or removing a name must be a deliberate change to
 * this list (and to the README where users meet it).
 */
describe('the public API', () => {
  const { values, types } = exportedNames();

  it('exports these values', () => {
    expect(values).toEqual([
      'ActionArgs',
      'AgentNotFoundException',
      'AgentRunner',
      'AnthropicAdapter',
      'BasicAgent',
      'BuiltInAgent',
      'COPILOTKIT_CONTEXT_TYPE',
      'CopilotAction',
      'CopilotAgent',
      'CopilotContext',
      'CopilotHooks',
      'CopilotKitConfigurationError',
      'CopilotKitModule',
      'CopilotRuntime',
      'CopilotThreads',
      'GoogleAdapter',
      'InMemoryAgentRunner',
      'InMemoryThreadStore',
      'InvalidCopilotAgentError',
      'InvalidResumeException',
      'InvalidRunInputException',
      'OpenAIAdapter',
      'OpenAITranscriptionService',
      'PostgresThreadStore',
      'RedisPostgresAgentRunner',
      'RemoteAgent',
      'RunIdTakenException',
      'RunnerUnavailableException',
      'SqliteAgentRunner',
      'SqliteThreadStore',
      'StoreAgentRunner',
      'ThreadBusyException',
      'ThreadNotFoundException',
      'ThreadStore',
      'TranscriptionException',
      'TranscriptionService',
      'UnstorableInputException',
      'actionCallOf',
      'copilotRequestOf',
      'defaultThreadOwner',
      'isCopilotAction',
      'isCopilotKitStream',
      'migratePostgres',
    ]);
  });

  it('exports these types', () => {
    expect(types).toEqual([
      'ActionApprovalOptions',
      'ActionCall',
      'ActionCallResult',
      'ActionCallStatus',
      'ActionContext',
      'ActionDescriptor',
      'ActionParameters',
      'ActionsFactoryContext',
      'AgUiAgent',
      'AgentFactoryContext',
      'AgentsSource',
      'AnthropicAdapterOptions',
      'AnthropicClientLike',
      'ApprovalResolution',
      'BackendAction',
      'BackendActionsSource',
      'BeginRunResult',
      'BegunRun',
      'BuiltInAgentOptions',
      'CopilotActionOptions',
      'CopilotAgentOptions',
      'CopilotHooksOptions',
      'CopilotKitHooks',
      'CopilotKitModuleExtras',
      'CopilotKitModuleOptions',
      'CopilotKitOptionsFactory',
      'CopilotKitParameter',
      'CopilotKitRunnerFactory',
      'CopilotKitRunnerOption',
      'CopilotRequest',
      'CopilotRequestContext',
      'CopilotRequestOutcome',
      'CopilotRequestSummary',
      'CopilotRoute',
      'CopilotRunActions',
      'CopilotRunContext',
      'GoogleAdapterOptions',
      'GoogleClientLike',
      'IdentifiedEvent',
      'InMemoryAgentRunnerOptions',
      'InMemoryThreadStoreOptions',
      'InvalidFieldDetail',
      'InvalidResumeCode',
      'JsonSchema',
      'McpHeadersResolver',
      'McpServerConfig',
      'ModelAdapter',
      'ModelPricing',
      'ModelRequest',
      'ModelSettings',
      'ModelStreamPart',
      'ModelTool',
      'ModelToolChoice',
      'OpenAIAdapterOptions',
      'OpenAIClientLike',
      'OpenAITranscriptionClientLike',
      'OpenAITranscriptionServiceOptions',
      'PgPoolLike',
      'PgPooledClient',
      'PostgresThreadStoreOptions',
      'PreparedRun',
      'RedisLike',
      'RedisPostgresAgentRunnerOptions',
      'RemoteAgentOptions',
      'RetryPolicy',
      'RunHooks',
      'RunnerBeginRequest',
      'RunnerConnectRequest',
      'RunnerStopRequest',
      'RuntimeAgentInfo',
      'RuntimeCallContext',
      'RuntimeInfo',
      'SqliteAgentRunnerOptions',
      'SqliteDatabaseLike',
      'SqliteThreadStoreOptions',
      'StandardSchemaLike',
      'StopResult',
      'StoreAgentRunnerOptions',
      'StoredRun',
      'ThreadEndpointsInfo',
      'ThreadMessage',
      'ThreadOwnerResolver',
      'ThreadPage',
      'ThreadQuery',
      'ThreadRecord',
      'ThreadSummary',
      'TranscriptionErrorBody',
      'TranscriptionErrorCode',
      'TranscriptionInput',
      'UsageReport',
    ]);
  });

  it('loads exactly the pinned values at runtime', () => {
    expect(Object.keys(api).sort()).toEqual(values);
  });
});

/** `nestjs-copilotkit/langchain`: apart, so the main entry's types never name `@langchain/core`. */
describe('the LangChain entry', () => {
  const { values, types } = exportedNames('langchain.ts');

  it('exports the adapter and its types, and nothing of the main entry', () => {
    expect(values).toEqual(['LangChainAdapter']);
    expect(types).toEqual(['LangChainAdapterOptions', 'LangChainChainFnParameters', 'LangChainChainResult', 'LangChainToolDefinition']);
    expect(Object.keys(langchain)).toEqual(values);
  });

  it('keeps @langchain/core out of every declaration the main entry reaches', () => {
    const entry = fileURLToPath(new URL('../../lib/index.ts', import.meta.url));
    const program = ts.createProgram([entry], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
    });
    const reached = program
      .getSourceFiles()
      .map((file) => file.fileName)
      .filter((name) => name.includes('/lib/'));
    expect(reached.filter((name) => name.includes('langchain'))).toEqual([]);
  });
});
