import { compiledJsonSchemaCount } from '../../lib/actions/schema/json-schema.source.js';
import { compileToolSchema } from '../../lib/agents/mcp/mcp-tool-schema.js';

const schemaOf = (index: number) => ({
  $id: `https://tools.example/${index}`,
  type: 'object',
  properties: { [`field${index}`]: { type: 'string' } },
  required: [`field${index}`],
});

describe('the compiled schemas of MCP tools', () => {
  it('stay bounded in the JSON Schema compiler too, however many distinct tool schemas servers send', async () => {
    const before = compiledJsonSchemaCount();
    for (let index = 0; index < 1500; index++) expect(compileToolSchema(schemaOf(index), `tool ${index}`)).toBeDefined();
    expect(compiledJsonSchemaCount() - before).toBeLessThanOrEqual(1000);

    // A schema that went out compiles again, and still checks what it should.
    const again = compileToolSchema(schemaOf(0), 'tool 0')!;
    expect(await again.validate({ field0: 'x' })).toMatchObject({ ok: true });
    expect(await again.validate({})).toMatchObject({ ok: false });
  });
});
