import type { Server } from 'node:http';
import { createPool, migrate, type Pool } from '@milkchain/store';
import { jsonLogger, type Logger } from '@milkchain/http';
import type { Bus } from '@milkchain/bus';
import { OrgKeyCache } from './admission.ts';
import { createLedgerApp } from './app.ts';
import { startLedgerPublisher, startSubmissionConsumer } from './bridge.ts';
import { LedgerLog } from './log.ts';
import { loadOrCreateLogKey, type LogKey } from './keys.ts';
import { Sequencer } from './sequencer.ts';
import { acquireWriterLease, PostgresLedgerStore } from './store/postgres.ts';
import type { LedgerConfig } from './config.ts';

export interface RunningLedger {
  pool: Pool;
  store: PostgresLedgerStore;
  sequencer: Sequencer;
  logKey: LogKey;
  app: ReturnType<typeof createLedgerApp>;
  close(): Promise<void>;
}

/**
 * Builds the ledger over a PostgreSQL database: migrations, the writer lease, the log key, the
 * sequencer and the app. Shared by `main.ts` (the service alone) and the one-process mode.
 */
export async function buildLedger(
  config: LedgerConfig & { databaseUrl: string; adminToken: string },
  logger: Logger = jsonLogger('ledger'),
  options: { bus?: Bus } = {},
): Promise<RunningLedger> {
  await migrate(config.databaseUrl);
  const pool = createPool(config.databaseUrl, 16);
  const lease = await acquireWriterLease(config.databaseUrl);
  const store = new PostgresLedgerStore(pool);
  const logKey = await loadOrCreateLogKey(config.logKeyFile);
  await store.addLogKey(logKey.kid, logKey.publicJwk);
  const sequencer = new Sequencer({ store, logKey, origin: config.origin });
  await sequencer.start();
  const app = createLedgerApp({ store, sequencer, logKey, operatorOrg: config.operatorOrg, adminToken: config.adminToken, logger });
  // On the bus: admit submissions from the services' outboxes, publish the log and refusals.
  const bus = options.bus;
  const log = new LedgerLog(store, sequencer);
  const publisher = bus ? startLedgerPublisher({ bus, pool, log, sequencer, logger }) : undefined;
  const consumer = bus ? await startSubmissionConsumer({ bus, pool, store, sequencer, log, keys: new OrgKeyCache(store), logger }) : undefined;
  return {
    pool,
    store,
    sequencer,
    logKey,
    app,
    async close() {
      await consumer?.stop();
      await publisher?.stop();
      await sequencer.stop();
      await lease.release();
      await pool.end();
    },
  };
}

export function listen(app: RunningLedger['app'], port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}
