import type { Type } from '@nestjs/common';
import type { JsonSchema } from '../../interfaces/copilot-action-options.interface.js';
import { asToolSchema, type ActionSchema, type SchemaIssue } from './action-schema.js';
import { formatFieldPath } from '../../errors/field-path.js';
import { ISSUE_NOT_AN_OBJECT, MISSING_CLASS_VALIDATOR } from '../actions.messages.js';

type ValidationErrorLike = { property: string; constraints?: Record<string, string>; children?: ValidationErrorLike[] };

/**
 * A class-validator DTO: its JSON Schema is derived from its decorators (descriptions come from
 * `@JSONSchema({ description })` of class-validator-jsonschema; nested objects need
 * class-transformer's `@Type()`), and arguments are turned into an instance and validated the
 * way Nest's ValidationPipe does, unknown properties stripped.
 */
export async function classValidatorSource(dto: Type<object>, location: string): Promise<ActionSchema> {
  const [validator, transformer, jsonSchema, storage] = await loadPeers(location);
  const options = { classTransformerMetadataStorage: storage.defaultMetadataStorage as never, refPointerPrefix: '#/definitions/' };
  const definitions = jsonSchema.validationMetadatasToSchemas(options) as Record<string, JsonSchema>;
  const root = inlineRefs(jsonSchema.targetConstructorToSchema(dto, options) as JsonSchema, definitions, new Set([dto.name]));
  const schema = asToolSchema(root, location);
  return {
    jsonSchema: schema,
    async validate(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { ok: false, issues: [{ path: '', message: ISSUE_NOT_AN_OBJECT }] };
      }
      const instance = transformer.plainToInstance(dto, value);
      const errors = (await validator.validate(instance, { whitelist: true })) as ValidationErrorLike[];
      return errors.length === 0 ? { ok: true, value: instance } : { ok: false, issues: flatten(errors, []) };
    },
  };
}

function flatten(errors: ValidationErrorLike[], parents: string[]): SchemaIssue[] {
  return errors.flatMap((error) => {
    const segments = [...parents, error.property];
    const path = formatFieldPath(segments);
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], segments)];
  });
}

/** Providers take self-contained schemas: nested DTOs are written out in place of `$ref`s. */
function inlineRefs(node: unknown, definitions: Record<string, JsonSchema>, seen: Set<string>): JsonSchema {
  if (Array.isArray(node)) return node.map((item) => inlineRefs(item, definitions, seen)) as unknown as JsonSchema;
  if (typeof node !== 'object' || node === null) return node as JsonSchema;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
    const name = ref.slice('#/definitions/'.length);
    // A DTO that contains itself cannot be written out; the model gets a plain object there.
    if (seen.has(name) || !definitions[name]) return { type: 'object' };
    return inlineRefs(definitions[name], definitions, new Set([...seen, name]));
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inlineRefs(value, definitions, seen)]));
}

const CLASS_TRANSFORMER_STORAGE = 'class-transformer/cjs/storage.js';

async function loadPeers(location: string) {
  try {
    return await Promise.all([
      import('class-validator'),
      import('class-transformer'),
      import('class-validator-jsonschema'),
      // Decorators register in the storage of the build Node loads (CommonJS); read that one.
      import(CLASS_TRANSFORMER_STORAGE) as Promise<{ defaultMetadataStorage: unknown }>,
    ]);
  } catch {
    throw new Error(MISSING_CLASS_VALIDATOR(location));
  }
}
