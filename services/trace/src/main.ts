// `npm start -w services/trace`: the trace service alone, over PostgreSQL and Kafka.
// Environment (read here only): DATABASE_URL, KAFKA_BROKERS (comma list) and IDENTITY_URL
// (required), PORT (default 8085), KAFKA_NAMESPACE (topic prefix, default none), LEDGER_URL (the
// ledger's base URL; the public resolver is mounted when given), MILKCHAIN_RESOLVER_BASE (the
// resolver's public base URL, default http://localhost:8080), CUSTODY_URL (where EPCIS capture
// sends its commands: a base URL serving /farm, /processor, /lab and /logistics, default
// LEDGER_URL), MILKCHAIN_OPERATOR_ORG and MILKCHAIN_LOG_ORIGIN (the ledger's, for the regulator's
// audit; defaults org_milkchain and none). With LEDGER_URL, recalls are written (signed through
// IDENTITY_URL, sent to the ledger through the trace service's outbox).
import type { Server } from 'node:http';
import { httpEventSigner } from '@milkchain/auth';
import { createKafkaBus } from '@milkchain/bus';
import { httpLedgerClient } from '@milkchain/custody';
import { jsonLogger } from '@milkchain/http';
import { migrate } from '@milkchain/store';
import { startTraceService } from './service.ts';

const env = process.env;
const missing = ['DATABASE_URL', 'KAFKA_BROKERS', 'IDENTITY_URL'].filter((k) => !env[k]);
if (missing.length > 0) {
  console.error(`trace: 请设置 ${missing.join(', ')} / set ${missing.join(', ')} (or run \`npm start\` at the repository root for the one-process mode)`);
  process.exit(2);
}
const port = Number(env.PORT ?? 8085);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a TCP port number, got "${env.PORT}"`);
  process.exit(2);
}
const logger = jsonLogger('trace');
await migrate(env.DATABASE_URL!);
const bus = createKafkaBus({ brokers: env.KAFKA_BROKERS!.split(',').map((s) => s.trim()).filter(Boolean), clientId: 'milkchain-trace', namespace: env.KAFKA_NAMESPACE || undefined, logger });
const running = await startTraceService({ databaseUrl: env.DATABASE_URL!, bus, logger, jwks: new URL('/identity/v1/jwks.json', env.IDENTITY_URL!),
  ...(env.LEDGER_URL ? { ledgerUrl: env.LEDGER_URL, identityUrl: env.IDENTITY_URL!, resolverBase: env.MILKCHAIN_RESOLVER_BASE || 'http://localhost:8080' } : {}),
  ...(env.CUSTODY_URL ? { custodyUrl: env.CUSTODY_URL } : {}),
  // Recalls are written through the custody write path: signed by identity, sent to the ledger.
  ...(env.LEDGER_URL ? { signer: httpEventSigner(env.IDENTITY_URL!), ledgerClient: httpLedgerClient(env.LEDGER_URL) } : {}),
  audit: { operatorOrg: env.MILKCHAIN_OPERATOR_ORG || 'org_milkchain', ...(env.MILKCHAIN_LOG_ORIGIN ? { origin: env.MILKCHAIN_LOG_ORIGIN } : {}) },
});
const server: Server = await new Promise((resolve, reject) => {
  const s = running.app.listen(port, '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(s)));
});
logger.info('trace listening', { port });
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info('trace stopping', { signal });
  server.close();
  await running.close();
  await bus.close();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
