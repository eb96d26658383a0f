import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';

/** Checks a numeric runner option when the runner is built, so a typo fails the boot. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CopilotKitConfigurationError(`runner option '${name}' must be a positive integer, got ${String(value)}.`);
  }
  return value;
}
