import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, type Pool } from '../src/index.ts';
import { createTestDatabase } from '../src/testing/index.ts';

describe('createPool: parameterised queries as prepared statements', () => {
  let pool: Pool;
  beforeAll(async () => {
    pool = createPool(await createTestDatabase(inject('postgresUrl'), 'pool'), 1); // one connection: one session to look at
  });
  afterAll(() => pool.end());

  const prepared = async () =>
    (await pool.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY statement')).rows;

  it('prepares each parameterised text once per connection, under one name per text, and answers as before', async () => {
    expect((await pool.query('SELECT $1::int + 1 AS x', [41])).rows).toEqual([{ x: 42 }]);
    expect((await pool.query({ text: 'SELECT $1::int + 1 AS x', values: [1] })).rows).toEqual([{ x: 2 }]);
    expect((await pool.query('SELECT $1::text AS y', ['牛奶'])).rows).toEqual([{ y: '牛奶' }]);
    const statements = await prepared();
    expect(statements.map((s) => s.statement)).toEqual(['SELECT $1::int + 1 AS x', 'SELECT $1::text AS y']);
    expect(new Set(statements.map((s) => s.name)).size).toBe(2);
  });

  it('sends queries without parameters, several statements in one, and COPY as they are', async () => {
    const before = await prepared();
    await pool.query('CREATE TABLE IF NOT EXISTS pool_t (a int)');
    await pool.query('BEGIN; INSERT INTO pool_t VALUES (1); COMMIT');
    const client = await pool.connect();
    try {
      await pipeline(Readable.from(['2\n', '3\n']), client.query(copyFrom('COPY pool_t (a) FROM STDIN')));
    } finally {
      client.release();
    }
    expect((await pool.query('SELECT sum(a)::int AS s FROM pool_t')).rows).toEqual([{ s: 6 }]);
    expect(await prepared()).toEqual(before);
  });

  it('keeps a name the caller gave', async () => {
    await pool.query({ name: 'mine', text: 'SELECT $1::int AS z', values: [7] });
    expect((await prepared()).find((s) => s.statement === 'SELECT $1::int AS z')?.name).toBe('mine');
  });
});
