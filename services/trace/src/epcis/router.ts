// The EPCIS endpoints of the trace service.
//
// Export, under /trace/v1 (token with audience milkchain:trace): `GET /trace/v1/epcis?subject=<urn>`
// and `GET /trace/v1/epcis/01/{gtin}/10/{lot}` answer the subject's history with its lineage as an
// EPCISDocument (application/ld+json). Same rules as /trace/v1/backward: roles regulator,
// processor, lab or admin see any subject, others only their own organisation's. Not public, even
// for consumer-facing lots: the document names every organisation, volume and shipment of the
// lineage in machine-readable form for partners' systems, and the consumer page with its public
// verification bundle already serves what a person holding the pack needs.
//
// Capture, under /epcis (EPCIS 2.0 REST binding): `POST /epcis/v2/capture` and
// `GET /epcis/v2/capture/{id}` (see capture.ts).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { authenticate, principalOf, type Principal, type TokenVerifier } from '@milkchain/auth';
import { GS1_LOT, toGtin14 } from '@milkchain/domain';
import { AppError, jsonBody, notFoundHandler, problemHandler, requestId, validationFailed, type Logger } from '@milkchain/http';
import { UpstreamError } from '../resolver/clients.ts';
import { nodeExists, resolveSubject } from '../lineage/queries.ts';
import { TRACE_ROLES } from '../lineage/router.ts';
import { checkDocument, readCapture, runCapture, startCapture, type CaptureDeps } from './capture.ts';
import { exportSubject, type ExportDeps } from './export.ts';

export const EPCIS_MEDIA_TYPE = 'application/ld+json';
const SUBJECT = /^(urn:milkchain:[a-z]+:[A-Za-z0-9._:-]{1,200}|[0-9a-f]{64})$/;

function privileged(p: Principal): boolean {
  return TRACE_ROLES.some((r) => p.roles.includes(r));
}

/** Upstream failures (the ledger or identity not answering) as 503s a retry may cure. */
export function upstreamAsUnavailable(err: unknown, _req: Request, _res: Response, next: NextFunction): void {
  next(err instanceof UpstreamError ? new AppError('UNAVAILABLE', err.message) : err);
}

export function epcisExportRouter(deps: ExportDeps): Router {
  const router = express.Router();

  async function send(req: Request, res: Response, asked: string): Promise<void> {
    const subject = await resolveSubject(deps.db, asked);
    const node = subject === undefined ? undefined : await nodeExists(deps.db, subject);
    if (subject === undefined || !node) throw new AppError('NOT_FOUND', `追溯里没有 ${asked} / ${asked} is not known to the trace (yet)`);
    const p = principalOf(res);
    if (!privileged(p) && node.org !== p.org) {
      throw new AppError('FORBIDDEN', `导出 EPCIS 需要监管、加工、检验或管理员角色，或是本组织的对象 / exporting ${asked} needs the role ${TRACE_ROLES.join(', ')}, or an object of your own organisation`, {
        requiredRoles: TRACE_ROLES,
      });
    }
    const doc = await exportSubject(deps, subject, `urn:milkchain:epcis:${subject.replace(/^urn:milkchain:/, '')}`);
    if (!doc) throw new AppError('NOT_FOUND', `追溯里没有 ${asked} / ${asked} is not known to the trace (yet)`);
    res.type(EPCIS_MEDIA_TYPE).send(JSON.stringify(doc));
  }

  router.get('/epcis', async (req, res) => {
    const s = req.query.subject;
    if (typeof s !== 'string' || s.length === 0) {
      throw validationFailed([{ path: 'subject', message: 'subject is required once: a milkchain URN (urn:milkchain:lot:<gtin>:<lot> ...) or an event id' }]);
    }
    if (!SUBJECT.test(s)) throw validationFailed([{ path: 'subject', message: 'subject must be a milkchain URN (urn:milkchain:<type>:...) or a 64-hex event id' }]);
    await send(req, res, s);
  });

  router.get('/epcis/01/:gtin/10/:lot', async (req, res) => {
    const gtin = toGtin14(String(req.params.gtin));
    if (!gtin || !/^[0-9]+$/.test(String(req.params.gtin))) throw validationFailed([{ path: 'gtin', message: 'gtin must be a GTIN-8, -12, -13 or -14 with a valid check digit' }]);
    const lot = String(req.params.lot);
    if (!GS1_LOT.test(lot)) throw validationFailed([{ path: 'lot', message: 'lot must be 1 to 20 characters of GS1 AI 10' }]);
    await send(req, res, `urn:milkchain:lot:${gtin}:${lot}`);
  });

  return router;
}

/** `/epcis/v2/capture` (mounted at the app's root, next to /trace). */
export function epcisCaptureApp(deps: CaptureDeps & { verifier: TokenVerifier; logger: Logger }): Router {
  const router = express.Router();
  const auth = authenticate(deps.verifier);

  router.post('/v2/capture', auth, async (req, res) => {
    const token = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!token) throw new AppError('UNAUTHENTICATED', '需要令牌 / a bearer token is required');
    const doc: unknown = req.body;
    const { commands, eventIds } = await checkDocument(deps, doc);
    const count = (doc as { epcisBody: { eventList: unknown[] } }).epcisBody.eventList.length;
    const id = await startCapture(deps.pool, principalOf(res).org, commands, eventIds, count);
    // The commands run after the answer (EPCIS capture is asynchronous: 202, then poll).
    void runCapture(deps, id, token, commands);
    const location = `/epcis/v2/capture/${id}`;
    res.status(202).setHeader('Location', location).json({ captureID: id, status: 'running', location, events: count, commands: commands.map((c) => ({ service: c.service, command: c.command, source: c.source })) });
  });

  router.get('/v2/capture/:id', auth, async (req, res) => {
    const id = String(req.params.id);
    const c = /^[0-9a-f-]{36}$/.test(id) ? await readCapture(deps.pool, id) : undefined;
    const p = principalOf(res);
    if (!c || (c.org !== p.org && !p.roles.includes('admin'))) throw new AppError('NOT_FOUND', `没有这个导入 / no capture ${id} of your organisation`);
    res.json({ captureID: c.id, ...c });
  });

  const outer = express.Router();
  outer.use(requestId(), jsonBody({ limit: '8mb' }), router, notFoundHandler(), upstreamAsUnavailable, problemHandler({ logger: deps.logger }));
  return outer;
}
