// GET /trace/v1/labels/01/:gtin/10/:lot.svg|.png (a lot's Digital Link QR code, from labels_qr,
// rendered through the cache when the worker has not got to it yet) and GET /trace/v1/labels/sheet
// (the printable A4 label sheet of some lots, optionally with N serialised unit codes each).
// Labels are printed by those who pack and those who oversee them: a token with role processor,
// workshop, regulator or admin may fetch any lot's; any other caller only its own organisation's.
import express, { type Request, type Response, type Router } from 'express';
import { principalOf, type Principal } from '@milkchain/auth';
import { isDigitalLinkError, PRODUCT_NAMES, toGtin14, GS1_LOT, type DigitalLinkKey, type ProductType, type Role } from '@milkchain/domain';
import { AppError, validationFailed } from '@milkchain/http';
import { ensureLotLabel, labelSheet, type LabelCache, type LabelContent } from '@milkchain/labels';
import type { Queryable } from '../lineage/queries.ts';

export const LABEL_ROLES: readonly Role[] = ['processor', 'workshop', 'regulator', 'admin'];

/** Most codes (lot codes plus unit codes) one sheet may carry. */
export const MAX_SHEET_CODES = 500;
/** Most lots one sheet may name. */
export const MAX_SHEET_LOTS = 100;
/** Serial numbers are the lot number plus a 4-digit counter, so at most 9999 units per lot. */
export const MAX_SERIALS = 9999;

export interface LabelsRouterDeps {
  db: Queryable;
  cache: LabelCache;
  /** The resolver's public base URL the codes point to. */
  resolverBase: string;
}

interface LotRow {
  subject: string;
  org: string;
  gtin: string;
  lot: string;
  product: string | null;
  best_before: string | null;
  product_type: string | null;
}

