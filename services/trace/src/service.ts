import { createTokenVerifier, type TokenVerifier } from '@milkchain/auth';
import type { Bus, Subscription } from '@milkchain/bus';
import type { Logger } from '@milkchain/http';
import { createPool, type Pool } from '@milkchain/store';
import { createTraceApp } from './app.ts';
import { startTraceProjector, waitProjected } from './lineage/projector.ts';
import { startRecalls, type RecallServiceDeps } from './recall/service.ts';
import type { ScanThresholds } from './scans/scans.ts';
import { httpLedgerReader, httpOrgDirectory, type BaseUrl } from './resolver/clients.ts';
import type { ResolverDeps } from './resolver/router.ts';
import { httpCustodyClient, httpLedgerEntries, httpOrgList, type CustodyUrls } from './epcis/upstream.ts';
import type { AuditOptions } from './regulator/audit.ts';
import { createPgLabelCache } from '@milkchain/labels';
import { startLabelWorker } from './labels/worker.ts';

/**
 * The audiences a trace token may carry. Identity does not issue a `milkchain:trace` audience
 * yet; a token for the ledger (which every default token carries) reads the ledger's projection.
 */
export const TRACE_AUDIENCES = ['milkchain:trace'];

export interface TraceServiceDeps {
  /** A pool to use (not closed by `close`), or a URL to open one for (closed by `close`). */
  pool?: Pool;
  databaseUrl?: string;
  bus: Bus;
  logger: Logger;
  /** The token verifier, or the JWKS (URL or key set) to build one over `TRACE_AUDIENCES`. */
  verifier?: TokenVerifier;
  jwks?: Parameters<typeof createTokenVerifier>[0]['jwks'];
  /** Consumer group of the projection (default `trace`). */
  group?: string;
  publicUrl?: string;
  /**
   * The resolver: the ledger's and identity's base URLs (read over HTTP; a function when the URL
   * is known only once the one-process server listens) and the resolver's public base URL.
   * Without `ledgerUrl` the resolver is not mounted.
   */
  ledgerUrl?: BaseUrl;
  identityUrl?: BaseUrl;
  resolverBase?: string;
  resolverOptions?: Pick<ResolverDeps, 'rateLimit' | 'epcis' | 'script'>;
  /** Recalls are written when both are given: identity's event signer, and the ledger client (heads, receipts). */
  signer?: RecallServiceDeps['signer'];
  ledgerClient?: RecallServiceDeps['ledger'];
  /** Delivery of recall notifications to webhooks (poll interval, attempts, backoff). */
  webhooks?: RecallServiceDeps['webhooks'];
  /** When a serialised code is flagged as a likely copy. */
  scanThresholds?: ScanThresholds;
  /**
   * Where EPCIS capture sends its commands (`POST /<service>/v1/batch`): one base URL for all
   * custody services (the one-process server, a path proxy) or one per service. Default
   * `ledgerUrl`. EPCIS and the regulator's view are mounted with the resolver (they need `ledgerUrl`).
   */
  custodyUrl?: CustodyUrls;
  /** The ledger's operator organisation and origin, for the regulator's audit. */
  audit?: AuditOptions;
  /** How often the label worker looks for newly packed lots to render QR codes for (default 500 ms). */
  labelPollMs?: number;
}

export interface RunningTraceService {
  app: ReturnType<typeof createTraceApp>;
  pool: Pool;
  /** Resolves once the trace tables hold every ledger entry with seq below `size`. */
  projected(size: number, timeoutMs?: number): Promise<void>;
  /** Resolves when the recall outbox has nothing unpublished. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** The app plus its background work: the lineage projection of `milkchain.ledger`. */
export async function startTraceService(deps: TraceServiceDeps): Promise<RunningTraceService> {
  const ownPool = deps.pool === undefined;
  if (ownPool && !deps.databaseUrl) throw new Error('startTraceService: give pool or databaseUrl');
  const pool = deps.pool ?? createPool(deps.databaseUrl!, 8);
  const verifier = deps.verifier ?? (deps.jwks ? createTokenVerifier({ jwks: deps.jwks, audience: TRACE_AUDIENCES }) : undefined);
  if (!verifier) throw new Error('startTraceService: give verifier or jwks');
  const subscriptions: Subscription[] = [await startTraceProjector({ pool, bus: deps.bus, logger: deps.logger, ...(deps.group ? { group: deps.group } : {}) })];
  const recalls = await startRecalls({
    pool,
    bus: deps.bus,
    logger: deps.logger,
    ...(deps.signer ? { signer: deps.signer } : {}),
    ...(deps.ledgerClient ? { ledger: deps.ledgerClient } : {}),
    ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
    ...(deps.webhooks ? { webhooks: deps.webhooks } : {}),
  });
  // Packed lots' QR codes are rendered by this worker, after the projection's transaction.
  const resolverBase = deps.resolverBase ?? 'http://localhost:8080';
  const labelCache = createPgLabelCache(pool);
  const labels = startLabelWorker({ pool, cache: labelCache, resolverBase, logger: deps.logger, ...(deps.labelPollMs ? { pollMs: deps.labelPollMs } : {}) });
  const recallAppDeps = { ...(recalls.writer ? { recallWriter: recalls.writer } : {}), ...(deps.scanThresholds ? { scanThresholds: deps.scanThresholds } : {}) };
  const resolver = deps.ledgerUrl
    ? {
        ledger: httpLedgerReader(deps.ledgerUrl),
        orgs: httpOrgDirectory(deps.identityUrl ?? deps.ledgerUrl),
        resolverBase,
        ...deps.resolverOptions,
      }
    : undefined;
  const upstream = deps.ledgerUrl
    ? {
        ledger: httpLedgerEntries(deps.ledgerUrl),
        orgs: httpOrgList(deps.identityUrl ?? deps.ledgerUrl),
        custody: httpCustodyClient(deps.custodyUrl ?? deps.ledgerUrl),
        identityUrl: deps.identityUrl ?? deps.ledgerUrl,
        ...(deps.audit ? { audit: deps.audit } : {}),
      }
    : undefined;
  const app = createTraceApp({
    pool,
    verifier,
    logger: deps.logger,
    ...recallAppDeps,
    labels: { cache: labelCache, resolverBase },
    ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
    ...(resolver ? { resolver } : {}),
    ...(upstream ? { upstream } : {}),
  });
  return {
    app,
    pool,
    async projected(size, timeoutMs) {
      await waitProjected(pool, size, timeoutMs, deps.group);
      await recalls.projected(size, timeoutMs);
    },
    drain: () => recalls.drain(),
    async close() {
      await labels.stop();
      await recalls.close();
      for (const s of subscriptions) await s.stop();
      if (ownPool) await pool.end();
    },
  };
}
