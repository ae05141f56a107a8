// GET /trace/v1/backward and /trace/v1/forward (JSON, or the FSMA 204 CSV with Accept: text/csv
// or the .csv path). Traces are for the chain's regulators and operators: a token with role
// regulator, processor, lab or admin may trace anything; any other caller only what its own
// organisation made (a farm its own collections, a shop nothing it did not make).
import express, { type Request, type Response, type Router } from 'express';
import { principalOf, type Principal } from '@milkchain/auth';
import type { Role } from '@milkchain/domain';
import { AppError, validationFailed } from '@milkchain/http';
import { fsmaRows, toCsv } from './fsma.ts';
import { backward, farmCollections, forward, forwardRoots, nodeExists, resolveSubject, type Queryable } from './queries.ts';

export const TRACE_ROLES: readonly Role[] = ['regulator', 'processor', 'lab', 'admin'];

/** Longest farm date range one request may ask for. */
export const MAX_FARM_DAYS = 366;

const SUBJECT = /^(urn:milkchain:[a-z]+:[A-Za-z0-9._:-]{1,200}|[0-9a-f]{64})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ORG = /^[a-z][a-z0-9_]{1,63}$/;

function privileged(p: Principal): boolean {
  return TRACE_ROLES.some((r) => p.roles.includes(r));
}

function forbidden(subject: string): AppError {
  return new AppError(
    'FORBIDDEN',
    `追溯需要监管、加工、检验或管理员角色，或是本组织的对象 / tracing ${subject} needs the role ${TRACE_ROLES.join(', ')}, or an object of your own organisation`,
    { requiredRoles: TRACE_ROLES },
  );
}

function param(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw validationFailed([{ path: name, message: `${name} must be given once, not empty` }]);
  return v;
}

function subjectParam(req: Request): string {
  const s = param(req, 'subject');
  if (s === undefined) throw validationFailed([{ path: 'subject', message: 'subject is required: a milkchain URN (urn:milkchain:lot:<gtin>:<lot> ...) or an event id' }]);
  if (!SUBJECT.test(s)) throw validationFailed([{ path: 'subject', message: 'subject must be a milkchain URN (urn:milkchain:<type>:...) or a 64-hex event id' }]);
  return s;
}

/** A bound of a farm range: a date (China time; `to` then includes that whole day) or an RFC 3339 time. */
function bound(req: Request, name: 'from' | 'to'): Date {
  const v = param(req, name);
  if (v === undefined) throw validationFailed([{ path: name, message: `${name} is required with farm (YYYY-MM-DD or an RFC 3339 time)` }]);
  let t: number;
  if (DATE.test(v)) t = Date.parse(`${v}T00:00:00+08:00`) + (name === 'to' ? 86_400_000 : 0);
  else if (TIMESTAMP.test(v)) t = Date.parse(v);
  else t = NaN;
  if (!Number.isFinite(t)) throw validationFailed([{ path: name, message: `${name} must be a date YYYY-MM-DD or an RFC 3339 time` }]);
  return new Date(t);
}

function wantsCsv(req: Request): boolean {
  if (req.path.endsWith('.csv')) return true;
  const accept = req.get('accept') ?? '';
  return /\btext\/csv\b/.test(accept) && !/\bapplication\/json\b/.test(accept);
}

function sendCsv(res: Response, name: string, csv: string): void {
  res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
  res.type('text/csv; charset=utf-8').send(csv);
}

function fileName(prefix: string, subject: string): string {
  return `${prefix}-${subject.replace(/^urn:milkchain:/, '').replace(/[^A-Za-z0-9._-]+/g, '_')}`.slice(0, 120);
}

export function lineageRouter(deps: { db: Queryable }): Router {
  const { db } = deps;
  const router = express.Router();

  /** The node a subject parameter names, after the caller may see it (404 unknown, 403 not theirs). */
  async function visibleRoot(req: Request, res: Response): Promise<{ asked: string; subject: string }> {
    const asked = subjectParam(req);
    const subject = await resolveSubject(db, asked);
    const node = subject === undefined ? undefined : await nodeExists(db, subject);
    if (subject === undefined || !node) throw new AppError('NOT_FOUND', `追溯里没有 ${asked} / ${asked} is not known to the trace (yet)`);
    const p = principalOf(res);
    if (!privileged(p) && node.org !== p.org) throw forbidden(asked);
    return { asked, subject };
  }

  router.get(['/backward', '/backward.csv'], async (req, res) => {
    const { asked, subject } = await visibleRoot(req, res);
    const csv = wantsCsv(req);
    const trace = await backward(db, subject, { events: csv });
    if (!trace) throw new AppError('NOT_FOUND', `追溯里没有 ${asked} / ${asked} is not known to the trace (yet)`);
    if (csv) {
      const nodes = [...trace.nodes];
      sendCsv(res, fileName('backward', subject), toCsv(fsmaRows(trace.events ?? [], nodes)));
      return;
    }
    res.json({ asked, ...trace });
  });

  router.get(['/forward', '/forward.csv'], async (req, res) => {
    const farm = param(req, 'farm');
    const csv = wantsCsv(req);
    let roots: string[];
    let name: string;
    let asked: Record<string, string>;
    if (farm !== undefined) {
      if (req.query.subject !== undefined) throw validationFailed([{ path: 'subject', message: 'give either subject or farm with from and to, not both' }]);
      if (!ORG.test(farm)) throw validationFailed([{ path: 'farm', message: 'farm must be an organisation id (org_...)' }]);
      const from = bound(req, 'from');
      const to = bound(req, 'to');
      if (!(from < to)) throw validationFailed([{ path: 'to', message: 'to must be after from' }]);
      if (to.getTime() - from.getTime() > MAX_FARM_DAYS * 86_400_000) throw validationFailed([{ path: 'to', message: `a farm range is at most ${MAX_FARM_DAYS} days` }]);
      const p = principalOf(res);
      if (!privileged(p) && p.org !== farm) throw forbidden(farm);
      roots = await farmCollections(db, farm, from.toISOString(), to.toISOString());
      name = fileName('forward', `${farm}_${String(req.query.from)}_${String(req.query.to)}`);
      asked = { farm, from: from.toISOString(), to: to.toISOString() };
    } else {
      const root = await visibleRoot(req, res);
      roots = await forwardRoots(db, root.subject);
      name = fileName('forward', root.subject);
      asked = { subject: root.asked };
    }
    const trace = await forward(db, roots, { events: csv });
    if (csv) {
      sendCsv(res, name, toCsv(fsmaRows(trace.events ?? [], trace.nodes)));
      return;
    }
    res.json({ asked, ...trace });
  });

  return router;
}
