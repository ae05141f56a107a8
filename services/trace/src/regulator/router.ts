// The regulator's view: an API under /trace/v1/regulator (token with role regulator or admin)
// and a plain server-rendered page at /regulator.
//
// The page takes its token from the Authorization header or from an HttpOnly, SameSite=Strict
// cookie set by its own sign-in form: POST /regulator/login exchanges the user name and password
// at identity's /identity/v1/token (audience milkchain:trace) on the server, so the page needs no
// script at all; the cookie lives as long as the token and is scoped to /regulator.
import express, { type Request, type Response, type Router } from 'express';
import { principalOf, requireRoles, type Principal, type TokenVerifier } from '@milkchain/auth';
import { AppError, notFoundHandler, problemHandler, requestId, validationFailed, type Logger } from '@milkchain/http';
import type { Role } from '@milkchain/domain';
import type { BaseUrl } from '../resolver/clients.ts';
import type { Queryable } from '../lineage/queries.ts';
import { upstreamAsUnavailable } from '../epcis/router.ts';
import type { LedgerCheckpoint, LedgerEntries, OrgList, DirectoryOrg } from '../epcis/upstream.ts';
import { auditLedger, recordAudit, type AuditOptions } from './audit.ts';
import { loginPage, regulatorPage, type RegulatorModel } from './page.ts';
import { coldChainExcursions, currentHolds, lastAudit, nonconformities, openRecalls } from './queries.ts';
import { bucketsBetween, MAX_BUCKETS, seriesOf, type Bucket, type RegionalNonconformity, type Region } from './series.ts';

export const REGULATOR_ROLES: readonly Role[] = ['regulator', 'admin'];
export const REGULATOR_COOKIE = 'milkchain_regulator';
/** Default window of the time-bound parts (results, excursions): the last 30 days. */
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export interface RegulatorDeps {
  db: Queryable;
  ledger: LedgerEntries;
  orgs: OrgList;
  verifier: TokenVerifier;
  logger: Logger;
  /** identity's base URL, for the page's sign-in (token exchange on the server). */
  identityUrl: BaseUrl;
  audit?: AuditOptions;
  clock?: () => Date;
}

interface Window {
  from: Date;
  to: Date;
  bucket: Bucket;
  /** As asked (for the page's form). */
  fromText: string;
  toText: string;
}

function one(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw validationFailed([{ path: name, message: `${name} must be given once` }]);
  return v;
}

/** A bound: a date (China time; `to` then includes that whole day) or an RFC 3339 time. */
function bound(v: string, name: 'from' | 'to'): Date {
  let t = NaN;
  if (DATE.test(v)) t = Date.parse(`${v}T00:00:00+08:00`) + (name === 'to' ? 86_400_000 : 0);
  else if (TIMESTAMP.test(v)) t = Date.parse(v);
  if (!Number.isFinite(t)) throw validationFailed([{ path: name, message: `${name} must be a date YYYY-MM-DD or an RFC 3339 time` }]);
  return new Date(t);
}

const cstDate = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

export function windowOf(req: Request, now: Date): Window {
  const bucketText = one(req, 'bucket') ?? 'day';
  if (bucketText !== 'day' && bucketText !== 'week') throw validationFailed([{ path: 'bucket', message: 'bucket must be day or week' }]);
  const toText = one(req, 'to');
  const fromText = one(req, 'from');
  const to = toText ? bound(toText, 'to') : now;
  const from = fromText ? bound(fromText, 'from') : new Date(to.getTime() - DEFAULT_DAYS * 86_400_000);
  if (!(from < to)) throw validationFailed([{ path: 'to', message: 'to must be after from' }]);
  if (to.getTime() - from.getTime() > MAX_DAYS * 86_400_000) throw validationFailed([{ path: 'to', message: `a window is at most ${MAX_DAYS} days` }]);
  return { from, to, bucket: bucketText, fromText: fromText ?? cstDate(from), toText: toText ?? cstDate(new Date(to.getTime() - 1)) };
}

