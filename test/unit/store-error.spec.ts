import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { isUnstorableInput } from '../../lib/runners/store-error.js';

/** The error a real call throws, to classify exactly what the drivers produce. */
async function errorOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('isUnstorableInput', () => {
  describe('PostgreSQL', () => {
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    beforeAll(async () => {
      await client.connect();
      await client.query('CREATE TEMP TABLE ids (id TEXT PRIMARY KEY)');
    });
    afterAll(() => client.end());

    it('is true for a NUL in text (SQLSTATE 22021) and an index row past the btree limit (54000)', async () => {
      const nul = await errorOf(() => client.query('SELECT $1::text', ['a\u0000b']));
      expect((nul as { code?: string }).code).toBe('22021');
      expect(isUnstorableInput(nul)).toBe(true);
      const tooLong = await errorOf(() => client.query('INSERT INTO ids VALUES ($1)', [randomBytes(5000).toString('hex')]));
      expect((tooLong as { code?: string }).code).toBe('54000');
      expect(isUnstorableInput(tooLong)).toBe(true);
    });

    it('is false for an error that is not about the values: a missing table, a refused connection', async () => {
      const missing = await errorOf(() => client.query('SELECT * FROM no_such_table'));
      expect(isUnstorableInput(missing)).toBe(false);
      const unreachable = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 2000 });
      const refused = await errorOf(() => unreachable.connect());
      expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
      expect(isUnstorableInput(refused)).toBe(false);
    });
  });

  describe('SQLite (better-sqlite3)', () => {
    const db = new Database(':memory:');
    afterAll(() => db.close());

    it('is true for values it cannot bind and for SQLITE_TOOBIG', async () => {
      const select = db.prepare('SELECT ? AS a');
      // What a query value given twice (`?agentId=a&agentId=b`) binds as: an array spreads into two.
      expect(isUnstorableInput(await errorOf(() => select.get(['a', 'b'])))).toBe(true);
      expect(isUnstorableInput(await errorOf(() => select.get(Symbol('x') as never)))).toBe(true);
      const tooBig = await errorOf(() => db.prepare('SELECT zeroblob(2000000000)').get());
      expect((tooBig as { code?: string }).code).toBe('SQLITE_TOOBIG');
      expect(isUnstorableInput(tooBig)).toBe(true);
    });

    it('is false for the store failing on its own: a missing table, a closed database', async () => {
      expect(isUnstorableInput(await errorOf(() => db.prepare('SELECT * FROM no_such_table')))).toBe(false);
      const closed = new Database(':memory:');
      closed.close();
      expect(isUnstorableInput(await errorOf(() => closed.prepare('SELECT 1')))).toBe(false);
    });
  });

  it('is false for anything else: plain errors, timeouts, non-errors', () => {
    expect(isUnstorableInput(new Error('connection terminated'))).toBe(false);
    expect(isUnstorableInput(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }))).toBe(false);
    expect(isUnstorableInput({ code: '22021' })).toBe(false);
    expect(isUnstorableInput(undefined)).toBe(false);
  });
});
