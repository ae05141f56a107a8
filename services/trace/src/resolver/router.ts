// The resolver: GS1 Digital Links of lots (`/01/{gtin}/10/{lot}[/21/{serial}]`) answered with the
// consumer page (browsers) or an RFC 9264 linkset (`Accept: application/linkset+json`), the
// public verification bundle `/trace/v1/bundles/01/{gtin}/10/{lot}`, and the page's script.
// Public: no token, no personal data; rate limited per client IP.
import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { digitalLinkPath, isDigitalLinkError, parseDigitalLink, subjectForDigitalLink, type DigitalLinkKey } from '@milkchain/domain';
import { AppError, problemHandler, type Logger } from '@milkchain/http';
import type { Pool } from '@milkchain/store';
import { coarsePlace, DEFAULT_SCAN_THRESHOLDS, recordScan, scanVerdict, type ScanThresholds } from '../scans/scans.ts';
import { BundleCache } from './bundle.ts';
import { UpstreamError, type LedgerReader, type OrgDirectory } from './clients.ts';
import { LINKSET_TYPE, lotLinkset } from './linkset.ts';
import { consumerPage, errorPage, type Lang } from './page.ts';
import { TokenBuckets, type RateLimitOptions } from './rate-limit.ts';
import { buildPageScript, SCRIPT_PREFIX, type BuiltScript } from './script.ts';
import { pageModel, type Text } from './view.ts';

export interface ResolverDeps {
  db: Pool;
  logger: Logger;
  ledger: LedgerReader;
  orgs: OrgDirectory;
  /** The resolver's public base URL (`MILKCHAIN_RESOLVER_BASE`): anchors of linksets, links on labels. */
  resolverBase: string;
  /** Per client IP; default a burst of 60 and 10 a second. `false` turns it off. */
  rateLimit?: RateLimitOptions | false;
  /** The trace service serves `/trace/v1/epcis?subject=` (the linkset then links it). Not yet: default false. */
  epcis?: boolean;
  /** The page's script (built once); default built with esbuild at the first call of this router. */
  script?: Promise<BuiltScript>;
  /** When a scanned serial is flagged as a likely copy; default DEFAULT_SCAN_THRESHOLDS. */
  scanThresholds?: ScanThresholds;
}

export const BUNDLE_PREFIX = '/trace/v1/bundles';
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { burst: 60, perSecond: 10 };

/**
 * milkchain issues no serial numbers per unit yet, and keeps no table of issued serials: every
 * serial under a known lot is unknown, and the resolver walks up to the lot (303). When serials
 * are issued, this is where the table is asked.
 */
export async function serialIssued(_lot: string, _serial: string): Promise<boolean> {
  return false;
}

function langOf(req: Request): Lang {
  return req.query.lang === 'en' ? 'en' : 'zh-CN';
}

function wantsLinkset(req: Request): boolean {
  const best = req.accepts(['text/html', LINKSET_TYPE, 'application/json']);
  return best === LINKSET_TYPE || best === 'application/json';
}

function queryString(req: Request): string {
  const i = req.originalUrl.indexOf('?');
  return i < 0 ? '' : req.originalUrl.slice(i);
}

const LOT_PATH = /^\/0[01](\/|$)/;

/** Serials as the page's `?serial=` carries them: GS1 AI 21 is at most 20 characters. */
const SERIAL_PARAM = /^[\x21-\x7e]{1,20}$/;

/** The request's query with `serial` set (and its other parameters, e.g. `lang`, kept). */
function withSerial(req: Request, serial: string): string {
  const q = new URLSearchParams(queryString(req).slice(1));
  q.set('serial', serial);
  return `?${q.toString()}`;
}

