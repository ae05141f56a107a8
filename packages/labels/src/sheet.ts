/**
 * A printable A4 label sheet: one label per lot or per serialised unit, each with its QR code, the
 * GS1 element string under it, the product name (zh-CN first, then English), the best-before date
 * and "扫码查看来源 / Scan to see where it came from".
 *
 * Why HTML with inline SVGs rather than one SVG page: the browser lays out and wraps the text
 * (long bilingual names, CJK font fallback), CSS sizes everything in millimetres and `@page` fixes
 * A4 and its margins, so the sheet prints at true size from any browser; and a sheet of many lots
 * simply runs to several pages, where one SVG is one page with hand-placed text. The QR codes stay
 * vectors, so they print sharp at any resolution. Pure: strings in, one HTML document out.
 */
import { gs1ElementString, parseDigitalLink, type DigitalLinkKey } from '@milkchain/domain';
import { escapeXml } from './qr.ts';

export interface LabelContent {
  /** The key the code carries: a lot, or one serialised unit of it. */
  readonly key: DigitalLinkKey;
  /** Its rendered code (a RenderedQr from ensureLotLabel will do). */
  readonly qr: { readonly uri: string; readonly svg: string };
  readonly productName: { readonly 'zh-CN': string; readonly en: string };
  /** YYYY-MM-DD. */
  readonly bestBefore?: string;
}

export interface LabelSheetOptions {
  /** The document's title (shown by the browser, not printed). */
  readonly title?: string;
}

/** 3 × 4 labels of 63 × 68 mm fit A4 (210 × 297 mm) inside 10 mm margins. */
export const LABELS_PER_PAGE = 12;

const SCAN_TEXT = { 'zh-CN': '扫码查看来源', en: 'Scan to see where it came from' };

const STYLE = `
@page { size: A4 portrait; margin: 10mm; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: #000; }
.page { display: grid; grid-template-columns: repeat(3, 63mm); grid-auto-rows: 68mm; gap: 0; width: 189mm; break-after: page; }
.page:last-child { break-after: auto; }
.label { border: 0.2mm dashed #999; padding: 3mm; display: flex; flex-direction: column; align-items: center; text-align: center; overflow: hidden; break-inside: avoid; }
.qr svg { display: block; width: 30mm; height: 30mm; }
.hri { font-family: "DejaVu Sans Mono", "Menlo", monospace; font-size: 6.5pt; margin-top: 0.5mm; line-height: 1.25; }
.hri span { white-space: nowrap; }
.name-zh { font-size: 9pt; font-weight: bold; margin-top: 1.5mm; line-height: 1.2; }
.name-en { font-size: 7.5pt; line-height: 1.2; }
.bb { font-size: 7.5pt; margin-top: 1mm; }
.scan { font-size: 7pt; margin-top: auto; }
@media screen { body { background: #eee; } .page { background: #fff; margin: 5mm auto; box-shadow: 0 0 2mm #aaa; } }
`;

/**
 * The element string with each `(AI) value` kept on one line: a serialised unit's string is wider
 * than a label, so it may wrap, but only between elements. Values never hold spaces (GS1 set 82).
 */
function elements(hri: string): string {
  const tokens = hri.split(' ');
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += 2) out.push(`<span>${escapeXml(`${tokens[i]} ${tokens[i + 1]}`)}</span>`);
  return out.join(' ');
}

function label(content: LabelContent): string {
  const hri = gs1ElementString(content.key);
  // The element string printed must be what the code says: a mismatch would send people to another lot.
  const coded = gs1ElementString(parseDigitalLink(content.qr.uri).key);
  if (coded !== hri) throw new RangeError(`the code ${content.qr.uri} carries ${coded}, not ${hri}`);
  const svg = content.qr.svg.replace(/^<\?xml[^>]*>\s*/, '');
  const bestBefore = content.bestBefore
    ? `<div class="bb">保质期至 / Best before ${escapeXml(content.bestBefore)}</div>`
    : '';
  return [
    `<div class="label" data-uri="${escapeXml(content.qr.uri)}">`,
    `<div class="qr">${svg}</div>`,
    `<div class="hri">${elements(hri)}</div>`,
    `<div class="name-zh" lang="zh-CN">${escapeXml(content.productName['zh-CN'])}</div>`,
    `<div class="name-en" lang="en">${escapeXml(content.productName.en)}</div>`,
    bestBefore,
    `<div class="scan">${SCAN_TEXT['zh-CN']} / <span lang="en">${SCAN_TEXT.en}</span></div>`,
    `</div>`,
  ].join('');
}

/**
 * The HTML document of the sheet, labels in the order given, 12 to a page. Throws a RangeError
 * when a label's code does not carry its key (DigitalLinkError when the code is not a Digital Link).
 */
export function labelSheet(labels: readonly LabelContent[], opts: LabelSheetOptions = {}): string {
  const pages: string[] = [];
  for (let i = 0; i < labels.length; i += LABELS_PER_PAGE) {
    pages.push(`<section class="page">${labels.slice(i, i + LABELS_PER_PAGE).map(label).join('\n')}</section>`);
  }
  const title = opts.title ?? '标签 / Labels';
  return [
    '<!doctype html>',
    '<html lang="zh-CN">',
    `<head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${STYLE}</style></head>`,
    `<body>${pages.join('\n')}</body>`,
    '</html>',
    '',
  ].join('\n');
}
