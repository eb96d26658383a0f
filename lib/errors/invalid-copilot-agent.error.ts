import { CopilotKitConfigurationError } from './copilotkit-configuration.error.js';

/** A `@CopilotAgent` class that cannot run: it does not implement the AG-UI agent contract. */
export class InvalidCopilotAgentError extends CopilotKitConfigurationError {
  override readonly name: string = 'InvalidCopilotAgentError';

  constructor(agentClass: Function) {
    super(
      `@CopilotAgent ${agentClass.name} has no run(input, context?) method. Implement it (returning an Observable of AG-UI events), or extend AbstractAgent from @ag-ui/client.`,
    );
  }
}
