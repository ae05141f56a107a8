// Non-conformant results counted by region, analyte and time bucket (China Standard Time days, or
// ISO weeks starting on Monday). Pure.
import type { Nonconformity } from './queries.ts';

export type Bucket = 'day' | 'week';
export interface Region {
  code: string;
  name: string;
}

export interface RegionalNonconformity extends Nonconformity {
  /** The regions of the farms whose milk was tested (else of the organisation holding what was sampled). */
  regions: Region[];
}

export interface Series {
  region: Region;
  analyte: string;
  /** Count per bucket, aligned with `buckets`. */
  counts: number[];
  total: number;
}

const DAY = 86_400_000;
const CST = 8 * 3_600_000;
/** Most buckets one request may span. */
export const MAX_BUCKETS = 400;

/** The bucket (its first day, YYYY-MM-DD in China time) an instant falls in. */
export function bucketOf(t: Date | string, bucket: Bucket): string {
  const ms = (typeof t === 'string' ? Date.parse(t) : t.getTime()) + CST;
  let dayStart = Math.floor(ms / DAY) * DAY;
  if (bucket === 'week') dayStart -= ((new Date(dayStart).getUTCDay() + 6) % 7) * DAY;
  return new Date(dayStart).toISOString().slice(0, 10);
}

/** Every bucket from the one holding `from` to the one holding the last instant before `to`. */
export function bucketsBetween(from: Date, to: Date, bucket: Bucket): string[] {
  const out: string[] = [];
  const step = bucket === 'week' ? 7 * DAY : DAY;
  const last = bucketOf(new Date(to.getTime() - 1), bucket);
  for (let t = Date.parse(`${bucketOf(from, bucket)}T00:00:00Z`); out.length <= MAX_BUCKETS; t += step) {
    const key = new Date(t).toISOString().slice(0, 10);
    out.push(key);
    if (key >= last) break;
  }
  return out;
}

export function seriesOf(results: readonly RegionalNonconformity[], buckets: readonly string[], bucket: Bucket): Series[] {
  const index = new Map(buckets.map((b, i) => [b, i]));
  const series = new Map<string, Series>();
  for (const r of results) {
    const i = index.get(bucketOf(r.at, bucket));
    if (i === undefined) continue;
    for (const region of r.regions) {
      const key = `${region.code}\u0000${r.analyte}`;
      let s = series.get(key);
      if (!s) {
        s = { region, analyte: r.analyte, counts: buckets.map(() => 0), total: 0 };
        series.set(key, s);
      }
      s.counts[i]! += 1;
      s.total += 1;
    }
  }
  return [...series.values()].sort((a, b) => a.region.code.localeCompare(b.region.code) || a.analyte.localeCompare(b.analyte));
}
