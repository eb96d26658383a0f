import { ChatOpenAI } from '@langchain/openai';
import { BuiltInAgent } from 'nestjs-copilotkit';
import { LangChainAdapter } from 'nestjs-copilotkit/langchain';

/** A LangChain chat model behind the built-in agent: its loop, tools, stop and usage stay the same. */
export function langChainAgent(model = new ChatOpenAI({ model: 'gpt-4o-mini', maxRetries: 0 })) {
  return new BuiltInAgent({
    model: new LangChainAdapter({
      model: 'gpt-4o-mini', // the name usage reports carry
      chainFn: ({ messages, tools, toolChoice, signal }) =>
        model.bindTools(tools, { tool_choice: toolChoice }).stream(messages, { signal }),
    }),
    instructions: 'You are a helpful assistant.',
  });
}
