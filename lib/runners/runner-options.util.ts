import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import { INVALID_RUNNER_OPTION } from './runners.messages.js';

/** Checks a numeric runner option when the runner is built, so a typo fails the boot. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CopilotKitConfigurationError(INVALID_RUNNER_OPTION(name, value));
  }
  return value;
}
