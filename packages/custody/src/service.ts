import type { Server } from 'node:http';
import { createTokenVerifier, httpEventSigner, type EventSigner, type TokenVerifier } from '@milkchain/auth';
import { createKafkaBus, startOutboxRelay, type Bus, type Subscription } from '@milkchain/bus';
import type { ServiceName } from '@milkchain/domain';
import { jsonLogger, type Logger } from '@milkchain/http';
import { createPool, migrate, type Pool } from '@milkchain/store';
import { createCustodyApp } from './app.ts';
import { httpLedgerClient, type LedgerClient } from './ledger-client.ts';
import { startProjector } from './projector.ts';
import { CustodyTables } from './store.ts';

export interface CustodyServiceDeps {
  service: ServiceName;
  pool: Pool;
  bus: Bus;
  signer: EventSigner;
  ledger: LedgerClient;
  verifier: TokenVerifier;
  logger: Logger;
  clock?: () => Date;
}

export interface RunningCustodyService {
  app: ReturnType<typeof createCustodyApp>;
  /** Resolves once the outbox has nothing unpublished. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** The app plus its background work: the outbox relay and the projection of the ledger's stream. */
export async function startCustodyService(deps: CustodyServiceDeps): Promise<RunningCustodyService> {
  const relay = startOutboxRelay({ pool: deps.pool, bus: deps.bus, service: deps.service, logger: deps.logger });
  const subscriptions: Subscription[] = await startProjector({ ...deps, tables: new CustodyTables(deps.service) });
  const app = createCustodyApp(deps);
  return {
    app,
    drain: () => relay.drain(),
    async close() {
      await relay.stop();
      for (const s of subscriptions) await s.stop();
    },
  };
}

/**
 * Configuration of a custody service running alone, read once from the environment:
 * DATABASE_URL (required), KAFKA_BROKERS (required, comma list), LEDGER_URL and IDENTITY_URL
 * (required), PORT (default per service), KAFKA_NAMESPACE (topic prefix, default none).
 */
export interface StandaloneConfig {
  databaseUrl: string;
  brokers: string[];
  ledgerUrl: string;
  identityUrl: string;
  port: number;
  namespace: string | undefined;
}

const DEFAULT_PORTS: Record<ServiceName, number> = { farm: 8081, processor: 8082, lab: 8083, logistics: 8084, trace: 8085 };

export function loadStandaloneConfig(service: ServiceName, env: NodeJS.ProcessEnv): StandaloneConfig {
  const missing = ['DATABASE_URL', 'KAFKA_BROKERS', 'LEDGER_URL', 'IDENTITY_URL'].filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new Error(`${service}: set ${missing.join(', ')} (or run \`npm start\` at the repository root for the one-process mode)`);
  }
  const port = Number(env.PORT ?? DEFAULT_PORTS[service]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a TCP port number, got "${env.PORT}"`);
  return {
    databaseUrl: env.DATABASE_URL!,
    brokers: env.KAFKA_BROKERS!.split(',').map((s) => s.trim()).filter(Boolean),
    ledgerUrl: env.LEDGER_URL!,
    identityUrl: env.IDENTITY_URL!,
    port,
    namespace: env.KAFKA_NAMESPACE || undefined,
  };
}

/** `npm start -w services/<name>`: the service alone, over PostgreSQL and Kafka. */
export async function runStandalone(service: ServiceName, env: NodeJS.ProcessEnv): Promise<void> {
  let config: StandaloneConfig;
  try {
    config = loadStandaloneConfig(service, env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const logger = jsonLogger(service);
  await migrate(config.databaseUrl);
  const pool = createPool(config.databaseUrl, 10);
  const bus = createKafkaBus({ brokers: config.brokers, clientId: `milkchain-${service}`, namespace: config.namespace, logger });
  const running = await startCustodyService({
    service,
    pool,
    bus,
    signer: httpEventSigner(config.identityUrl),
    ledger: httpLedgerClient(config.ledgerUrl),
    verifier: createTokenVerifier({ jwks: new URL('/identity/v1/jwks.json', config.identityUrl), audience: `milkchain:${service}` }),
    logger,
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = running.app.listen(config.port, '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  logger.info(`${service} listening`, { port: typeof address === 'object' && address ? address.port : config.port });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${service} stopping`, { signal });
    server.close();
    await running.close();
    await bus.close();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