/** The serial of the `n`th unit (1-based) of `lot`: `<lot>-0001`. */
export function unitSerial(lot: string, n: number): string {
  return `${lot}-${String(n).padStart(4, '0')}`;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * The bilingual product name of a lot. Product names in milkchain are written "中文 English"
 * (batch.produced productName): split where the Latin text starts after the Chinese. A name in
 * one language only falls back on the product type's names, else stands for both.
 */
export function productNames(product: string | null, productType: string | null, gtin: string): { 'zh-CN': string; en: string } {
  const typed = productType && Object.hasOwn(PRODUCT_NAMES, productType) ? PRODUCT_NAMES[productType as ProductType] : undefined;
  const name = product?.trim();
  if (name) {
    const m = /^(.*?[\u3400-\u9fff\uf900-\ufaff][^A-Za-z]*?)\s+([A-Za-z].*)$/.exec(name);
    if (m) return { 'zh-CN': m[1]!, en: m[2]! };
    if (CJK.test(name)) return { 'zh-CN': name, en: typed?.en ?? name };
    return { 'zh-CN': typed?.['zh-CN'] ?? name, en: name };
  }
  return typed ? { 'zh-CN': typed['zh-CN'], en: typed.en } : { 'zh-CN': gtin, en: gtin };
}

async function lotRow(db: Queryable, gtin: string, lot: string): Promise<LotRow | undefined> {
  const { rows } = await db.query<LotRow>(
    `SELECT subject, org, gtin, lot, product, to_char(best_before, 'YYYY-MM-DD') AS best_before,
            COALESCE(state->'data'->>'productType', (SELECT p.state->'data'->>'productType' FROM trace_edges e JOIN trace_nodes p ON p.subject = e.parent
                WHERE e.child = n.subject AND e.rel = 'input' AND p.state->'data' ? 'productType' LIMIT 1)) AS product_type
       FROM trace_nodes n WHERE type = 'lot' AND subject = $1`,
    [`urn:milkchain:lot:${gtin}:${lot}`],
  );
  return rows[0];
}

function privileged(p: Principal): boolean {
  return LABEL_ROLES.some((r) => p.roles.includes(r));
}

function forbidden(what: string): AppError {
  return new AppError(
    'FORBIDDEN',
    `打印标签需要加工、作坊、监管或管理员角色，或是本组织的批次 / the labels of ${what} need the role ${LABEL_ROLES.join(', ')}, or a lot of your own organisation`,
    { requiredRoles: LABEL_ROLES },
  );
}

function notFound(gtin: string, lot: string): AppError {
  return new AppError('NOT_FOUND', `追溯里没有批次 ${gtin} / ${lot} / the lot ${gtin} ${lot} is not known to the trace (yet)`);
}

/** A GTIN and lot number as a key, or the problem with them (`path` names the parameter). */
function lotKey(gtinIn: string, lot: string, path: string): { gtin: string; lot: string } {
  const gtin = toGtin14(gtinIn);
  if (!gtin || !/^\d+$/.test(gtinIn)) throw validationFailed([{ path, message: `${gtinIn} is not a GTIN (8, 12, 13 or 14 digits with a valid check digit)` }]);
  if (!GS1_LOT.test(lot)) throw validationFailed([{ path, message: 'the lot number must be 1 to 20 characters of GS1 set 82' }]);
  return { gtin, lot };
}

/** The lot, after the caller may see it (404 unknown, 403 not theirs). */
async function visibleLot(db: Queryable, res: Response, gtin: string, lot: string): Promise<LotRow> {
  const row = await lotRow(db, gtin, lot);
  if (!row) throw notFound(gtin, lot);
  const p = principalOf(res);
  if (!privileged(p) && row.org !== p.org) throw forbidden(`${gtin} ${lot}`);
  return row;
}

function sheetLots(req: Request): Array<{ gtin: string; lot: string }> {
  const raw = req.query.lot;
  const given = raw === undefined ? [] : [raw].flat();
  if (given.length === 0) throw validationFailed([{ path: 'lot', message: 'lot is required: one or more lot=<gtin>:<lot>' }]);
  if (given.length > MAX_SHEET_LOTS) throw validationFailed([{ path: 'lot', message: `a sheet names at most ${MAX_SHEET_LOTS} lots` }]);
  const seen = new Set<string>();
  const out: Array<{ gtin: string; lot: string }> = [];
  for (const v of given) {
    if (typeof v !== 'string') throw validationFailed([{ path: 'lot', message: 'lot must be <gtin>:<lot>' }]);
    const i = v.indexOf(':');
    if (i < 0) throw validationFailed([{ path: 'lot', message: `${v} is not <gtin>:<lot>` }]);
    const key = lotKey(v.slice(0, i), v.slice(i + 1), 'lot');
    const id = `${key.gtin}:${key.lot}`;
    if (!seen.has(id)) out.push(key);
    seen.add(id);
  }
  return out;
}

function serialsParam(req: Request, lots: number): number {
  const raw = req.query.serials;
  if (raw === undefined) return 0;
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) throw validationFailed([{ path: 'serials', message: `serials must be a whole number from 0 to ${MAX_SERIALS}` }]);
  const n = Number(raw);
  if (n > MAX_SERIALS) throw validationFailed([{ path: 'serials', message: `serials must be a whole number from 0 to ${MAX_SERIALS}` }]);
  if (lots * (n + 1) > MAX_SHEET_CODES) {
    throw validationFailed([{ path: 'serials', message: `a sheet carries at most ${MAX_SHEET_CODES} codes: ${lots} lot(s) × (1 + ${n} units) is ${lots * (n + 1)}` }]);
  }
  return n;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function labelsRouter(deps: LabelsRouterDeps): Router {
  const { db, cache, resolverBase } = deps;
  const router = express.Router();

  const code = (format: 'svg' | 'png') => async (req: Request, res: Response) => {
    const params = req.params as { gtin: string; lot: string };
    const { gtin, lot } = lotKey(params.gtin, params.lot, 'lot');
    await visibleLot(db, res, gtin, lot);
    const qr = await ensureLotLabel(cache, resolverBase, { type: 'gtin', gtin, lot });
    res.setHeader('Cache-Control', IMMUTABLE);
    if (format === 'svg') res.type('image/svg+xml').send(qr.svg);
    else res.type('image/png').send(qr.png);
  };
  router.get('/labels/01/:gtin/10/:lot.svg', code('svg'));
  router.get('/labels/01/:gtin/10/:lot.png', code('png'));

  router.get('/labels/sheet', async (req, res) => {
    const lots = sheetLots(req);
    const serials = serialsParam(req, lots.length);
    const labels: LabelContent[] = [];
    for (const l of lots) {
      const row = await visibleLot(db, res, l.gtin, l.lot);
      const content = { productName: productNames(row.product, row.product_type, row.gtin), ...(row.best_before ? { bestBefore: row.best_before } : {}) };
      const keys: DigitalLinkKey[] = [{ type: 'gtin', gtin: row.gtin, lot: row.lot }];
      for (let n = 1; n <= serials; n++) keys.push({ type: 'gtin', gtin: row.gtin, lot: row.lot, serial: unitSerial(row.lot, n) });
      for (const key of keys) {
        try {
          labels.push({ key, qr: await ensureLotLabel(cache, resolverBase, key), ...content });
        } catch (err) {
          if (isDigitalLinkError(err)) throw validationFailed([{ path: 'serials', message: `the lot number ${row.lot} is too long for serials <lot>-NNNN (at most 20 characters): ${err.message}` }]);
          throw err;
        }
      }
    }
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('text/html; charset=utf-8').send(labelSheet(labels, { title: `标签 / Labels: ${lots.map((l) => `${l.gtin} ${l.lot}`).join(', ')}`.slice(0, 200) }));
  });

  return router;
}