function regionsOf(r: { farms: string[]; sampledFromOrg: string | null; lab: string }, orgs: Map<string, DirectoryOrg>): Region[] {
  const from = r.farms.length > 0 ? r.farms : [r.sampledFromOrg ?? r.lab];
  const out = new Map<string, Region>();
  for (const id of from) {
    const o = orgs.get(id);
    const region = o ? { code: o.region.code, name: o.region.name } : { code: 'unknown', name: '未知地区 unknown region' };
    out.set(region.code, region);
  }
  return [...out.values()];
}

export async function nonconformityReport(deps: Pick<RegulatorDeps, 'db' | 'orgs'>, w: Pick<Window, 'from' | 'to' | 'bucket'>) {
  const buckets = bucketsBetween(w.from, w.to, w.bucket);
  if (buckets.length > MAX_BUCKETS) throw validationFailed([{ path: 'bucket', message: `at most ${MAX_BUCKETS} buckets: use week for a window this long` }]);
  const [rows, orgList] = await Promise.all([nonconformities(deps.db, w.from, w.to), deps.orgs.list()]);
  const orgs = new Map(orgList.map((o) => [o.id, o]));
  const results: RegionalNonconformity[] = rows.map((r) => ({ ...r, regions: regionsOf(r, orgs) }));
  return { from: w.from.toISOString(), to: w.to.toISOString(), bucket: w.bucket, buckets, series: seriesOf(results, buckets, w.bucket), results };
}

async function checkpointOrError(ledger: LedgerEntries): Promise<LedgerCheckpoint | { error: string }> {
  try {
    return await ledger.checkpoint();
  } catch (err) {
    return { error: (err as Error).message };
  }
}

async function overview(deps: RegulatorDeps, principal: Principal, w: Window): Promise<RegulatorModel> {
  const [recalls, holds, nc, excursions, checkpoint, audit, orgList] = await Promise.all([
    openRecalls(deps.db),
    currentHolds(deps.db),
    nonconformityReport(deps, w),
    coldChainExcursions(deps.db, w.from, w.to),
    checkpointOrError(deps.ledger),
    lastAudit(deps.db),
    deps.orgs.list().catch(() => [] as DirectoryOrg[]),
  ]);
  return {
    org: principal.org,
    from: w.fromText,
    to: w.toText,
    bucket: w.bucket,
    recalls,
    holds,
    nonconformities: { buckets: nc.buckets, series: nc.series, results: nc.results },
    excursions,
    checkpoint,
    audit: audit ?? null,
    orgNames: Object.fromEntries(orgList.map((o) => [o.id, o.name['zh-CN']])),
  };
}

async function runAudit(deps: RegulatorDeps) {
  const started = new Date();
  const report = await auditLedger(deps.ledger, deps.audit);
  deps.logger.info('regulator audit', { ok: report.ok, entries: report.entries, seconds: report.seconds });
  return recordAudit(deps.db, started, report);
}

/** `/trace/v1/regulator/*` (mounted behind the trace API's authentication). */
export function regulatorApiRouter(deps: RegulatorDeps): Router {
  const router = express.Router();
  const now = () => (deps.clock ?? (() => new Date()))();
  router.use('/regulator', requireRoles(...REGULATOR_ROLES));
  router.get('/regulator', async (req, res) => {
    const m = await overview(deps, principalOf(res), windowOf(req, now()));
    res.json({ ...m, orgNames: undefined });
  });
  router.get('/regulator/recalls', async (_req, res) => {
    res.json({ recalls: await openRecalls(deps.db) });
  });
  router.get('/regulator/holds', async (_req, res) => {
    res.json({ holds: await currentHolds(deps.db) });
  });
  router.get('/regulator/nonconformities', async (req, res) => {
    res.json(await nonconformityReport(deps, windowOf(req, now())));
  });
  router.get('/regulator/excursions', async (req, res) => {
    const w = windowOf(req, now());
    res.json({ from: w.from.toISOString(), to: w.to.toISOString(), excursions: await coldChainExcursions(deps.db, w.from, w.to) });
  });
  router.get('/regulator/ledger', async (_req, res) => {
    const [checkpoint, audit] = await Promise.all([deps.ledger.checkpoint(), lastAudit(deps.db)]);
    res.json({ checkpoint, audit: audit ?? null });
  });
  router.post('/regulator/audits', async (_req, res) => {
    res.status(201).json(await runAudit(deps));
  });
  return router;
}

