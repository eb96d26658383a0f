import { Ajv, type ErrorObject } from 'ajv';
import type { JsonSchema } from '../../interfaces/copilot-action-options.interface.js';
import { asToolSchema, type ActionSchema } from './action-schema.js';
import { formatFieldPath } from '../../errors/field-path.js';
import { INVALID_JSON_SCHEMA, ISSUE_INVALID, ISSUE_NOT_IN_ENUM, ISSUE_REQUIRED, ISSUE_UNKNOWN_PROPERTY } from '../actions.messages.js';

// One compiler for every JSON Schema action; formats are descriptive for the model, not enforced.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

/** A plain JSON Schema, compiled once at boot so a broken schema fails the app, not the call. */
export function jsonSchemaSource(schema: JsonSchema, location: string): ActionSchema {
  const jsonSchema = asToolSchema(schema, location);
  let check: ReturnType<typeof ajv.compile>;
  try {
    check = ajv.compile(jsonSchema);
  } catch (error) {
    throw new Error(INVALID_JSON_SCHEMA(location, error instanceof Error ? error.message : String(error)), { cause: error });
  }
  return {
    jsonSchema,
    async validate(value) {
      if (check(value)) return { ok: true, value };
      return { ok: false, issues: (check.errors ?? []).map(describeAjvError) };
    },
  };
}

/**
 * Lets the compiler drop a schema compiled by `jsonSchemaSource`: Ajv keeps every schema it
 * compiled, which is right for actions (a fixed set, compiled at boot) but not for schemas that
 * come and go, such as the tool lists of MCP servers.
 */
export function forgetJsonSchema(schema: ActionSchema): void {
  ajv.removeSchema(schema.jsonSchema);
}

/** How many schemas the compiler holds (for the tests of the bounds above). */
export function compiledJsonSchemaCount(): number {
  return (ajv as unknown as { _cache: Map<unknown, unknown> })._cache.size;
}

function describeAjvError(error: ErrorObject): { path: string; message: string } {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  const path = formatFieldPath(segments);
  const message =
    error.keyword === 'required'
      ? ISSUE_REQUIRED
      : error.keyword === 'enum'
        ? ISSUE_NOT_IN_ENUM(error.params.allowedValues)
        : error.keyword === 'additionalProperties'
          ? ISSUE_UNKNOWN_PROPERTY(String(error.params.additionalProperty))
          : (error.message ?? ISSUE_INVALID);
  return { path, message };
}
