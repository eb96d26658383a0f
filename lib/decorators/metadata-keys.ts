/** Metadata of `@CopilotAction()` on a method. */
export const COPILOT_ACTION_METADATA = 'nestjs-copilotkit:action';
/** Metadata of `@CopilotAgent()` on a class. */
export const COPILOT_AGENT_METADATA = 'nestjs-copilotkit:agent';
/** Marks a `@CopilotHooks()` provider. */
export const COPILOT_HOOKS_METADATA = 'nestjs-copilotkit:hooks';
