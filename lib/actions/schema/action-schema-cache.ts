import type { ActionParameters } from '../../interfaces/copilot-action-options.interface.js';
import type { ActionSchema } from './action-schema.js';
import { forgetJsonSchema } from './json-schema.source.js';
import { resolveActionSchema } from './resolve-action-schema.js';

const MAX_CONTENT_ENTRIES = 500;

/**
 * Schemas of actions an `actions` factory builds for every run. Resolving them each time would
 * compile each JSON Schema again per run, and the compiler keeps every schema it compiled; so a
 * schema is resolved once per parameters object, and once per content for the fresh literals a
 * factory usually returns, with the least recently used content forgotten past a bound.
 */
export class ActionSchemaCache {
  private readonly byIdentity = new WeakMap<object, Promise<ActionSchema>>();
  private readonly byContent = new Map<string, Promise<ActionSchema>>();

  resolve(parameters: ActionParameters | undefined, subject: string): Promise<ActionSchema> {
    const identity = (typeof parameters === 'object' && parameters !== null) || typeof parameters === 'function' ? parameters : undefined;
    const known = identity && this.byIdentity.get(identity);
    if (known) return known;
    // Classes and Standard Schemas are long-lived objects; only data (lists, JSON Schemas) is keyed by content.
    const key =
      typeof identity === 'object' && !('~standard' in identity) ? contentKey(identity) : parameters === undefined ? '' : undefined;
    let schema = key === undefined ? undefined : this.byContent.get(key);
    if (schema && key !== undefined) {
      this.byContent.delete(key);
      this.byContent.set(key, schema);
    } else {
      schema = resolveActionSchema(parameters, subject);
      if (key !== undefined) this.remember(key, schema);
    }
    if (identity) this.byIdentity.set(identity, schema);
    return schema;
  }

  private remember(key: string, schema: Promise<ActionSchema>): void {
    this.byContent.set(key, schema);
    // A schema that failed to resolve is not kept: the next run reports the same error afresh.
    schema.catch(() => this.byContent.get(key) === schema && this.byContent.delete(key));
    if (this.byContent.size <= MAX_CONTENT_ENTRIES) return;
    const [oldestKey, oldest] = this.byContent.entries().next().value!;
    this.byContent.delete(oldestKey);
    oldest.then(forgetJsonSchema, () => undefined);
  }
}

function contentKey(value: object): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
