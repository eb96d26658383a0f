import { shareClassIdentity } from '../platform/shared-class-identity.js';
import { CONFIGURATION_PROBLEM, CONFIGURATION_PROBLEMS } from './errors.messages.js';

/**
 * Thrown while the application boots when CopilotKitModule is configured wrongly, so that a
 * mistake stops `NestFactory.create()` with a message that says what to fix, not the first request.
 */
export class CopilotKitConfigurationError extends Error {
  static {
    shareClassIdentity(this, 'CopilotKitConfigurationError');
  }

  override readonly name: string = 'CopilotKitConfigurationError';

  constructor(problems: string | string[]) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.length === 1 ? CONFIGURATION_PROBLEM(list[0]) : CONFIGURATION_PROBLEMS(list));
  }
}
