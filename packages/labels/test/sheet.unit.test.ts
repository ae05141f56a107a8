import { describe, expect, it } from 'vitest';
import { buildDigitalLink, gs1ElementString, type DigitalLinkKey } from '@milkchain/domain';
import { labelSheet, LABELS_PER_PAGE, renderQr, type LabelContent } from '../src/index.ts';

const BASE = 'https://id.milkchain.example';
const MILK = { 'zh-CN': '鲜牛奶 250 mL', en: 'Fresh pasteurised milk 250 mL' };
const TOFU = { 'zh-CN': '奶豆腐', en: 'Milk tofu (aaruul) <traditional> & dried' };

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
/** The element strings printed, as people read them (the text of each `.hri`). */
const printedHris = (html: string) => [...html.matchAll(/<div class="hri">(.*?)<\/div>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));

async function labels(keys: DigitalLinkKey[], productName = MILK): Promise<LabelContent[]> {
  return Promise.all(
    keys.map(async (key) => {
      const uri = buildDigitalLink(BASE, key);
      return { key, qr: { uri, svg: await renderQr(uri, { format: 'svg' }) }, productName, bestBefore: '2026-11-30' };
    }),
  );
}

describe('labelSheet', () => {
  it('prints a sheet for 3 lots and 5 serialised units with each code exactly once', async () => {
    const lots: DigitalLinkKey[] = ['L20261120A', 'L20261120B', 'L20261121A'].map((lot) => ({ type: 'gtin', gtin: '06901234567892', lot }));
    const units: DigitalLinkKey[] = ['0001', '0002', '0003', '0004', '0005'].map((serial) => ({ type: 'gtin', gtin: '06901234000016', lot: '261123P1B', serial }));
    const content = await labels([...lots, ...units]);
    const html = labelSheet(content);

    expect(count(html, 'class="label"')).toBe(8);
    const hris = printedHris(html);
    for (const { key, qr } of content) {
      expect(count(html, `data-uri="${qr.uri}"`), qr.uri).toBe(1);
      expect(count(html, qr.svg), qr.uri).toBe(1);
      expect(hris.filter((h) => h === gs1ElementString(key)), qr.uri).toHaveLength(1);
    }
    // Codes are told apart by their own element strings: a serial's names its lot and serial.
    expect(hris).toContain('(01) 06901234567892 (10) L20261120A');
    expect(hris).toContain('(01) 06901234000016 (10) 261123P1B (21) 0003');
    // Each element stays on one line when a long string wraps.
    expect(html).toContain('<div class="hri"><span>(01) 06901234000016</span> <span>(10) 261123P1B</span> <span>(21) 0003</span></div>');
    expect(hris).toHaveLength(8);
    expect(count(html, '<svg ')).toBe(8);
  });

  it('is an A4 page with the product in Chinese first, then English, the best-before date and what scanning does', async () => {
    const [label] = await labels([{ type: 'gtin', gtin: '06901234567892', lot: 'L1' }]);
    const html = labelSheet([label!], { title: '批次 L1 标签' });
    expect(html.startsWith('<!doctype html>\n<html lang="zh-CN">')).toBe(true);
    expect(html).toContain('<title>批次 L1 标签</title>');
    expect(html).toContain('@page { size: A4 portrait;');
    const body = html.slice(html.indexOf('<body>'));
    const at = (text: string) => body.indexOf(text);
    expect(printedHris(html)).toEqual(['(01) 06901234567892 (10) L1']);
    expect(at('鲜牛奶 250 mL')).toBeGreaterThan(at('(01) 06901234567892'));
    expect(at('Fresh pasteurised milk 250 mL')).toBeGreaterThan(at('鲜牛奶 250 mL'));
    expect(at('保质期至 / Best before 2026-11-30')).toBeGreaterThan(at('Fresh pasteurised milk'));
    expect(at('扫码查看来源 / <span lang="en">Scan to see where it came from</span>')).toBeGreaterThan(at('保质期至'));
    expect(at('<svg ')).toBeLessThan(at('(01) 06901234567892'));
  });

  it('escapes what people typed', async () => {
    const html = labelSheet(await labels([{ type: 'gtin', gtin: '06901234567892', lot: 'L1' }], TOFU));
    expect(html).toContain('Milk tofu (aaruul) &#60;traditional&#62; &#38; dried');
    expect(html).not.toContain('<traditional>');
  });

  it('runs to as many A4 pages as the labels need, 12 to a page', async () => {
    const keys: DigitalLinkKey[] = Array.from({ length: 25 }, (_, i) => ({ type: 'gtin', gtin: '06901234567892', lot: 'L1', serial: String(i + 1) }));
    const html = labelSheet(await labels(keys));
    expect(LABELS_PER_PAGE).toBe(12);
    const pages = html.split('<section class="page">').slice(1);
    expect(pages.map((p) => count(p, 'class="label"'))).toEqual([12, 12, 1]);
    expect(labelSheet([])).toContain('<body></body>');
  });

  it('omits the best-before line when there is none, and takes a shipment label', async () => {
    const [label] = await labels([{ type: 'sscc', sscc: '106141411234567897' }]);
    const html = labelSheet([{ ...label!, bestBefore: undefined }]);
    expect(html).not.toContain('保质期至');
    expect(printedHris(html)).toEqual(['(00) 106141411234567897']);
  });

  it('refuses a label whose code carries another key than the one printed under it', async () => {
    const [label] = await labels([{ type: 'gtin', gtin: '06901234567892', lot: 'L1' }]);
    const other = { ...label!, key: { type: 'gtin', gtin: '06901234567892', lot: 'L2' } as const };
    expect(() => labelSheet([other])).toThrow(/carries \(01\) 06901234567892 \(10\) L1, not .*L2/);
    expect(() => labelSheet([{ ...label!, qr: { ...label!.qr, uri: buildDigitalLink(BASE, { type: 'gtin', gtin: '9506000134352', lot: 'L1' }) } }])).toThrow(RangeError);
  });
});
