// `nestjs-copilotkit/langchain`: the LangChain adapter, apart from the main entry because its types
// name `@langchain/core`, an optional peer. A TypeScript app without it still type-checks the
// main entry (with `skipLibCheck: false` too); an app using LangChain imports from here.
export {
  LangChainAdapter,
  type LangChainAdapterOptions,
  type LangChainChainFnParameters,
  type LangChainChainResult,
} from './agents/adapters/langchain.adapter.js';
export type { LangChainToolDefinition } from './agents/adapters/langchain-messages.js';
