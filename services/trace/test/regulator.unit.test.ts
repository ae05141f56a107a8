import { describe, expect, it } from 'vitest';
import { nonconformityChart } from '../src/regulator/page.ts';
import { bucketOf, bucketsBetween, seriesOf, type RegionalNonconformity } from '../src/regulator/series.ts';

const result = (at: string, analyte: string, regions: Array<{ code: string; name: string }>): RegionalNonconformity => ({
  id: at + analyte,
  at,
  analyte,
  value: 1,
  unit: 'µg/kg',
  limit: null,
  rule: null,
  method: null,
  lab: 'org_lab',
  sample: 'urn:milkchain:sample:x',
  sampledFrom: null,
  sampledFromOrg: null,
  farms: [],
  regions,
});

const TOGTOH = { code: '150122', name: '内蒙古自治区呼和浩特市托克托县' };
const HORINGER = { code: '150123', name: '内蒙古自治区呼和浩特市和林格尔县' };

describe('non-conformity series', () => {
  it('buckets instants by China Standard Time day, and by ISO week starting on Monday', () => {
    expect(bucketOf('2026-11-11T23:30:00+08:00', 'day')).toBe('2026-11-11');
    expect(bucketOf('2026-11-11T16:30:00Z', 'day')).toBe('2026-11-12');
    // 2026-11-15 is a Sunday: its week starts on Monday 2026-11-09.
    expect(bucketOf('2026-11-15T12:00:00+08:00', 'week')).toBe('2026-11-09');
    expect(bucketOf('2026-11-16T00:10:00+08:00', 'week')).toBe('2026-11-16');
  });

  it('lists every bucket of the window, including empty ones', () => {
    const from = new Date('2026-11-09T00:00:00+08:00');
    const to = new Date('2026-11-12T00:00:00+08:00');
    expect(bucketsBetween(from, to, 'day')).toEqual(['2026-11-09', '2026-11-10', '2026-11-11']);
    expect(bucketsBetween(from, new Date('2026-11-30T00:00:00+08:00'), 'week')).toEqual(['2026-11-09', '2026-11-16', '2026-11-23']);
  });

  it('counts a result once in each region of its farms, per analyte and bucket', () => {
    const buckets = ['2026-11-10', '2026-11-11'];
    const series = seriesOf(
      [
        result('2026-11-11T08:00:00+08:00', 'aflatoxin_m1', [TOGTOH, HORINGER]),
        result('2026-11-11T09:00:00+08:00', 'aflatoxin_m1', [TOGTOH]),
        result('2026-11-10T09:00:00+08:00', 'total_bacteria', [TOGTOH]),
        result('2026-12-10T09:00:00+08:00', 'total_bacteria', [TOGTOH]),
      ],
      buckets,
      'day',
    );
    expect(series).toEqual([
      { region: TOGTOH, analyte: 'aflatoxin_m1', counts: [0, 2], total: 2 },
      { region: TOGTOH, analyte: 'total_bacteria', counts: [1, 0], total: 1 },
      { region: HORINGER, analyte: 'aflatoxin_m1', counts: [0, 1], total: 1 },
    ].sort((a, b) => a.region.code.localeCompare(b.region.code) || a.analyte.localeCompare(b.analyte)));
  });

  it('draws one bar per analyte, region and bucket with a count, as inline SVG with escaped labels', () => {
    const buckets = ['2026-11-10', '2026-11-11'];
    const svg = nonconformityChart(buckets, [
      { region: { code: '1', name: '<script>' }, analyte: 'aflatoxin_m1', counts: [0, 2], total: 2 },
      { region: { code: '1', name: '<script>' }, analyte: 'total_bacteria', counts: [1, 1], total: 2 },
    ]);
    expect(svg.startsWith('<svg id="nonconformity-chart"')).toBe(true);
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(3);
    expect(svg).toContain('data-count="2"');
    expect(svg).not.toContain('<script>');
    expect(nonconformityChart(buckets, [])).not.toContain('<svg');
  });
});
