import type { Type } from '@nestjs/common';
import type { ActionParameters, JsonSchema, StandardSchemaLike } from '../../interfaces/copilot-action-options.interface.js';
import type { ActionSchema } from './action-schema.js';
import { classValidatorSource } from './class-validator.source.js';
import { copilotKitParametersSource } from './copilotkit-parameters.source.js';
import { jsonSchemaSource } from './json-schema.source.js';
import { standardSchemaSource } from './standard-schema.source.js';
import { INVALID_PARAMETERS } from '../actions.messages.js';

/** An action whose method takes no arguments. */
const NO_ARGUMENTS = { type: 'object', properties: {}, additionalProperties: false };

/** Turns any supported declaration of parameters into the one internal `ActionSchema`. */
export async function resolveActionSchema(parameters: ActionParameters | undefined, location: string): Promise<ActionSchema> {
  if (parameters === undefined) return jsonSchemaSource(NO_ARGUMENTS, location);
  if (Array.isArray(parameters)) return copilotKitParametersSource(parameters, location);
  if (typeof parameters === 'function') return classValidatorSource(parameters as Type<object>, location);
  if (typeof parameters === 'object' && parameters !== null) {
    if ('~standard' in parameters) return standardSchemaSource(parameters as StandardSchemaLike, location);
    return jsonSchemaSource(parameters as JsonSchema, location);
  }
  throw new Error(INVALID_PARAMETERS(location));
}
