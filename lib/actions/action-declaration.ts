import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import type { ActionApprovalOptions, ActionParameters } from '../interfaces/copilot-action-options.interface.js';
import type { ActionSchema } from './schema/action-schema.js';
import { resolveActionSchema } from './schema/resolve-action-schema.js';
import { MODEL_TOOL_NAME } from './tool-name.js';
import { ACTION_WITHOUT_DESCRIPTION, INVALID_ACTION_NAME, INVALID_APPROVAL_EXPIRY } from './actions.messages.js';

export interface DeclaredAction {
  name: string;
  description: unknown;
  parameters?: ActionParameters;
  approval?: boolean | ActionApprovalOptions;
}

/**
 * The checks every action passes, whether a `@CopilotAction()` method or a plain action given to
 * `forRoot`: a description, a name the providers accept, parameters that make a schema, a valid
 * approval. `subject` names the declaration in each message.
 */
export async function checkActionDeclaration(
  declared: DeclaredAction,
  subject: string,
  schemaOf: () => Promise<ActionSchema> = () => resolveActionSchema(declared.parameters, subject),
): Promise<{ description: string; schema: ActionSchema; approval: ActionApprovalOptions | undefined }> {
  const { name, description } = declared;
  if (typeof description !== 'string' || description.trim() === '') {
    throw new CopilotKitConfigurationError(ACTION_WITHOUT_DESCRIPTION(subject));
  }
  if (typeof name !== 'string' || !MODEL_TOOL_NAME.test(name)) {
    throw new CopilotKitConfigurationError(INVALID_ACTION_NAME(subject, name));
  }
  let schema: ActionSchema;
  try {
    schema = await schemaOf();
  } catch (error) {
    throw new CopilotKitConfigurationError(error instanceof Error ? error.message : String(error));
  }
  const approval = declared.approval === true ? {} : declared.approval || undefined;
  if (approval?.expiresInMs !== undefined && !(Number.isSafeInteger(approval.expiresInMs) && approval.expiresInMs > 0)) {
    throw new CopilotKitConfigurationError(INVALID_APPROVAL_EXPIRY(subject));
  }
  return { description, schema, approval };
}
