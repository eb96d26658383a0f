import { FilterToolCallsMiddleware } from '@ag-ui/client';
import { BuiltInAgent, CopilotAgent } from 'nestjs-copilotkit';

/** The todo agent, but the browser sees only its answers, never its tool calls. */
@CopilotAgent({ name: 'quiet', description: 'Manages your todos without showing its work' })
export class QuietSupportAgent extends BuiltInAgent {
  constructor() {
    super({ model: 'openai:gpt-4o-mini', instructions: 'You help people manage their todos.' });
    this.use(
      // A function middleware: it may change the input (here, tell the model the date) or the events.
      (input, next) => next.run({ ...input, context: [...input.context, { description: 'Today', value: new Date().toDateString() }] }),
      // The model may still call `add`, and the action runs; its calls are left out of the stream.
      new FilterToolCallsMiddleware({ disallowedToolCalls: ['add'] }),
    );
  }
}
