import { CopilotKitConfigurationError } from './copilotkit-configuration.error.js';
import { shareClassIdentity } from '../platform/shared-class-identity.js';
import { AGENT_CLASS_WITHOUT_RUN } from './errors.messages.js';

/** A `@CopilotAgent` class that cannot run: it does not implement the AG-UI agent contract. */
export class InvalidCopilotAgentError extends CopilotKitConfigurationError {
  static {
    shareClassIdentity(this, 'InvalidCopilotAgentError');
  }

  override readonly name: string = 'InvalidCopilotAgentError';

  constructor(agentClass: Function) {
    super(AGENT_CLASS_WITHOUT_RUN(agentClass.name));
  }
}
