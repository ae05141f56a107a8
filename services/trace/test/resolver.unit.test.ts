import { describe, expect, it } from 'vitest';
import { COPY_WARNING, copyWarningSection, errorPage, lotLinkset, temperatureChart, TokenBuckets, type PageModel } from '../src/index.ts';

describe('TokenBuckets', () => {
  it('lets a burst through, then refuses with the seconds to wait, and refills over time', () => {
    let now = 0;
    const b = new TokenBuckets({ burst: 2, perSecond: 0.5, now: () => now });
    expect([b.take('a'), b.take('a')]).toEqual([0, 0]);
    expect(b.take('a')).toBe(2);
    expect(b.take('b')).toBe(0); // per client
    now += 2000;
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBeGreaterThan(0);
  });
});

describe('page parts', () => {
  it('draws the limit lines and marks the readings outside the range', () => {
    const svg = temperatureChart({
      sscc: '006901234000000018',
      from: 'a',
      to: 'b',
      range: { minC: 2, maxC: 6 },
      readings: [
        { at: '2026-11-24T06:00:00+08:00', c: 3.9 },
        { at: '2026-11-24T06:30:00+08:00', c: 6.8 },
        { at: '2026-11-24T07:00:00+08:00', c: 4.6 },
      ],
      excursions: [{ start: '2026-11-24T06:20:00+08:00', end: '2026-11-24T06:45:00+08:00', peakC: 6.8 }],
      eventIds: [],
    });
    expect(svg.match(/class="limit"/g)).toHaveLength(2);
    expect(svg.match(/class="out"/g)).toHaveLength(1);
    expect(svg).toContain('class="excursion"');
  });

  it('writes error pages in both languages, the asked one on <html lang>', () => {
    const html = errorPage('en', 404, { zh: '未找到', en: 'Not found' }, { zh: '没有<记录>', en: 'No record' });
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toContain('未找到');
    expect(html).toContain('没有&lt;记录&gt;');
    expect(html).not.toMatch(/<(script|link rel="stylesheet")[^>]*(src|href)="http/);
  });

  it('puts a recall first in the linkset', () => {
    const model = {
      lot: { subject: 'urn:milkchain:lot:06901234000020:L1', gtin: '06901234000020', lot: 'L1', uri: 'https://id.example/01/06901234000020/10/L1' },
      product: { name: 'Milk', units: 1, unitSize: undefined, productionDate: undefined, bestBefore: undefined, storage: undefined },
      processor: undefined,
      alerts: [{ type: 'recall', active: true, title: { zh: '召回', en: 'Recall' }, detail: undefined, at: undefined, eventId: undefined }],
      farms: [],
      results: [],
      shipments: [],
      cited: [],
    } satisfies PageModel;
    const { linkset } = lotLinkset(model, { anchor: model.lot.uri, bundleUrl: 'https://id.example/trace/v1/bundles/01/06901234000020/10/L1' });
    expect(Object.keys(linkset[0]!)).toEqual(['anchor', 'https://gs1.org/voc/recallStatus', 'https://gs1.org/voc/pip', 'https://gs1.org/voc/defaultLink', 'https://gs1.org/voc/traceability']);
  });
});

describe('copy warning', () => {
  it('shows both languages, zh-CN first, the reasons, and escapes the serial', () => {
    const reason = { code: 'scans.many-places' as const, 'zh-CN': '此码已在 5 个不同地区被扫描', en: 'scanned in 5 places', count: 5, threshold: 3 };
    const html = copyWarningSection('A<&"1', { warning: { ...COPY_WARNING }, reasons: [reason] });
    expect(html).toContain('role="alert"');
    expect(html.indexOf(COPY_WARNING['zh-CN'])).toBeGreaterThan(0);
    expect(html.indexOf(COPY_WARNING['zh-CN'])).toBeLessThan(html.indexOf(COPY_WARNING.en));
    expect(html).toContain('此码已在 5 个不同地区被扫描');
    expect(html).toContain('data-serial="A&lt;&amp;&quot;1"');
    expect(html).not.toContain('A<&"1');
  });
});
