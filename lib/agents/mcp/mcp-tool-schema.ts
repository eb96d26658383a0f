import { Logger } from '@nestjs/common';
import type { ActionSchema } from '../../actions/schema/action-schema.js';
import { forgetJsonSchema, jsonSchemaSource } from '../../actions/schema/json-schema.source.js';
import type { JsonSchema } from '../../interfaces/copilot-action-options.interface.js';
import { describeError } from './mcp-server-health.js';
import { MCP_TOOL_SCHEMA_REJECTED } from '../agents.messages.js';

const logger = new Logger('McpToolSource');

/**
 * Compiled schemas by their JSON text. Tool lists are fetched again and again (per TTL, per
 * caller), each time as new objects; compiling those anew would cost time. Bounded, oldest first
 * out, and what goes out is dropped by the compiler too, which otherwise keeps every schema.
 */
const compiled = new Map<string, ActionSchema | null>();
const MAX_COMPILED = 1_000;

/**
 * The tool's `inputSchema` as an ActionSchema, through the same JSON Schema validator as the
 * backend actions, so MCP arguments are checked before they are sent. A schema that does not
 * compile (or is not an object schema) leaves its tool out, reported once.
 */
export function compileToolSchema(inputSchema: unknown, location: string): ActionSchema | undefined {
  const text = JSON.stringify(inputSchema ?? null);
  let schema = compiled.get(text);
  if (schema === undefined) {
    try {
      schema = jsonSchemaSource(withoutId(inputSchema), location);
    } catch (error) {
      logger.warn(MCP_TOOL_SCHEMA_REJECTED(location, describeError(error)));
      schema = null;
    }
    if (compiled.size >= MAX_COMPILED) {
      const [oldestText, oldest] = compiled.entries().next().value!;
      compiled.delete(oldestText);
      if (oldest) forgetJsonSchema(oldest);
    }
    compiled.set(text, schema);
  }
  return schema ?? undefined;
}

/** Ajv registers a schema under its `$id` and refuses a second, different schema with the same one. */
function withoutId(schema: unknown): JsonSchema {
  if (typeof schema !== 'object' || schema === null) return { type: 'object', properties: {} };
  const { $id: _ignored, ...rest } = schema as JsonSchema;
  return rest;
}
