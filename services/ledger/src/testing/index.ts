import type { Server } from 'node:http';
import { makeOrg } from '@milkchain/ledger/testing';
import { createPool, type Pool } from '@milkchain/store';
import { createLedgerApp } from '../app.ts';
import { generateLogKeyJwk, logKeyFromJwk, type LogKey } from '../keys.ts';
import { Sequencer } from '../sequencer.ts';
import { MemoryLedgerStore } from '../store/memory.ts';
import { PostgresLedgerStore } from '../store/postgres.ts';
import type { LedgerStore } from '../store/port.ts';

export type TestOrg = Awaited<ReturnType<typeof makeOrg>>;

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_OPERATOR = 'org_milkchain';

export interface TestLedger {
  url: string;
  store: LedgerStore;
  sequencer: Sequencer;
  logKey: LogKey;
  pool?: Pool;
  /** Makes an org key and registers it through the API. */
  registerOrg(org: string): Promise<TestOrg>;
  jwks(): Promise<{ keys: unknown[] }>;
  close(): Promise<void>;
}

/** The ledger app over a real store on an ephemeral port: what the HTTP tests talk to. */
export async function startTestLedger(options: { databaseUrl?: string; maxBatch?: number } = {}): Promise<TestLedger> {
  const pool = options.databaseUrl ? createPool(options.databaseUrl, 8) : undefined;
  const store: LedgerStore = pool ? new PostgresLedgerStore(pool) : new MemoryLedgerStore();
  const logKey = await logKeyFromJwk(await generateLogKeyJwk());
  await store.addLogKey(logKey.kid, logKey.publicJwk);
  const sequencer = new Sequencer({ store, logKey, origin: 'test.milkchain/ledger', maxBatch: options.maxBatch });
  await sequencer.start();
  const silent = { info() {}, warn() {}, error() {} };
  const app = createLedgerApp({ store, sequencer, logKey, operatorOrg: TEST_OPERATOR, adminToken: TEST_ADMIN_TOKEN, logger: silent });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    store,
    sequencer,
    logKey,
    pool,
    async registerOrg(org: string) {
      const made = await makeOrg(org);
      const res = await fetch(`${url}/ledger/v1/orgs/${org}/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        body: JSON.stringify({ jwk: made.publicJwk }),
      });
      if (res.status !== 201) throw new Error(`registering ${org}: HTTP ${res.status} ${await res.text()}`);
      return made;
    },
    async jwks() {
      return (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await sequencer.stop();
      await pool?.end();
    },
  };
}
