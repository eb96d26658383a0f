import type { JsonSchema, StandardSchemaLike } from '../../interfaces/copilot-action-options.interface.js';
import { formatFieldPath } from '../../errors/field-path.js';
import { MISSING_SCHEMA_PACKAGE, STANDARD_SCHEMA_WITHOUT_JSON_SCHEMA } from '../actions.messages.js';
import { asToolSchema, type ActionSchema, type ValidationOutcome } from './action-schema.js';

interface StandardResult {
  value?: unknown;
  issues?: ReadonlyArray<{ message: string; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }>;
}

/**
 * A Standard Schema (zod, valibot, arktype, ...): it validates the arguments itself, and its JSON
 * Schema comes from the Standard JSON Schema interface when it has one, else from the vendor's
 * own converter.
 */
export async function standardSchemaSource(schema: StandardSchemaLike, location: string): Promise<ActionSchema> {
  const jsonSchema = asToolSchema(await toJsonSchema(schema, location), location);
  return {
    jsonSchema,
    async validate(value): Promise<ValidationOutcome> {
      const result = (await schema['~standard'].validate(value)) as StandardResult;
      if (!result.issues) return { ok: true, value: result.value };
      return {
        ok: false,
        issues: result.issues.map((issue) => ({
          path: formatFieldPath((issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment))),
          message: issue.message,
        })),
      };
    },
  };
}

async function toJsonSchema(schema: StandardSchemaLike, location: string): Promise<JsonSchema> {
  const standard = schema['~standard'] as StandardSchemaLike['~standard'] & {
    jsonSchema?: { input(options: { target: string }): JsonSchema };
  };
  if (typeof standard.jsonSchema?.input === 'function') return standard.jsonSchema.input({ target: 'draft-07' });
  if (standard.vendor === 'zod' && '_zod' in schema) {
    const { toJSONSchema } = await import('zod/v4/core');
    return toJSONSchema(schema as never, { io: 'input', target: 'draft-7' }) as JsonSchema;
  }
  if (standard.vendor === 'zod') {
    const { zodToJsonSchema } = await optional<typeof import('zod-to-json-schema')>('zod-to-json-schema', location, 'zod 3 schemas');
    return zodToJsonSchema(schema as never, { target: 'jsonSchema7', $refStrategy: 'none' }) as JsonSchema;
  }
  if (standard.vendor === 'valibot') {
    const { toJsonSchema } = await optional<typeof import('@valibot/to-json-schema')>(
      '@valibot/to-json-schema',
      location,
      'valibot schemas',
    );
    return toJsonSchema(schema as never) as JsonSchema;
  }
  throw new Error(STANDARD_SCHEMA_WITHOUT_JSON_SCHEMA(location, standard.vendor));
}

async function optional<T>(packageName: string, location: string, purpose: string): Promise<T> {
  try {
    return (await import(packageName)) as T;
  } catch {
    throw new Error(MISSING_SCHEMA_PACKAGE(location, packageName, purpose));
  }
}
