// Scans of serialised codes, counted outside the ledger to spot copies: a genuine code sits on one
// pack in one place, so a serial scanned in many places, or very often, is likely printed on
// counterfeits. Nothing personal is kept: no IP address, no device, no person; the place is coarse
// (see `coarsePlace`), the time to the millisecond of the scan.
import type { Queryable } from '../lineage/queries.ts';

export interface ScanThresholds {
  /** Flag a serial scanned in more than this many distinct places (default 3). */
  maxPlaces: number;
  /** Flag a serial scanned more than this many times within `windowHours` (default 20). */
  maxScans: number;
  /** The window of `maxScans`, in hours (default 24). */
  windowHours: number;
}

export const DEFAULT_SCAN_THRESHOLDS: ScanThresholds = { maxPlaces: 3, maxScans: 20, windowHours: 24 };

export interface SerialCode {
  gtin: string;
  lot: string;
  serial: string;
}

export interface ScanRecord extends SerialCode {
  /** A city or province (or a country), never finer; null when unknown. */
  coarseLocation: string | null;
  at: Date;
}

export interface ScanReason {
  code: 'scans.many-places' | 'scans.too-often';
  'zh-CN': string;
  en: string;
  count: number;
  threshold: number;
}

export interface ScanVerdict {
  flagged: boolean;
  reasons: ScanReason[];
  /** Every scan of the serial ever recorded. */
  scans: number;
  /** Scans within the window (`windowHours` before `now`). */
  recentScans: number;
  /** Distinct places it was scanned in. */
  places: number;
  /** What the page shows the person scanning a flagged code (zh-CN first), or null. */
  warning: { 'zh-CN': string; en: string } | null;
}

/** The page's warning for a flagged code. */
export const COPY_WARNING = {
  'zh-CN': '此码已在多地被扫描，可能是仿冒品',
  en: 'This code has been scanned in many places; it may be a copy',
} as const;

const OFTEN_WARNING = {
  'zh-CN': '此码近期被扫描次数异常多，可能是仿冒品',
  en: 'This code has been scanned unusually often; it may be a copy',
} as const;

const MAX_PLACE = 64;

/**
 * The coarse place of a scan, from request headers, or null:
 * 1. `X-Geo-Region`: set by the edge in front of the resolver (CDN or reverse proxy geolocation
 *    at city or province level, e.g. `呼和浩特` or `CN-NM`); never computed here from the address.
 * 2. Otherwise the region subtag of the first `Accept-Language` range (`zh-CN` → `CN`): a country.
 * The value is trimmed to letters, digits, spaces and - _ . , and 64 characters.
 */
export function coarsePlace(headers: { get(name: string): string | undefined | null }): string | null {
  const region = headers.get('x-geo-region');
  const clean = (s: string) => s.normalize('NFC').replace(/[^\p{L}\p{N} ._,-]/gu, '').trim().slice(0, MAX_PLACE);
  if (region) {
    const c = clean(region);
    if (c.length > 0) return c;
  }
  const lang = headers.get('accept-language');
  const first = lang?.split(',')[0]?.split(';')[0]?.trim();
  const m = first ? /^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?-([A-Za-z]{2}|\d{3})\b/.exec(first) : null;
  return m ? m[1]!.toUpperCase() : null;
}

/** Records one scan of a serialised code (the resolver calls this for each /01/../10/../21/.. it serves). */
export async function recordScan(db: Queryable, scan: ScanRecord): Promise<void> {
  const place = scan.coarseLocation === null ? null : scan.coarseLocation.slice(0, MAX_PLACE) || null;
  await db.query('INSERT INTO trace_scans (gtin, lot, serial, place, at) VALUES ($1, $2, $3, $4, $5)', [scan.gtin, scan.lot, scan.serial, place, scan.at]);
}

