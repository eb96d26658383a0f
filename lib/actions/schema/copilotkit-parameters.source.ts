import type { CopilotKitParameter, JsonSchema } from '../../interfaces/copilot-action-options.interface.js';
import type { ActionSchema } from './action-schema.js';
import { jsonSchemaSource } from './json-schema.source.js';
import { PARAMETER_WITHOUT_NAME, UNKNOWN_PARAMETER_TYPE } from '../actions.messages.js';

/** The CopilotKit v1 list form (`[{ name, type, description, required, enum, attributes }]`). */
export function copilotKitParametersSource(parameters: CopilotKitParameter[], location: string): ActionSchema {
  return jsonSchemaSource(toObjectSchema(parameters, location), location);
}

function toObjectSchema(parameters: CopilotKitParameter[], location: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    if (typeof parameter?.name !== 'string' || parameter.name.length === 0) {
      throw new Error(PARAMETER_WITHOUT_NAME(location));
    }
    properties[parameter.name] = toPropertySchema(parameter, `${location} parameter '${parameter.name}'`);
    if (parameter.required !== false) required.push(parameter.name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

function toPropertySchema(parameter: CopilotKitParameter, location: string): JsonSchema {
  const type = parameter.type ?? 'string';
  const isArray = type.endsWith('[]');
  const base = isArray ? type.slice(0, -2) : type;
  if (!['string', 'number', 'boolean', 'object'].includes(base)) throw new Error(UNKNOWN_PARAMETER_TYPE(location, type));
  let item: JsonSchema = base === 'object' ? toObjectSchema(parameter.attributes ?? [], location) : { type: base };
  if (parameter.enum) item = { ...item, enum: parameter.enum };
  const schema: JsonSchema = isArray ? { type: 'array', items: item } : item;
  return parameter.description ? { ...schema, description: parameter.description } : schema;
}
