import { ActionSchemaCache } from '../../lib/actions/schema/action-schema-cache.js';
import { compiledJsonSchemaCount } from '../../lib/actions/schema/json-schema.source.js';

/** An actions factory returns fresh literals on every run: each must not compile a schema of its own. */
describe("the schema cache of an actions factory's actions", () => {
  const list = () => [{ name: 'id', type: 'number' as const }];
  const json = () => ({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] });

  it('resolves the same content once, whatever object carries it', async () => {
    const cache = new ActionSchemaCache();
    const before = compiledJsonSchemaCount();
    const first = await cache.resolve(list(), 'a');
    for (let run = 0; run < 50; run++) {
      expect(await cache.resolve(list(), 'a')).toBe(first);
      await cache.resolve(json(), 'b');
      await cache.resolve(undefined, 'c');
    }
    expect(compiledJsonSchemaCount() - before).toBe(3);
  });

  it('keeps at most 500 contents, and the compiler forgets the ones it drops', async () => {
    const cache = new ActionSchemaCache();
    const before = compiledJsonSchemaCount();
    for (let i = 0; i < 700; i++) await cache.resolve({ type: 'object', properties: { [`p${i}`]: { type: 'string' } } }, 'x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(compiledJsonSchemaCount() - before).toBe(500);
  });

  it('does not keep a schema that failed, so the next run reports the error again', async () => {
    const cache = new ActionSchemaCache();
    const broken = () => ({ type: 'string' });
    await expect(cache.resolve(broken(), "factory's action [0]")).rejects.toThrow(/object schema/);
    await expect(cache.resolve(broken(), "factory's action [0]")).rejects.toThrow(/object schema/);
  });
});
