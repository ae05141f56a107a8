// The consumer page and the resolver's friendly error pages: server-rendered HTML, both languages
// in the document (the one not chosen hidden by CSS on <html lang>), no external requests (no
// CDNs, no web fonts, an empty favicon), readable before and without the script.
import type { ScanReason, ScanVerdict } from '../scans/scans.ts';
import type { Alert, LabResult, PageModel, Shipment, Text } from './view.ts';
import { SPECIES } from './view.ts';

export type Lang = 'zh-CN' | 'en';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Both languages of a text; CSS shows the one <html lang> names. */
export function t(text: Text): string {
  if (text.zh === text.en) return escapeHtml(text.zh);
  return `<span lang="zh-CN">${escapeHtml(text.zh)}</span><span lang="en">${escapeHtml(text.en)}</span>`;
}

const tt = (zh: string, en: string) => t({ zh, en });

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f6f5f2}
html[lang="zh-CN"] [lang="en"],html[lang="en"] [lang="zh-CN"]{display:none}
header{display:flex;justify-content:space-between;align-items:center;padding:.6rem 1rem;background:#fff;border-bottom:1px solid #ddd}
header .brand{font-weight:600}
#lang-switch{font-size:.95rem;padding:.35rem .7rem;border:1px solid #888;border-radius:1rem;color:inherit;text-decoration:none;background:#fff}
main{max-width:40rem;margin:0 auto;padding:.5rem .75rem 2rem}
section{background:#fff;border-radius:.6rem;padding:.8rem 1rem;margin:.75rem 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h1{font-size:1.35rem;margin:.2rem 0 .4rem}
h2{font-size:1.05rem;margin:0 0 .5rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;margin:0}
dt{color:#555}
dd{margin:0;word-break:break-word}
.alert{border-left:.45rem solid #b00020;background:#fdecee}
.alert.hold{border-left-color:#c77700;background:#fff4e0}
.alert.past{border-left-color:#999;background:#f2f2f2}
.alert h2{font-size:1.15rem}
table{width:100%;border-collapse:collapse;font-size:.9rem}
th,td{text-align:left;padding:.3rem .25rem;border-bottom:1px solid #eee;vertical-align:top}
.ok{color:#1b6e20;font-weight:600}
.bad{color:#b00020;font-weight:600}
.muted{color:#666;font-size:.85rem}
svg{width:100%;height:auto;display:block}
#verify{border:2px solid #999}
#verify[data-state="verified"]{border-color:#1b6e20;background:#eef8ef}
#verify[data-state="failed"]{border-color:#b00020;background:#fdecee}
#verify-status{font-weight:600;font-size:1.05rem}
progress{width:100%}
#copy-warning{background:#b00020;color:#fff;border:3px solid #6d0014}
#copy-warning .headline[lang]{display:block}
#copy-warning .headline{font-size:1.3rem;font-weight:700;margin:.1rem 0}
#copy-warning .headline[lang="en"]{font-size:1.1rem}
#copy-warning ul{margin:.4rem 0 0;padding-left:1.2rem}
`;

function shell(lang: Lang, title: string, body: string, script?: string, serial?: string): string {
  const other = lang === 'en' ? 'zh-CN' : 'en';
  // The switch keeps the scanned code, so its warning stays on the page in the other language.
  const switchHref = serial === undefined ? `?lang=${other}` : `?${new URLSearchParams({ serial, lang: other }).toString()}`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<header><span class="brand">${tt('奶链溯源', 'milkchain trace')}</span><a id="lang-switch" href="${escapeHtml(switchHref)}" hreflang="${other}" data-lang="${other}"><span lang="zh-CN">English</span><span lang="en">中文</span></a></header>
${body}
${script ? `<script type="module" src="${escapeHtml(script)}"></script>` : ''}
</body>
</html>`;
}

/** A friendly bilingual page for a link the resolver cannot serve (400, 404, 429). */
export function errorPage(lang: Lang, status: number, heading: Text, message: Text, extra = ''): string {
  const body = `<main><section class="alert"><h1>${t(heading)}</h1><p>${t(message)}</p>${extra}<p class="muted">HTTP ${status}</p></section></main>`;
  return shell(lang, lang === 'en' ? heading.en : heading.zh, body);
}

function alertSection(a: Alert): string {
  const cls = a.active ? `alert ${a.type}` : 'alert past';
  const time = a.at ? `<p class="muted">${escapeHtml(a.at.replace('T', ' ').slice(0, 16))}</p>` : '';
  const detail = a.detail ? `<p>${escapeHtml(a.detail)}</p>` : '';
  const role = a.active ? ' role="alert"' : '';
  return `<section class="${cls}" data-alert="${a.type}"${a.active ? ' data-active="true"' : ''}${a.eventId ? ` data-event="${a.eventId}"` : ''}${role}><h2>${t(a.title)}</h2>${detail}${time}</section>`;
}

function resultRow(r: LabResult): string {
  const verdict = r.verdict === 'conformant' ? `<span class="ok">${tt('合格', 'Pass')}</span>` : `<span class="bad">${tt('不合格', 'Fail')}</span>`;
  return `<tr data-event="${r.eventId}"><td>${t(r.analyte)}<div class="muted">${t(r.of)}</div></td><td>${escapeHtml(String(r.value))} ${escapeHtml(r.unit)}</td><td>${escapeHtml(r.limit)}</td><td>${escapeHtml(r.standard)}</td><td>${verdict}</td></tr>`;
}

/** A small inline SVG of one shipment's readings, its limit lines and its excursions marked. */
export function temperatureChart(s: Shipment): string {
  const W = 320;
  const H = 130;
  const pad = { l: 30, r: 8, t: 8, b: 18 };
  if (s.readings.length === 0) return `<p class="muted">${tt('无温度记录', 'No temperature readings')}</p>`;
  const times = s.readings.map((r) => Date.parse(r.at));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  const temps = s.readings.map((r) => r.c);
  const lo = Math.floor(Math.min(...temps, s.range?.minC ?? Infinity) - 1);
  const hi = Math.ceil(Math.max(...temps, s.range?.maxC ?? -Infinity) + 1);
  const x = (ms: number) => pad.l + ((ms - t0) / (t1 - t0)) * (W - pad.l - pad.r);
  const y = (c: number) => pad.t + ((hi - c) / (hi - lo)) * (H - pad.t - pad.b);
  const f = (n: number) => n.toFixed(1);
  const outside = (c: number) => s.range !== undefined && (c < s.range.minC || c > s.range.maxC);
  const parts: string[] = [];
  for (const e of s.excursions) {
    const a = x(Math.max(t0, Date.parse(e.start)));
    const b = x(Math.min(t1, Date.parse(e.end)));
    parts.push(`<rect class="excursion" x="${f(a)}" y="${pad.t}" width="${f(Math.max(2, b - a))}" height="${H - pad.t - pad.b}" fill="#b00020" fill-opacity=".12"/>`);
  }
  if (s.range) {
    for (const c of [s.range.maxC, s.range.minC]) {
      parts.push(`<line class="limit" x1="${pad.l}" x2="${W - pad.r}" y1="${f(y(c))}" y2="${f(y(c))}" stroke="#b00020" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="2" y="${f(y(c) + 4)}" font-size="10" fill="#b00020">${c}°C</text>`);
    }
  }
  parts.push(`<polyline fill="none" stroke="#1f5fa8" stroke-width="2" points="${s.readings.map((r) => `${f(x(Date.parse(r.at)))},${f(y(r.c))}`).join(' ')}"/>`);
  for (const r of s.readings) {
    parts.push(`<circle cx="${f(x(Date.parse(r.at)))}" cy="${f(y(r.c))}" r="${outside(r.c) ? 4 : 2.5}" fill="${outside(r.c) ? '#b00020' : '#1f5fa8'}"${outside(r.c) ? ' class="out"' : ''}><title>${escapeHtml(r.at)}: ${r.c} °C</title></circle>`);
  }
  const label = `${s.readings[0]!.at.slice(11, 16)} – ${s.readings.at(-1)!.at.slice(11, 16)}`;
  parts.push(`<text x="${pad.l}" y="${H - 4}" font-size="10" fill="#555">${escapeHtml(label)}</text>`);
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="temperature °C">${parts.join('')}</svg>`;
}

function dl(rows: Array<[string, string | undefined]>): string {
  return `<dl>${rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`)
    .join('')}</dl>`;
}

const LICENCES: Record<string, Text> = {
  SC: { zh: '食品生产许可证', en: 'Food production licence (SC)' },
  workshop_registration: { zh: '加工坊登记证', en: 'Workshop registration' },
  raw_milk_purchase: { zh: '生鲜乳收购许可证', en: 'Raw milk purchase licence' },
  raw_milk_transport: { zh: '生鲜乳准运证', en: 'Raw milk transport permit' },
};

export interface PageOptions {
  lang: Lang;
  /** The serialised code scanned (AI 21), when the page is for one unit of the lot. */
  serial?: string;
  /** That code's scan verdict when it is flagged as a likely copy: the page leads with it. */
  copyWarning?: { warning: NonNullable<ScanVerdict['warning']>; reasons: ScanReason[] };
  /** Path of the verification bundle, fetched by the script. */
  bundlePath: string;
  /** Path of the built script. */
  scriptPath: string;
}

/**
 * The copy warning, loudest of all and above a recall: if the pack in hand is a counterfeit, nothing
 * else on the page (the recall included) describes it. Both languages are shown at once, zh-CN first,
 * whatever the page's language, so no one misses it for want of the switch.
 */
export function copyWarningSection(serial: string, w: NonNullable<PageOptions['copyWarning']>): string {
  const reasons = w.reasons.map((r) => `<li>${t({ zh: r['zh-CN'], en: r.en })}</li>`).join('');
  return `<section id="copy-warning" class="alert" data-alert="copy" data-serial="${escapeHtml(serial)}" role="alert"><p class="headline" lang="zh-CN">⚠ ${escapeHtml(w.warning['zh-CN'])}</p><p class="headline" lang="en">⚠ ${escapeHtml(w.warning.en)}</p>${
    reasons ? `<ul>${reasons}</ul>` : ''
  }<p>${tt(`序列号 ${serial}。如有疑问请勿食用，并向市场监管部门（12315）举报。`, `Serial ${serial}. If in doubt, do not consume it; report it to the market regulator (12315).`)}</p></section>`;
}

export function consumerPage(m: PageModel, opts: PageOptions): string {
  const e = escapeHtml;
  const alerts = m.alerts.filter((a) => a.active).map(alertSection).join('');
  const past = m.alerts.filter((a) => !a.active).map(alertSection).join('');
  const product = `<section id="product"${m.cited[0] ? ` data-event="${m.cited[0]}"` : ''}><h1>${e(m.product.name)}</h1>${dl([
    [tt('批号', 'Lot'), e(m.lot.lot)],
    ['GTIN', e(m.lot.gtin)],
    [tt('生产日期', 'Production date'), m.product.productionDate && e(m.product.productionDate)],
    [tt('保质期至', 'Best before'), m.product.bestBefore && e(m.product.bestBefore)],
    [tt('规格', 'Unit size'), m.product.unitSize && e(m.product.unitSize)],
    [tt('贮存条件', 'Storage'), m.product.storage && e(m.product.storage)],
  ])}</section>`;
  const processor = m.processor
    ? `<section id="processor"><h2>${tt('生产企业', 'Processor')}</h2>${dl([
        [tt('名称', 'Name'), t(m.processor.name)],
        [tt('地区', 'Region'), m.processor.region && e(m.processor.region)],
        ...m.processor.licences.map((l): [string, string] => [t(LICENCES[l.type] ?? { zh: l.type, en: l.type }), `${e(l.number)} <span class="muted">(${tt('有效期至', 'valid until')} ${e(l.expiresAt)})</span>`]),
      ])}</section>`
    : '';
  const farms = `<section id="origin"><h2>${tt('奶源', 'Where the milk came from')}</h2>${
    m.farms.length === 0
      ? `<p class="muted">${tt('无牧场记录', 'No farm records')}</p>`
      : `<table><thead><tr><th>${tt('地区', 'Region')}</th><th>${tt('畜种', 'Species')}</th><th>${tt('收奶日期', 'Collected')}</th></tr></thead><tbody>${m.farms
          .map(
            (f) =>
              `<tr data-event="${f.eventIds[0]}"><td>${e(f.region)}</td><td>${f.species.map((s) => t(SPECIES[s] ?? { zh: s, en: s })).join('、')}</td><td>${f.dates.map(e).join('<br>')} <span class="muted">(${f.collections})</span></td></tr>`,
          )
          .join('')}</tbody></table>`
  }</section>`;
  const lab = `<section id="lab"><h2>${tt('检验结果', 'Lab results')}</h2>${
    m.results.length === 0
      ? `<p class="muted">${tt('无检验记录', 'No lab results')}</p>`
      : `<table><thead><tr><th>${tt('项目', 'Analyte')}</th><th>${tt('结果', 'Value')}</th><th>${tt('限量', 'Limit')}</th><th>${tt('标准', 'Standard')}</th><th>${tt('判定', 'Verdict')}</th></tr></thead><tbody>${m.results.map(resultRow).join('')}</tbody></table>`
  }</section>`;
  const cold = `<section id="cold-chain"><h2>${tt('冷链', 'Cold chain')}</h2>${
    m.shipments.length === 0
      ? `<p class="muted">${tt('尚无发货记录', 'Not shipped yet')}</p>`
      : m.shipments
          .map((s) => {
            const held = s.excursions.length === 0;
            return `<div class="shipment" data-event="${s.eventIds[0]}"><p>${e(s.from ?? '')} → ${e(s.to ?? '')} <span class="muted">SSCC ${e(s.sscc)}</span></p>${
              s.range ? `<p class="muted">${tt('温控范围', 'Required range')} ${s.range.minC}–${s.range.maxC} °C</p>` : ''
            }${temperatureChart(s)}<p class="${held ? 'ok' : 'bad'}">${held ? tt('全程温度达标', 'Within range all the way') : tt(`${s.excursions.length} 次温度超标`, `${s.excursions.length} temperature excursion(s)`)}</p></div>`;
          })
          .join('')
  }</section>`;
  const verify = `<section id="verify" data-state="pending" aria-live="polite"><h2>${tt('真实性验证', 'Verification')}</h2><p id="verify-status">${tt('正在验证…', 'Verifying…')}</p><progress id="verify-progress" value="0" max="1"></progress><p id="verify-detail" class="muted"></p><noscript><p>${tt('需要启用脚本才能在本机验证', 'Turn on scripts to verify on this device')}</p></noscript></section>`;
  const copy = opts.serial !== undefined && opts.copyWarning ? copyWarningSection(opts.serial, opts.copyWarning) : '';
  const body = `<main id="page" data-bundle="${e(opts.bundlePath)}" data-lot="${e(m.lot.subject)}" data-cited="${m.cited.join(' ')}"${opts.serial !== undefined ? ` data-serial="${e(opts.serial)}"` : ''}>${copy}${alerts}${product}${processor}${farms}${lab}${cold}${past}${verify}</main>`;
  return shell(opts.lang, `${m.product.name} ${m.lot.lot}`, body, opts.scriptPath, opts.serial);
}
