import type { JsonSchema } from '../../interfaces/copilot-action-options.interface.js';
import { NOT_AN_OBJECT_SCHEMA } from '../actions.messages.js';

export interface SchemaIssue {
  /** Dotted path of the argument, empty for the arguments object itself. */
  path: string;
  message: string;
}

export type ValidationOutcome = { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] };

/**
 * The one internal representation of an action's parameters, whatever they were declared with:
 * the JSON Schema the model sees, and the check the arguments pass before the method runs.
 */
export interface ActionSchema {
  /** Always an object schema (tool arguments are an object), without `$schema`. */
  readonly jsonSchema: JsonSchema;
  /** On success, `value` is what the method receives (a DTO instance for a class-validator DTO). */
  validate(value: unknown): Promise<ValidationOutcome>;
}

/** Tool schemas must describe an object; providers reject anything else. */
export function asToolSchema(schema: JsonSchema, location: string): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  const type = rest.type ?? (rest.properties ? 'object' : undefined);
  if (type !== 'object') {
    throw new Error(NOT_AN_OBJECT_SCHEMA(location, type ?? rest));
  }
  return { ...rest, type: 'object', properties: rest.properties ?? {} };
}