/** Whether a serial looks copied, with the counts that say why. */
export async function scanVerdict(db: Queryable, code: SerialCode, thresholds: ScanThresholds = DEFAULT_SCAN_THRESHOLDS, now: Date = new Date()): Promise<ScanVerdict> {
  const since = new Date(now.getTime() - thresholds.windowHours * 3_600_000);
  const { rows } = await db.query<{ scans: string; recent: string; places: string }>(
    `SELECT count(*) AS scans, count(*) FILTER (WHERE at > $4) AS recent, count(DISTINCT place) AS places
       FROM trace_scans WHERE gtin = $1 AND lot = $2 AND serial = $3`,
    [code.gtin, code.lot, code.serial, since],
  );
  const scans = Number(rows[0]?.scans ?? 0);
  const recentScans = Number(rows[0]?.recent ?? 0);
  const places = Number(rows[0]?.places ?? 0);
  const reasons: ScanReason[] = [];
  if (places > thresholds.maxPlaces) {
    reasons.push({
      code: 'scans.many-places',
      'zh-CN': `此码已在 ${places} 个不同地区被扫描（正常不超过 ${thresholds.maxPlaces} 个）`,
      en: `This code has been scanned in ${places} different places (more than ${thresholds.maxPlaces} is unusual)`,
      count: places,
      threshold: thresholds.maxPlaces,
    });
  }
  if (recentScans > thresholds.maxScans) {
    reasons.push({
      code: 'scans.too-often',
      'zh-CN': `此码在 ${thresholds.windowHours} 小时内被扫描 ${recentScans} 次（正常不超过 ${thresholds.maxScans} 次）`,
      en: `This code has been scanned ${recentScans} times in ${thresholds.windowHours} hours (more than ${thresholds.maxScans} is unusual)`,
      count: recentScans,
      threshold: thresholds.maxScans,
    });
  }
  const flagged = reasons.length > 0;
  return { flagged, reasons, scans, recentScans, places, warning: !flagged ? null : reasons.some((r) => r.code === 'scans.many-places') ? { ...COPY_WARNING } : { ...OFTEN_WARNING } };
}

export interface FlaggedSerial extends SerialCode {
  scans: number;
  recentScans: number;
  places: number;
  placeNames: string[];
  lastScanAt: string;
  reasons: Array<ScanReason['code']>;
}

/** Every flagged serial, most scanned first (the regulator's list). */
export async function flaggedSerials(db: Queryable, thresholds: ScanThresholds = DEFAULT_SCAN_THRESHOLDS, opts: { limit?: number; now?: Date } = {}): Promise<FlaggedSerial[]> {
  const now = opts.now ?? new Date();
  const since = new Date(now.getTime() - thresholds.windowHours * 3_600_000);
  const { rows } = await db.query<{ gtin: string; lot: string; serial: string; scans: string; recent: string; places: string; place_names: string[] | null; last: Date }>(
    `SELECT gtin, lot, serial, count(*) AS scans, count(*) FILTER (WHERE at > $1) AS recent, count(DISTINCT place) AS places,
            array_agg(DISTINCT place) FILTER (WHERE place IS NOT NULL) AS place_names, max(at) AS last
       FROM trace_scans GROUP BY gtin, lot, serial
     HAVING count(DISTINCT place) > $2 OR count(*) FILTER (WHERE at > $1) > $3
      ORDER BY count(*) DESC, gtin, lot, serial LIMIT $4`,
    [since, thresholds.maxPlaces, thresholds.maxScans, opts.limit ?? 100],
  );
  return rows.map((r) => {
    const places = Number(r.places);
    const recentScans = Number(r.recent);
    return {
      gtin: r.gtin,
      lot: r.lot,
      serial: r.serial,
      scans: Number(r.scans),
      recentScans,
      places,
      placeNames: (r.place_names ?? []).sort(),
      lastScanAt: r.last.toISOString(),
      reasons: [...(places > thresholds.maxPlaces ? (['scans.many-places'] as const) : []), ...(recentScans > thresholds.maxScans ? (['scans.too-often'] as const) : [])],
    };
  });
}
