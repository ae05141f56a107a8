import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, type Pool } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { createPgLabelCache } from '../src/index.ts';
import { labelCacheContract } from './cache.contract.ts';

let pool: Pool;
const pools: Pool[] = [];
let url: string;

beforeAll(async () => {
  url = await createTestDatabase(inject('postgresUrl'), 'labels');
  pool = createPool(url, 4);
  pools.push(pool);
});
afterAll(() => Promise.all(pools.map((p) => p.end())));

describe('PostgreSQL LabelCache (labels_qr)', () => {
  // Every other cache on its own pool, as another process would have.
  let n = 0;
  labelCacheContract(() => {
    if (n++ % 2 === 0) return createPgLabelCache(pool);
    const other = createPool(url, 2);
    pools.push(other);
    return createPgLabelCache(other);
  });

  it('keeps each code in one row of labels_qr, with its creation time', async () => {
    const cache = createPgLabelCache(pool);
    const uri = `https://id.milkchain.example/00/106141411234567897?t=${Date.now()}`;
    await cache.putIfAbsent({ uri, svg: '<svg/>', png: Buffer.from([0, 1, 2]) });
    await cache.putIfAbsent({ uri, svg: '<svg>2</svg>', png: Buffer.from([3]) });
    const { rows } = await pool.query<{ svg: string; png: Buffer; created_at: Date }>('SELECT svg, png, created_at FROM labels_qr WHERE uri = $1', [uri]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.svg).toBe('<svg/>');
    expect([...rows[0]!.png]).toEqual([0, 1, 2]);
    expect(rows[0]!.created_at).toBeInstanceOf(Date);
  });
});
