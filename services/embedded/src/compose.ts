// The one-process composition: the ledger and the custody services over one in-process bus, all
// mounted in one Express app. `main.ts` runs it for `npm start`; tests build the same thing.
import type { Server } from 'node:http';
import express from 'express';
import { createTokenVerifier, type EventSigner } from '@milkchain/auth';
import { createInProcessBus, TOPICS, waitForLogCursors, type Bus } from '@milkchain/bus';
import { httpLedgerClient, startCustodyService, type RunningCustodyService } from '@milkchain/custody';
import type { ServiceName } from '@milkchain/domain';
import { jsonLogger, type Logger } from '@milkchain/http';
import { buildIdentity, type RunningIdentity } from '@milkchain/identity-service';
import { buildLedger, loadConfig, Operator, type RunningLedger } from '@milkchain/ledger-service';
import { createPool, type Pool } from '@milkchain/store';
import { startTraceService, TRACE_AUDIENCES, type RunningTraceService } from '@milkchain/trace-service';
import type { JSONWebKeySet } from 'jose';

export const CUSTODY_SERVICES: readonly ServiceName[] = ['farm', 'processor', 'lab', 'logistics'];

export interface IdentityPart {
  /** Signs event ids with an organisation's key (checks the caller's token names that organisation). */
  signer: EventSigner;
  /** The keys access tokens are verified with. */
  jwks: JSONWebKeySet;
  /** Identity's own routes (under /identity), when identity runs in this process. */
  app?: express.Express;
}

export interface ComposeOptions {
  databaseUrl: string;
  adminToken: string;
  logKeyFile: string;
  identity: IdentityPart | ((ledger: RunningLedger) => Promise<IdentityPart>);
  bus?: Bus;
  logger?: (service: string) => Logger;
  origin?: string;
  /** The resolver's public base URL (Digital Links on labels, linkset anchors); default http://localhost:8080. */
  resolverBase?: string;
  /**
   * The resolver's per-client-IP rate limit (default DEFAULT_RATE_LIMIT of the trace service);
   * `false` turns it off, as a benchmark from one address must.
   */
  resolverRateLimit?: { burst: number; perSecond: number } | false;
}

