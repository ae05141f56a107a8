// The ledger service alone: `npm start -w services/ledger` with DATABASE_URL (and
// MILKCHAIN_ADMIN_TOKEN) set.
import { createKafkaBus } from '@milkchain/bus';
import { jsonLogger } from '@milkchain/http';
import { loadConfig } from './config.ts';
import { buildLedger, listen } from './service.ts';

const config = loadConfig();
if (!config.databaseUrl) {
  console.error('DATABASE_URL is not set: the ledger service alone needs a PostgreSQL URL (or run `npm start` at the repository root for the one-process mode).');
  process.exit(2);
}
if (!config.adminToken) {
  console.error('MILKCHAIN_ADMIN_TOKEN is not set: the ledger needs it to guard key registration.');
  process.exit(2);
}
// With KAFKA_BROKERS the ledger also takes submissions from the services' outboxes and
// publishes its log on the bus (KAFKA_NAMESPACE prefixes the topic names).
const logger = jsonLogger('ledger');
const brokers = process.env.KAFKA_BROKERS?.split(',').map((s) => s.trim()).filter(Boolean);
const bus = brokers?.length ? createKafkaBus({ brokers, clientId: 'milkchain-ledger', namespace: process.env.KAFKA_NAMESPACE || undefined, logger }) : undefined;
const ledger = await buildLedger({ ...config, databaseUrl: config.databaseUrl, adminToken: config.adminToken }, logger, { bus });
const server = await listen(ledger.app, config.port);
const address = server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
console.log(JSON.stringify({ level: 'info', msg: 'ledger listening', port, treeSize: ledger.sequencer.size }));

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(JSON.stringify({ level: 'info', msg: 'ledger stopping', signal }));
  server.close();
  await ledger.close();
  await bus?.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
