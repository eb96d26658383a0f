/** Injection token of the resolved (validated, defaulted) module options. */
export const COPILOTKIT_OPTIONS = Symbol.for('nestjs-copilotkit:options');

/** Default route prefix of the CopilotKit controller. */
export const DEFAULT_COPILOTKIT_PATH = 'copilotkit';
