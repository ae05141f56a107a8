import express, { type Request, type RequestHandler } from 'express';
import { authenticate, principalOf } from '@milkchain/auth';
import { jsonBody, notFoundHandler, problemHandler, requestId, validationFailed, type Logger } from '@milkchain/http';
import { openApiDocument } from './openapi.ts';
import { ORG_ROLES, orgIdSchema } from './schemas.ts';
import type { IdentityService } from './service.ts';

export interface IdentityAppDeps {
  service: IdentityService;
  logger: Logger;
  /** Largest accepted request body; default 256kb (a signing request of 1000 ids is about 70 kB). */
  bodyLimit?: string;
}

function orgParam(req: Request): string {
  const org = String(req.params.org);
  if (!orgIdSchema.safeParse(org).success) throw validationFailed([{ path: 'org', message: 'org must look like org_<2 to 60 of a-z, 0-9, _ or ->' }]);
  return org;
}

/**
 * Identity's HTTP API, every path under /identity (see openapi.ts). No I/O until a request
 * arrives. Its 404 and problem handlers cover /identity only, so the app can be mounted in front
 * of other services in the one-process mode.
 */
export function createIdentityApp(deps: IdentityAppDeps): express.Express {
  const { service } = deps;
  const json = jsonBody({ limit: deps.bodyLimit ?? '256kb' });
  // OAuth clients post the token request form-encoded (RFC 6749 §4.3, §4.4); JSON works too.
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  const bodies: RequestHandler = (req, res, next) => (req.path === '/v1/token' && req.is('application/x-www-form-urlencoded') ? form(req, res, next) : json(req, res, next));
  const asIdentity = authenticate(service.verifier);
  const asAnyService = authenticate(service.forwardedVerifier);
  const doc = openApiDocument();

  const router = express.Router();

  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });

  router.get('/v1/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(service.jwks);
  });

  router.post('/v1/token', async (req, res) => {
    const issued = await service.token(req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.json(issued);
  });

  router.get('/v1/orgs', async (req, res) => {
    const role = req.query.role;
    if (role !== undefined && (typeof role !== 'string' || !(ORG_ROLES as readonly string[]).includes(role))) {
      throw validationFailed([{ path: 'role', message: `role must be one of ${ORG_ROLES.join(', ')}` }]);
    }
    res.json({ orgs: await service.listOrgs(role === undefined ? {} : { role }) });
  });

  router.post('/v1/orgs', asIdentity, async (req, res) => {
    const org = await service.createOrg(principalOf(res), req.body);
    res.status(201).setHeader('Location', `/identity/v1/orgs/${org.id}`).json(org);
  });

  router.get('/v1/orgs/:org', async (req, res) => {
    res.json(await service.getOrg(orgParam(req)));
  });

  router.patch('/v1/orgs/:org', asIdentity, async (req, res) => {
    res.json(await service.patchOrg(principalOf(res), orgParam(req), req.body));
  });

  router.post('/v1/orgs/:org/users', asIdentity, async (req, res) => {
    res.status(201).json(await service.createUser(principalOf(res), orgParam(req), req.body));
  });

  router.post('/v1/orgs/:org/clients', asIdentity, async (req, res) => {
    const created = await service.createClient(principalOf(res), orgParam(req), req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(created);
  });

  router.get('/v1/orgs/:org/keys', async (req, res) => {
    res.json({ keys: await service.listKeys(orgParam(req)) });
  });

  router.post('/v1/orgs/:org/keys', asIdentity, async (req, res) => {
    res.status(201).json(await service.changeKeys(principalOf(res), orgParam(req), req.body));
  });

  router.post('/v1/orgs/:org/signatures', asAnyService, async (req, res) => {
    const body = req.body as { ids?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validationFailed([{ path: '', message: 'the body must be an object {"ids": [...]}' }]);
    const extra = Object.keys(body).filter((k) => k !== 'ids');
    if (extra.length > 0) throw validationFailed(extra.map((k) => ({ path: `/${k}`, message: `${k} is not an allowed field` })));
    res.json({ signatures: await service.signFor(principalOf(res), orgParam(req), body.ids) });
  });

  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/identity', requestId(), bodies, router, notFoundHandler(), problemHandler({ logger: deps.logger }));
  return app;
}