export interface Composed {
  app: express.Express;
  bus: Bus;
  ledger: RunningLedger;
  identity: IdentityPart;
  services: Map<ServiceName, RunningCustodyService>;
  trace: RunningTraceService;
  pool: Pool;
  /** Points the custody services' ledger client at the HTTP server once it listens. */
  bindLedgerUrl(url: string): void;
  /** Resolves when every outbox is empty. */
  settle(): Promise<void>;
  /** Resolves when every custody service has projected the whole log as it is now. */
  projected(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function compose(opts: ComposeOptions): Promise<Composed> {
  const logger = opts.logger ?? ((s: string) => jsonLogger(s));
  // The log is one sequence and all its consumers are in this process: one partition, so every
  // projection takes it in order and never parks an entry that arrived ahead of another partition.
  const bus = opts.bus ?? createInProcessBus({ topicPartitions: { [TOPICS.ledger]: 1 } });
  const config = { ...loadConfig({}), databaseUrl: opts.databaseUrl, adminToken: opts.adminToken, logKeyFile: opts.logKeyFile, ...(opts.origin ? { origin: opts.origin } : {}) };
  const ledger = await buildLedger(config, logger('ledger'), { bus });
  const identity = typeof opts.identity === 'function' ? await opts.identity(ledger) : opts.identity;
  const pool = createPool(opts.databaseUrl, 12);

  // Head lookups are on every write's path: here they read the ledger's store directly, as
  // GET /ledger/v1/heads does (same query, no HTTP round trip inside the process). Receipts go
  // through the ledger's HTTP API, exactly as when the services run alone; the URL is known once
  // the composed app listens.
  let ledgerUrl = '';
  const ledgerHttp = { current: httpLedgerClient('http://127.0.0.1:0') };
  const ledgerClient = {
    heads: async (s: string[]) => new Map([...(await ledger.store.heads(s))].filter(([, h]) => h !== '')),
    receipt: (id: string) => ledgerHttp.current.receipt(id),
  };

  const services = new Map<ServiceName, RunningCustodyService>();
  for (const service of CUSTODY_SERVICES) {
    services.set(
      service,
      await startCustodyService({
        service,
        pool,
        bus,
        signer: identity.signer,
        ledger: ledgerClient,
        verifier: createTokenVerifier({ jwks: identity.jwks, audience: `milkchain:${service}` }),
        logger: logger(service),
      }),
    );
  }

  const trace = await startTraceService({
    pool,
    bus,
    logger: logger('trace'),
    verifier: createTokenVerifier({ jwks: identity.jwks, audience: TRACE_AUDIENCES }),
    // Recalls go through the custody write path: signed by identity, sent to the ledger.
    signer: identity.signer,
    ledgerClient,
    // The resolver reads the ledger and identity over HTTP, on this process's own server.
    ledgerUrl: () => ledgerUrl,
    identityUrl: () => ledgerUrl,
    ...(opts.resolverBase ? { resolverBase: opts.resolverBase } : {}),
    ...(opts.resolverRateLimit !== undefined ? { resolverOptions: { rateLimit: opts.resolverRateLimit } } : {}),
    // EPCIS capture sends its commands to the custody services on this same server (custodyUrl
    // defaults to ledgerUrl); the regulator's audit checks the log against this ledger's config.
    audit: { operatorOrg: config.operatorOrg, origin: config.origin },
  });

  const app = express();
  app.disable('x-powered-by');
  // A request whose first path segment one service owns goes straight to that service's app:
  // passing through the others first (each an Express app that re-prototypes req and res on the
  // way in) cost about half a millisecond of CPU per request. Anything else takes the chain below.
  const owners = new Map<string, express.Handler>();
  if (identity.app) owners.set('identity', identity.app);
  for (const [name, s] of services) owners.set(name, s.app);
  owners.set('trace', trace.app);
  owners.set('01', trace.app); // GS1 Digital Link: the resolver
  owners.set('ledger', ledger.app);
  owners.set('healthz', ledger.app);
  app.use((req, res, next) => {
    const owner = owners.get(req.path.split('/', 2)[1] ?? '');
    // What its owner does not answer, nobody else does: the ledger app's 404 (it answers last in the chain too).
    if (owner) owner(req, res, (err?: unknown) => (err ? next(err) : ledger.app(req, res, next)));
    else next();
  });
  if (identity.app) app.use(identity.app);
  for (const s of services.values()) app.use(s.app);
  app.use(trace.app);
  app.use(ledger.app); // last: its 404 handler answers everything the others did not

  return {
    app,
    bus,
    ledger,
    identity,
    services,
    trace,
    pool,
    bindLedgerUrl(url) {
      ledgerUrl = url;
      ledgerHttp.current = httpLedgerClient(ledgerUrl);
    },
    async settle() {
      for (const s of services.values()) await s.drain();
      await trace.drain();
    },
    async projected(timeoutMs = 30_000) {
      const size = ledger.sequencer.size;
      const until = Date.now() + timeoutMs;
      await waitForLogCursors(pool, CUSTODY_SERVICES.map((s) => `${s}.ledger`), size, timeoutMs);
      return trace.projected(size, Math.max(1, until - Date.now()));
    },
    async close() {
      for (const s of services.values()) await s.close();
      await trace.close();
      await ledger.close();
      await bus.close();
      await pool.end();
    },
  };
}

export function listenOn(app: express.Express, port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}

/**
 * Identity in this process, registering organisation keys through the ledger's Operator directly
 * (no HTTP, no admin token). For `compose({ identity: inProcessIdentity(...) })`.
 */
export function inProcessIdentity(opts: {
  databaseUrl: string;
  keyEncryptionKey: Buffer;
  tokenKeyFile: string;
  bootstrapAdminPassword: string;
  operatorOrg?: string;
  logger?: Logger;
}): (ledger: RunningLedger) => Promise<RunningIdentity> {
  const operatorOrg = opts.operatorOrg ?? 'org_milkchain';
  return (ledger) => {
    const operator = new Operator({ store: ledger.store, sequencer: ledger.sequencer, logKey: ledger.logKey, operatorOrg, clock: () => new Date() });
    return buildIdentity(
      { databaseUrl: opts.databaseUrl, keyEncryptionKey: opts.keyEncryptionKey, tokenKeyFile: opts.tokenKeyFile, bootstrapAdminPassword: opts.bootstrapAdminPassword, operatorOrg },
      { ...(opts.logger ? { logger: opts.logger } : {}), registrar: { register: async (org, jwk) => void (await operator.registerOrgKey(org, { jwk })) } },
    );
  };
}
