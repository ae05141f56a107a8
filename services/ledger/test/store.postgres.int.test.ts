import { afterAll, inject } from 'vitest';
import { createPool, type Pool } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { PostgresLedgerStore } from '../src/store/postgres.ts';
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
