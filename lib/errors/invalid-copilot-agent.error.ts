import { CopilotKitConfigurationError } from './copilotkit-configuration.error.js';
import { shareClassIdentity } from '../platform/shared-class-identity.js';

/** A `@CopilotAgent` class that cannot run: it does not implement the AG-UI agent contract. */
export class InvalidCopilotAgentError extends CopilotKitConfigurationError {
  static {
    shareClassIdentity(this, 'InvalidCopilotAgentError');
  }

  override readonly name: string = 'InvalidCopilotAgentError';

  constructor(agentClass: Function) {
    super(
      `@CopilotAgent ${agentClass.name} has no run(input, context?) method. Implement it (returning an Observable of AG-UI events), or extend AbstractAgent from @ag-ui/client.`,
    );
  }
}
