import { IsIn, IsNumber, IsOptional, IsString } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import * as v from 'valibot';
import { z as z3 } from 'zod';
import { z } from 'zod/v4';
import { resolveActionSchema } from '../../lib/actions/schema/resolve-action-schema.js';
import type { ActionParameters, JsonSchema } from '../../lib/index.js';

class EstimateDto {
  @JSONSchema({ description: 'Task title' })
  @IsString()
  title!: string;

  @IsIn(['low', 'high'])
  priority!: string;

  @IsOptional()
  @IsNumber()
  hours?: number;
}

/** One shape, declared in each supported form. */
const forms: Array<[string, ActionParameters]> = [
  ['class-validator DTO', EstimateDto],
  [
    'JSON Schema',
    {
      type: 'object',
      properties: {
        title: { type: 'string', description: 'Task title' },
        priority: { type: 'string', enum: ['low', 'high'] },
        hours: { type: 'number' },
      },
      required: ['title', 'priority'],
    },
  ],
  ['zod 4', z.object({ title: z.string().describe('Task title'), priority: z.enum(['low', 'high']), hours: z.number().optional() })],
  ['zod 3', z3.object({ title: z3.string().describe('Task title'), priority: z3.enum(['low', 'high']), hours: z3.number().optional() })],
  [
    'valibot',
    v.object({
      title: v.pipe(v.string(), v.description('Task title')),
      priority: v.picklist(['low', 'high']),
      hours: v.optional(v.number()),
    }),
  ],
  [
    'CopilotKit parameter list',
    [
      { name: 'title', type: 'string', description: 'Task title' },
      { name: 'priority', type: 'string', enum: ['low', 'high'] },
      { name: 'hours', type: 'number', required: false },
    ],
  ],
];

/** What a model reads of a schema: each property's type, values and description, and what is required. */
function essence(schema: JsonSchema) {
  const properties = schema.properties as Record<string, JsonSchema>;
  return {
    type: schema.type,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, p]) => [name, { type: p.type ?? 'string', enum: p.enum, description: p.description }]),
    ),
    required: [...((schema.required as string[]) ?? [])].sort(),
  };
}

describe('action schemas', () => {
  it.each(forms)('gives the model the same JSON Schema for a %s', async (form, parameters) => {
    const schema = await resolveActionSchema(parameters, form);
    expect(schema.jsonSchema.$schema).toBeUndefined();
    expect(essence(schema.jsonSchema)).toEqual({
      type: 'object',
      properties: {
        title: { type: 'string', enum: undefined, description: 'Task title' },
        priority: { type: 'string', enum: ['low', 'high'], description: undefined },
        hours: { type: 'number', enum: undefined, description: undefined },
      },
      required: ['priority', 'title'],
    });
  });

  it.each(forms)('accepts and rejects the same arguments for a %s', async (form, parameters) => {
    const schema = await resolveActionSchema(parameters, form);
    expect(await schema.validate({ title: 'Docs', priority: 'low', hours: 2 })).toMatchObject({ ok: true });
    expect(await schema.validate({ title: 'Docs', priority: 'low' })).toMatchObject({ ok: true });
    const wrong = await schema.validate({ title: 5, priority: 'urgent' });
    expect(wrong.ok).toBe(false);
    expect(wrong.ok === false && wrong.issues.map((issue) => issue.path).sort()).toEqual(['priority', 'title']);
  });

  it('describes nested DTOs in place, without $ref', async () => {
    const { CreateTaskDto } = await import('../fixtures/task-board/create-task.dto.js');
    const schema = await resolveActionSchema(CreateTaskDto, 'CreateTaskDto');
    expect(JSON.stringify(schema.jsonSchema)).not.toContain('$ref');
    expect((schema.jsonSchema.properties as Record<string, JsonSchema>).assignee).toMatchObject({
      type: 'object',
      properties: { email: { type: 'string', format: 'email', description: 'Who does the work' } },
    });
  });

  it('describes an action without arguments as an empty object', async () => {
    const schema = await resolveActionSchema(undefined, 'none');
    expect(schema.jsonSchema).toEqual({ type: 'object', properties: {}, additionalProperties: false });
    expect(await schema.validate({})).toEqual({ ok: true, value: {} });
  });
});
