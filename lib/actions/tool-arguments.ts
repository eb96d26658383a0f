import type { ActionCallResult } from '../interfaces/copilot-run-context.interface.js';
import { failure } from './action-result.js';
import type { ActionSchema } from './schema/action-schema.js';
import { ARGUMENTS_NOT_JSON, INVALID_ARGUMENTS } from './actions.messages.js';

/**
 * A model's tool-call arguments (an object or its JSON text; empty means `{}`), parsed and
 * validated against the tool's schema. On failure, the result the model is given instead, naming
 * each invalid field so it can correct itself. Actions and MCP tools both go through here.
 */
export async function readToolArguments(
  raw: unknown,
  schema: ActionSchema,
  name: string,
): Promise<{ ok: true; value: unknown; sent: unknown } | { ok: false; result: ActionCallResult }> {
  let value: unknown = raw;
  if (raw === undefined || raw === null || raw === '') value = {};
  else if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, result: failure('invalid_arguments', ARGUMENTS_NOT_JSON) };
    }
  }
  const validated = await schema.validate(value);
  // `sent`: what the model sent, parsed; `value`: what the schema made of it (a DTO instance, stripped).
  if (validated.ok) return { ok: true, value: validated.value, sent: value };
  const summary = validated.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return { ok: false, result: failure('invalid_arguments', INVALID_ARGUMENTS(name, summary), validated.issues) };
}
