import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPool, type Pool } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { arrayLiteral, PostgresLedgerStore } from '../src/store/postgres.ts';
import { ledgerStoreContract } from './store.contract.ts';

// A fresh database per test: the contract starts every case from an empty log.
const pools: Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

ledgerStoreContract('PostgreSQL', async () => {
  const pool = createPool(await createTestDatabase(inject('postgresUrl'), 'store'));
  pools.push(pool);
  return new PostgresLedgerStore(pool);
});

describe('arrayLiteral: the array parameters the store writes itself', () => {
  it('reads back in PostgreSQL as exactly the values given, whatever their characters', async () => {
    const pool = createPool(await createTestDatabase(inject('postgresUrl'), 'arrays'));
    pools.push(pool);
    const texts = ['urn:milkchain:collection:org_a:x', '', 'NULL', 'a,b', '{braces}', ' spaced ', '引号"内', 'back\\slash', '牛奶 🐄', null];
    const plain = texts.filter((t) => t === null || !/["\\]/.test(t));
    expect(typeof arrayLiteral(plain)).toBe('string'); // the fast path, not node-postgres's escaping
    for (const values of [texts, plain]) {
      const { rows } = await pool.query<{ v: Array<string | null> }>('SELECT $1::text[] AS v', [arrayLiteral(values)]);
      expect(rows[0]!.v).toEqual(values);
    }
    const numbers = [0, 1, -7, 2 ** 40, null];
    expect((await pool.query<{ v: Array<string | null> }>('SELECT $1::bigint[] AS v', [arrayLiteral(numbers)])).rows[0]!.v).toEqual(['0', '1', '-7', String(2 ** 40), null]);
    const flags = [true, false, null];
    expect((await pool.query<{ v: Array<boolean | null> }>('SELECT $1::boolean[] AS v', [arrayLiteral(flags)])).rows[0]!.v).toEqual(flags);
    expect((await pool.query<{ v: string[] }>('SELECT $1::text[] AS v', [arrayLiteral([])])).rows[0]!.v).toEqual([]);
  });
});