export function resolverRouter(deps: ResolverDeps): express.Router {
  const bundles = new BundleCache({ db: deps.db, ledger: deps.ledger, orgs: deps.orgs, resolverBase: deps.resolverBase });
  const buckets = deps.rateLimit === false ? undefined : new TokenBuckets(deps.rateLimit ?? DEFAULT_RATE_LIMIT);
  // Built when the router is made (the service's start), so the first scan does not wait for esbuild;
  // a failed build is logged and tried again at the next page.
  let script = deps.script;
  const getScript = () =>
    (script ??= buildPageScript().catch((err: unknown) => {
      script = undefined;
      throw err;
    }));
  getScript().catch((err: unknown) => deps.logger.error('resolver: the page script did not build', { error: (err as Error)?.message }));
  const base = deps.resolverBase.replace(/\/+$/, '');

  const router = express.Router();

  /** A friendly page or a problem document, as the client asked. */
  const refuse = (req: Request, res: Response, status: number, code: ConstructorParameters<typeof AppError>[0], heading: Text, message: Text, extras: Record<string, unknown> = {}) => {
    res.setHeader('Vary', 'Accept');
    if (wantsLinkset(req)) {
      res.status(status).type('application/problem+json').json(new AppError(code, `${message.zh} / ${message.en}`, extras).toProblem(req.originalUrl));
      return;
    }
    res.status(status).type('html').send(errorPage(langOf(req), status, heading, message));
  };

  const limit = (req: Request, res: Response, next: NextFunction) => {
    const wait = buckets?.take(req.ip ?? req.socket.remoteAddress ?? 'unknown') ?? 0;
    if (wait === 0) return next();
    res.setHeader('Retry-After', String(wait));
    const msg = { zh: `请求过于频繁，请 ${wait} 秒后再试。`, en: `Too many requests; try again in ${wait} s.` };
    if (req.path.startsWith(BUNDLE_PREFIX)) {
      res.status(429).type('application/problem+json').json(new AppError('RATE_LIMITED', `${msg.zh} / ${msg.en}`).toProblem(req.originalUrl));
      return;
    }
    refuse(req, res, 429, 'RATE_LIMITED', { zh: '请稍候', en: 'Please wait' }, msg);
  };

  router.get(`${SCRIPT_PREFIX}page.:hash.js`, async (req, res, next) => {
    const built = await getScript();
    if (req.params.hash !== built.hash) return next();
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.type('text/javascript').send(built.code);
  });

  router.get(`${BUNDLE_PREFIX}/01/:gtin/10/:lot`, limit, async (req, res) => {
    let key: DigitalLinkKey;
    try {
      key = parseDigitalLink(req.path.slice(BUNDLE_PREFIX.length)).key;
    } catch (err) {
      if (!isDigitalLinkError(err)) throw err;
      throw new AppError('VALIDATION_FAILED', err.message, { problems: [{ path: err.segment ?? 'path', message: err.messages.en }] });
    }
    const lot = subjectForDigitalLink(key);
    const found = lot ? await bundles.get(lot) : undefined;
    if (!found) throw new AppError('NOT_FOUND', `未找到此批次 / no lot ${key.type === 'gtin' ? `${key.gtin} ${key.lot}` : ''} is known`);
    res.setHeader('Cache-Control', 'no-cache');
    // The bundle's JSON, made once per bundle version (BundleCache memo).
    sendMemo(res, 'json', memoBody(found.memo, 'bundle.json', () => JSON.stringify(found.bundle)));
  });

  router.use(async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !LOT_PATH.test(req.path)) return next();
    limit(req, res, () => void resolve(req, res).catch(next));
  });

  async function resolve(req: Request, res: Response): Promise<void> {
    res.setHeader('Vary', 'Accept');
    let key: DigitalLinkKey;
    try {
      key = parseDigitalLink(req.path).key;
    } catch (err) {
      if (!isDigitalLinkError(err)) throw err;
      const where = err.segment ? { zh: `（问题在「${err.segment}」）`, en: ` (at "${err.segment}")` } : { zh: '', en: '' };
      refuse(req, res, 400, 'VALIDATION_FAILED', { zh: '这个二维码链接有误', en: 'This code’s link is not valid' }, { zh: err.messages['zh-CN'] + where.zh, en: err.messages.en + where.en }, {
        problems: [{ path: err.segment ?? 'path', message: err.messages.en }],
        digitalLinkError: err.code,
      });
      return;
    }
    const canonical = digitalLinkPath(key);
    if (canonical !== req.path) {
      res.redirect(301, canonical + queryString(req));
      return;
    }
    const lot = key.type === 'gtin' ? subjectForDigitalLink(key) : undefined;
    const notFound = (message: Text) => refuse(req, res, 404, 'NOT_FOUND', { zh: '未找到此产品批次', en: 'We could not find this product lot' }, message);
    if (!lot || key.type !== 'gtin') {
      notFound({ zh: '此链接不指向一个产品批次（需要 GTIN 与批号）。', en: 'This link does not name a product lot (it needs a GTIN and a lot number).' });
      return;
    }
    const found = await bundles.get(lot);
    if (!found) {
      notFound({ zh: `没有 GTIN ${key.gtin} 批号 ${key.lot} 的记录。请核对包装上的批号，或联系生产企业。`, en: `There is no record of GTIN ${key.gtin}, lot ${key.lot}. Check the lot number on the pack, or ask the maker.` });
      return;
    }
    // A scan of a serialised code (item 6): counted outside the ledger with a coarse place only (no
    // address, no device). HEAD is a link checker, not a scan. The code travels as `?serial=` on the
    // 303 to the lot (the walk-up every client gets, page or linkset), and the lot's page asks for
    // the verdict itself: the query names the code, never the verdict, so it cannot be forged.
    if (key.serial !== undefined) {
      if (req.method === 'GET') await recordScan(deps.db, { gtin: key.gtin, lot: key.lot!, serial: key.serial, coarseLocation: coarsePlace({ get: (n) => req.get(n) }), at: new Date() });
      if (!(await serialIssued(lot, key.serial))) {
        res.redirect(303, digitalLinkPath({ type: 'gtin', gtin: key.gtin, lot: key.lot! }) + withSerial(req, key.serial));
        return;
      }
    }
    let model = found.memo.get('model') as ReturnType<typeof pageModel> | undefined;
    if (!model) found.memo.set('model', (model = pageModel(found.bundle, found)));
    const bundlePath = BUNDLE_PREFIX + canonical;
    if (wantsLinkset(req)) {
      res.setHeader('Cache-Control', 'no-cache');
      const linkset = memoBody(found.memo, `linkset ${base}${canonical}`, () =>
        JSON.stringify(
          lotLinkset(model, {
            anchor: base + canonical,
            bundleUrl: base + bundlePath,
            ...(deps.epcis ? { epcisUrl: `${base}/trace/v1/epcis?subject=${encodeURIComponent(lot)}` } : {}),
          }),
        ),
      );
      sendMemo(res, LINKSET_TYPE, linkset);
      return;
    }
    const built = await getScript();
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Language', langOf(req));
    const lang = langOf(req);
    // A page for one serialised code carries that code's scan verdict: made per request, never memoised.
    const serial = key.serial ?? (typeof req.query.serial === 'string' && SERIAL_PARAM.test(req.query.serial) ? req.query.serial : undefined);
    if (serial !== undefined) {
      const verdict = await scanVerdict(deps.db, { gtin: key.gtin, lot: key.lot!, serial }, deps.scanThresholds ?? DEFAULT_SCAN_THRESHOLDS);
      res.type('html').send(consumerPage(model, { lang, bundlePath, scriptPath: built.path, serial, ...(verdict.warning ? { copyWarning: { warning: verdict.warning, reasons: verdict.reasons } } : {}) }));
      return;
    }
    sendMemo(res, 'html', memoBody(found.memo, `page ${lang} ${bundlePath} ${built.path}`, () => consumerPage(model, { lang, bundlePath, scriptPath: built.path })));
  }

  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent || req.path.startsWith(BUNDLE_PREFIX) || wantsLinkset(req) || !LOT_PATH.test(req.path)) return next(err);
    deps.logger.error('resolver failed', { path: req.path, error: (err as Error)?.message });
    res.status(503).type('html').send(errorPage(langOf(req), 503, { zh: '暂时无法显示', en: 'Not available right now' }, { zh: '请稍后再试。', en: 'Please try again shortly.' }));
  });
  const problems = problemHandler({ logger: deps.logger });
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => problems(err instanceof UpstreamError ? new AppError('UNAVAILABLE', err.message) : err, req, res, next));
  return router;
}

/** An answer made once per bundle version: its bytes and a strong ETag over them. */
interface MemoBody {
  body: Buffer;
  etag: string;
}

function memoBody(memo: Map<string, unknown>, key: string, make: () => string): MemoBody {
  let m = memo.get(key) as MemoBody | undefined;
  if (!m) {
    const body = Buffer.from(make());
    m = { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
    memo.set(key, m);
  }
  return m;
}

/**
 * Sends a memoised answer with its ETag: Express then neither hashes the body again nor encodes a
 * string per request, and answers 304 to a client that already has this version (If-None-Match).
 */
function sendMemo(res: Response, type: string, m: MemoBody): void {
  res.setHeader('ETag', m.etag);
  res.type(type).send(m.body);
}
