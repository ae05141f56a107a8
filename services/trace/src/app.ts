import express from 'express';
import { authenticate, type TokenVerifier } from '@milkchain/auth';
import { notFoundHandler, problemHandler, requestId, type Logger } from '@milkchain/http';
import type { Pool } from '@milkchain/store';
import { lineageRouter } from './lineage/router.ts';
import { openApiDocument } from './openapi.ts';
import { resolverRouter, type ResolverDeps } from './resolver/router.ts';

export interface TraceAppDeps {
  pool: Pool;
  verifier: TokenVerifier;
  logger: Logger;
  /** Base URL the OpenAPI document names as its server; default relative. */
  publicUrl?: string;
  /** The public resolver (Digital Links, consumer page, verification bundles); mounted when given. */
  resolver?: Omit<ResolverDeps, 'db' | 'logger'>;
}

/**
 * The trace service's HTTP API, everything under `/trace`. Each area is its own router mounted
 * here (lineage under /v1 today; the resolver, recalls, scans and EPCIS join the same way).
 */
export function createTraceApp(deps: TraceAppDeps): express.Express {
  const v1 = express.Router();
  v1.use(authenticate(deps.verifier));
  v1.use(lineageRouter({ db: deps.pool }));

  const router = express.Router();
  const doc = openApiDocument(deps.publicUrl);
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.use('/v1', v1);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (deps.resolver) app.use(resolverRouter({ db: deps.pool, logger: deps.logger, ...deps.resolver }));
  app.use('/trace', requestId(), router, notFoundHandler(), problemHandler({ logger: deps.logger }));
  return app;
}