function cookieToken(req: Request): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === REGULATOR_COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function setCookie(res: Response, token: string, maxAge: number): void {
  res.setHeader('Set-Cookie', `${REGULATOR_COOKIE}=${encodeURIComponent(token)}; Path=/regulator; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAge))}`);
}

const baseOf = (b: BaseUrl) => (typeof b === 'function' ? b() : b).replace(/\/+$/, '');

/** `/regulator` (the page), mounted at the app's root. */
export function regulatorPageRouter(deps: RegulatorDeps): Router {
  const router = express.Router();
  const now = () => (deps.clock ?? (() => new Date()))();
  const html = (res: Response, status: number, body: string) => {
    res.status(status).setHeader('Cache-Control', 'no-store').setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'");
    res.type('text/html; charset=utf-8').send(body);
  };

  /** The page's principal: header token first, then the cookie; undefined when neither is there or valid. */
  async function principal(req: Request): Promise<Principal | undefined> {
    const header = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const token = header ?? cookieToken(req);
    if (!token) return undefined;
    try {
      return await deps.verifier.verify(token);
    } catch (err) {
      if (header) throw err;
      return undefined;
    }
  }

  const allowed = (p: Principal) => REGULATOR_ROLES.some((r) => p.roles.includes(r));
  const forbidden = () =>
    new AppError('FORBIDDEN', `监管视图需要监管或管理员角色 / the regulator's view needs the role ${REGULATOR_ROLES.join(' or ')}`, { requiredRoles: REGULATOR_ROLES });

  router.get('/', async (req, res) => {
    const p = await principal(req);
    if (!p) return html(res, 401, loginPage());
    if (!allowed(p)) throw forbidden();
    html(res, 200, regulatorPage(await overview(deps, p, windowOf(req, now()))));
  });

  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const body = (req.body ?? {}) as { username?: unknown; password?: unknown };
    if (typeof body.username !== 'string' || typeof body.password !== 'string' || !body.username || !body.password) {
      return html(res, 400, loginPage('请输入用户名和密码 / enter the user name and the password'));
    }
    let answer: Response | globalThis.Response;
    try {
      answer = await fetch(`${baseOf(deps.identityUrl)}/identity/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'password', username: body.username, password: body.password, audience: ['trace'] }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      return html(res, 503, loginPage('身份服务暂不可用，请稍后重试 / identity is not answering; try again shortly'));
    }
    const issued = (await answer.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (answer.status !== 200 || !issued.access_token) return html(res, 401, loginPage('用户名或密码错误 / the user name or password is wrong'));
    const p = await deps.verifier.verify(issued.access_token);
    if (!allowed(p)) return html(res, 403, loginPage('此账号没有监管或管理员角色 / this account has neither the regulator nor the admin role'));
    setCookie(res, issued.access_token, issued.expires_in ?? 900);
    res.redirect(303, '/regulator');
  });

  router.post('/logout', (_req, res) => {
    setCookie(res, '', 0);
    res.redirect(303, '/regulator');
  });

  router.post('/audit', async (req, res) => {
    const p = await principal(req);
    if (!p) return html(res, 401, loginPage());
    if (!allowed(p)) throw forbidden();
    await runAudit(deps);
    res.redirect(303, '/regulator#ledger');
  });

  const outer = express.Router();
  outer.use('/regulator', requestId(), router, notFoundHandler(), upstreamAsUnavailable, problemHandler({ logger: deps.logger }));
  return outer;
}
