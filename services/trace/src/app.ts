import express from 'express';
import { authenticate, type TokenVerifier } from '@milkchain/auth';
import { createPgLabelCache } from '@milkchain/labels';
import { notFoundHandler, problemHandler, requestId, type Logger } from '@milkchain/http';
import type { Pool } from '@milkchain/store';
import { lineageRouter } from './lineage/router.ts';
import { openApiDocument } from './openapi.ts';
import { resolverRouter, type ResolverDeps } from './resolver/router.ts';
import { recallRouter, type RecallWriter } from './recall/router.ts';
import { scansRouter } from './scans/router.ts';
import type { ScanThresholds } from './scans/scans.ts';
import { epcisCaptureApp, epcisExportRouter, upstreamAsUnavailable } from './epcis/router.ts';
import type { CustodyClient, LedgerEntries, OrgList } from './epcis/upstream.ts';
import type { BaseUrl } from './resolver/clients.ts';
import type { AuditOptions } from './regulator/audit.ts';
import { regulatorApiRouter, regulatorPageRouter } from './regulator/router.ts';
import { labelsRouter, type LabelsRouterDeps } from './labels/router.ts';

export interface TraceAppDeps {
  pool: Pool;
  verifier: TokenVerifier;
  logger: Logger;
  /** Base URL the OpenAPI document names as its server; default relative. */
  publicUrl?: string;
  /** The public resolver (Digital Links, consumer page, verification bundles); mounted when given. */
  resolver?: Omit<ResolverDeps, 'db' | 'logger'>;
  /** The recall write path (recalls, their reads and webhooks are served without it; writes answer 503). */
  recallWriter?: RecallWriter;
  /** When a serialised code is flagged as a likely copy (default more than 3 places, or 20 scans in 24 h). */
  scanThresholds?: ScanThresholds;
  /**
   * QR codes and label sheets (/trace/v1/labels): the code cache (default labels_qr on `pool`) and
   * the resolver base the codes point to (default the resolver's, else http://localhost:8080).
   */
  labels?: Partial<Omit<LabelsRouterDeps, 'db'>>;
  /**
   * What EPCIS (export /trace/v1/epcis, capture /epcis/v2/capture) and the regulator's view
   * (/trace/v1/regulator, the page /regulator) read and call over HTTP; both are mounted when given.
   */
  upstream?: {
    ledger: LedgerEntries;
    orgs: OrgList;
    custody: CustodyClient;
    /** identity's base URL (the regulator page's sign-in). */
    identityUrl: BaseUrl;
    /** Base of milkchain's own EPCIS class ids; default https://id.milkchain.dev. */
    idBase?: string;
    audit?: AuditOptions;
  };
}

/**
 * The trace service's HTTP API, everything under `/trace`. Each area is its own router mounted
 * here (lineage under /v1 today; the resolver, recalls, scans and EPCIS join the same way).
 */
export function createTraceApp(deps: TraceAppDeps): express.Express {
  const v1 = express.Router();
  v1.use(authenticate(deps.verifier));
  v1.use(lineageRouter({ db: deps.pool }));
  v1.use(recallRouter({ db: deps.pool, ...(deps.recallWriter ? { writer: deps.recallWriter } : {}) }));
  v1.use(scansRouter({ db: deps.pool, ...(deps.scanThresholds ? { thresholds: deps.scanThresholds } : {}) }));
  const up = deps.upstream;
  const regulator = up && { db: deps.pool, verifier: deps.verifier, logger: deps.logger, ...up };
  if (up) v1.use(epcisExportRouter({ db: deps.pool, ...up }));
  if (regulator) v1.use(regulatorApiRouter(regulator));
  v1.use(labelsRouter({ db: deps.pool, cache: deps.labels?.cache ?? createPgLabelCache(deps.pool), resolverBase: deps.labels?.resolverBase ?? deps.resolver?.resolverBase ?? 'http://localhost:8080' }));

  const router = express.Router();
  const doc = openApiDocument(deps.publicUrl);
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.use('/v1', v1);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (deps.resolver) app.use(resolverRouter({ db: deps.pool, logger: deps.logger, ...(deps.scanThresholds ? { scanThresholds: deps.scanThresholds } : {}), ...deps.resolver }));
  app.use('/trace', requestId(), router, notFoundHandler(), upstreamAsUnavailable, problemHandler({ logger: deps.logger }));
  if (up) app.use('/epcis', epcisCaptureApp({ pool: deps.pool, verifier: deps.verifier, logger: deps.logger, ...up }));
  if (regulator) app.use(regulatorPageRouter(regulator));
  return app;
}
