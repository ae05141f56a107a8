// The regulator's page: plain server-rendered HTML, zh-CN first with English beside it, no script
// and no request to anywhere else (styles inline, the chart inline SVG). Pure: model in, HTML out.
import { escapeHtml } from '../resolver/page.ts';
import { analyteName } from '../resolver/view.ts';
import type { StoredAudit, Hold, OpenRecall, ColdChainExcursion } from './queries.ts';
import type { Bucket, RegionalNonconformity, Series } from './series.ts';
import type { LedgerCheckpoint } from '../epcis/upstream.ts';

export interface RegulatorModel {
  org: string;
  from: string;
  to: string;
  bucket: Bucket;
  recalls: OpenRecall[];
  holds: Hold[];
  nonconformities: { buckets: string[]; series: Series[]; results: RegionalNonconformity[] };
  excursions: ColdChainExcursion[];
  checkpoint: LedgerCheckpoint | { error: string };
  audit: StoredAudit | null;
  /** Organisation id → its Chinese name (for display). */
  orgNames: Record<string, string>;
}

const e = escapeHtml;
const bi = (zh: string, en: string) => `${e(zh)} <span class="en">${e(en)}</span>`;
const COLOURS = ['#c0392b', '#2471a3', '#b9770e', '#1e8449', '#7d3c98', '#566573', '#a04000', '#117a65'];

const STYLE = `
body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;color:#1b1b1b;background:#f6f6f4}
header{background:#1f3a5f;color:#fff;padding:12px 20px}header h1{margin:0;font-size:20px}
main{padding:12px 20px;max-width:1200px}section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:12px 0;padding:12px 16px}
h2{font-size:17px;margin:0 0 8px}.en{color:#666;font-size:.85em}table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid #eee;text-align:left;padding:4px 6px;vertical-align:top}.bad{color:#b03a2e;font-weight:600}.ok{color:#1e8449;font-weight:600}
.muted{color:#777}code{font-size:12px;word-break:break-all}form.inline{display:inline}svg text{font-size:11px;font-family:inherit}`;

function orgName(m: RegulatorModel, id: string): string {
  const n = m.orgNames[id];
  return n ? `${e(n)} <span class="muted">${e(id)}</span>` : e(id);
}

function ledgerSection(m: RegulatorModel): string {
  const cp = m.checkpoint;
  const cpHtml =
    'error' in cp
      ? `<p class="bad">${bi('无法读取账本检查点', 'the ledger checkpoint could not be read')}: ${e(cp.error)}</p>`
      : `<table><tr><th>${bi('树大小', 'tree size')}</th><td>${cp.treeSize}</td></tr><tr><th>${bi('根哈希', 'root hash')}</th><td><code>${e(cp.rootHash)}</code></td></tr><tr><th>${bi('签发时间', 'issued at')}</th><td>${e(cp.issuedAt)}</td></tr></table>`;
  const a = m.audit;
  const issues = a ? ((a.report.issues as Array<{ seq: number | null; check: string; detail: string }> | undefined) ?? []) : [];
  const auditHtml = a
    ? `<p>${bi('最近一次审计', 'last audit')}: ${e(a.finishedAt)} — ${bi('树大小', 'tree size')} ${a.treeSize} — ${
        a.ok ? `<span class="ok">${bi('通过', 'passed')}</span>` : `<span class="bad">${bi('发现不一致', 'found disagreements')}</span>`
      }</p>${issues.length ? `<ul>${issues.slice(0, 10).map((i) => `<li class="bad">#${i.seq ?? '-'} ${e(i.check)}: ${e(i.detail)}</li>`).join('')}</ul>` : ''}`
    : `<p class="muted">${bi('尚未审计', 'no audit has run yet')}</p>`;
  return `<section id="ledger"><h2>${bi('账本检查点与审计', 'Ledger checkpoint and audit')}</h2>${cpHtml}${auditHtml}
<form method="post" action="/regulator/audit" class="inline"><button type="submit">${bi('立即审计', 'run an audit now')}</button></form></section>`;
}

function recallsSection(m: RegulatorModel): string {
  if (m.recalls.length === 0) return `<section id="recalls"><h2>${bi('进行中的召回', 'Open recalls')}</h2><p class="muted">${bi('无', 'none')}</p></section>`;
  const rows = m.recalls
    .map(
      (r) => `<tr><td><b>${e(r.recallId)}</b><br><span class="muted">${e(r.at)}</span></td><td>${e(r.level)} · ${e(r.cause)}<br>${e(r.description)}</td>
<td>${r.lots.map((l) => `${e(l.product ?? '')} <code>${e(l.gtin)} / ${e(l.lot)}</code>`).join('<br>')}</td>
<td>${r.acknowledgements.map((a) => `${orgName(m, a.org)} <span class="muted">${e(a.at)}</span> ${a.lotsHeld.map((h) => `${h.units}`).join('+')}${a.note ? `<br><span class="muted">${e(a.note)}</span>` : ''}`).join('<br>') || '<span class="muted">-</span>'}</td>
<td>${r.awaiting.map((o) => `<span class="bad">${orgName(m, o)}</span>`).join('<br>') || `<span class="ok">${bi('全部确认', 'all acknowledged')}</span>`}</td></tr>`,
    )
    .join('');
  return `<section id="recalls"><h2>${bi('进行中的召回', 'Open recalls')}</h2><table><tr><th>${bi('召回', 'recall')}</th><th>${bi('级别与原因', 'level and cause')}</th><th>${bi('批次', 'lots')}</th><th>${bi('已确认', 'acknowledged')}</th><th>${bi('待确认', 'awaiting')}</th></tr>${rows}</table></section>`;
}

function holdsSection(m: RegulatorModel): string {
  const rows = m.holds
    .map(
      (h) => `<tr><td class="bad">${h.status === 'recalled' ? bi('已召回', 'recalled') : bi('暂停', 'held')}</td><td>${e(h.product ?? h.type)}<br><code>${e(h.gtin && h.lot ? `${h.gtin} / ${h.lot}` : h.subject)}</code></td>
<td>${orgName(m, h.org)}</td><td>${e(h.reason ?? '')}${h.detail ? `<br><span class="muted">${e(h.detail)}</span>` : ''}</td><td>${e(h.since ?? '')}</td>
<td>${Object.entries(h.holdings).map(([o, q]) => `${orgName(m, o)}: ${q}`).join('<br>')}</td></tr>`,
    )
    .join('');
  return `<section id="holds"><h2>${bi('暂停与召回中的批次', 'Current holds')}</h2>${
    m.holds.length === 0
      ? `<p class="muted">${bi('无', 'none')}</p>`
      : `<table><tr><th>${bi('状态', 'status')}</th><th>${bi('对象', 'object')}</th><th>${bi('企业', 'organisation')}</th><th>${bi('原因', 'reason')}</th><th>${bi('自', 'since')}</th><th>${bi('持有', 'held by')}</th></tr>${rows}</table>`
  }</section>`;
}

/**
 * Bars per analyte per bucket, one small chart per region, on one shared count scale. Server-rendered
 * inline SVG (role="img" with a title); the table below it lists every result.
 */
export function nonconformityChart(buckets: readonly string[], series: readonly Series[]): string {
  if (series.length === 0) return `<p class="muted">${bi('所选期间内没有不合格结果', 'no non-conformant result in this period')}</p>`;
  const analytes = [...new Set(series.map((s) => s.analyte))].sort();
  const colour = new Map(analytes.map((a, i) => [a, COLOURS[i % COLOURS.length]!]));
  const regions = [...new Map(series.map((s) => [s.region.code, s.region])).values()];
  const max = Math.max(1, ...series.flatMap((s) => s.counts));
  const left = 190;
  const slot = Math.max(6, Math.min(28, Math.floor(760 / Math.max(1, buckets.length))));
  const bar = Math.max(2, Math.floor((slot - 2) / analytes.length));
  const rowH = 70;
  const top = 24;
  const width = left + slot * buckets.length + 20;
  const height = top + rowH * regions.length + 40;
  const parts: string[] = [];
  const labelEvery = Math.ceil(buckets.length / 12);
  regions.forEach((region, ri) => {
    const base = top + rowH * (ri + 1) - 10;
    parts.push(`<text x="4" y="${base - rowH / 2 + 10}">${e(region.name.replace(/^内蒙古自治区/, ''))}</text>`);
    parts.push(`<line x1="${left}" y1="${base}" x2="${width - 10}" y2="${base}" stroke="#999"/>`);
    for (const s of series.filter((x) => x.region.code === region.code)) {
      const ai = analytes.indexOf(s.analyte);
      s.counts.forEach((c, bi2) => {
        if (c === 0) return;
        const h = Math.round(((rowH - 20) * c) / max);
        const x = left + bi2 * slot + 1 + ai * bar;
        parts.push(
          `<rect class="bar" x="${x}" y="${base - h}" width="${bar}" height="${h}" fill="${colour.get(s.analyte)}" data-region="${e(region.code)}" data-analyte="${e(s.analyte)}" data-bucket="${e(buckets[bi2]!)}" data-count="${c}"><title>${e(region.name)} · ${e(analyteName(s.analyte).zh)} · ${e(buckets[bi2]!)}: ${c}</title></rect>`,
        );
      });
    }
  });
  const axisY = top + rowH * regions.length + 4;
  buckets.forEach((b, i) => {
    if (i % labelEvery === 0) parts.push(`<text x="${left + i * slot}" y="${axisY + 12}">${e(b.slice(5))}</text>`);
  });
  analytes.forEach((a, i) => {
    const x = 4 + i * 190;
    parts.push(`<rect x="${x}" y="4" width="10" height="10" fill="${colour.get(a)}"/><text x="${x + 14}" y="13">${e(analyteName(a).zh)} ${e(analyteName(a).en)}</text>`);
  });
  return `<svg id="nonconformity-chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>不合格结果（按地区、检测项目与时间）/ Non-conformant results by region, analyte and time (max ${max})</title>${parts.join('')}</svg>`;
}

function nonconformitySection(m: RegulatorModel): string {
  const nc = m.nonconformities;
  const rows = nc.results
    .map(
      (r) => `<tr><td>${e(r.at)}</td><td class="bad">${e(analyteName(r.analyte).zh)} <span class="en">${e(analyteName(r.analyte).en)}</span></td><td>${r.value} ${e(r.unit)}</td>
<td>${e(r.regions.map((g) => g.name).join('；'))}</td><td>${r.farms.map((f) => orgName(m, f)).join('<br>')}</td><td>${orgName(m, r.lab)}</td><td><code>${e(r.sampledFrom ?? r.sample)}</code></td></tr>`,
    )
    .join('');
  return `<section id="nonconformities"><h2>${bi('不合格检测结果（按地区与检测项目）', 'Non-conformant results by region and analyte')}</h2>
<form method="get" action="/regulator">${bi('从', 'from')} <input name="from" value="${e(m.from)}" size="10"> ${bi('到', 'to')} <input name="to" value="${e(m.to)}" size="10">
<select name="bucket"><option value="day"${m.bucket === 'day' ? ' selected' : ''}>按日 day</option><option value="week"${m.bucket === 'week' ? ' selected' : ''}>按周 week</option></select> <button type="submit">${bi('查看', 'show')}</button></form>
${nonconformityChart(nc.buckets, nc.series)}
${nc.results.length ? `<table><tr><th>${bi('时间', 'time')}</th><th>${bi('项目', 'analyte')}</th><th>${bi('结果', 'value')}</th><th>${bi('地区', 'region')}</th><th>${bi('牧场', 'farms')}</th><th>${bi('检测机构', 'lab')}</th><th>${bi('样品来源', 'sampled from')}</th></tr>${rows}</table>` : ''}</section>`;
}

function excursionSection(m: RegulatorModel): string {
  const rows = m.excursions
    .map(
      (x) => `<tr><td>${e(x.at)}</td><td><code>${e(x.sscc)}</code></td><td>${orgName(m, x.org)}</td><td>${x.range.minC}–${x.range.maxC} °C</td>
<td class="bad">${x.excursions.map((v) => `${e(v.start)} → ${e(v.end)}, ${bi('峰值', 'peak')} ${v.peakC} °C`).join('<br>')}</td><td>${x.lots.map((l) => `<code>${e(l.replace(/^urn:milkchain:lot:/, ''))}</code>`).join('<br>')}</td></tr>`,
    )
    .join('');
  return `<section id="excursions"><h2>${bi('冷链超温', 'Cold-chain excursions')}</h2>${
    m.excursions.length === 0
      ? `<p class="muted">${bi('所选期间内没有超温', 'no excursion in this period')}</p>`
      : `<table><tr><th>${bi('报告时间', 'reported')}</th><th>SSCC</th><th>${bi('承运方', 'carrier')}</th><th>${bi('温度范围', 'range')}</th><th>${bi('超温', 'excursions')}</th><th>${bi('批次', 'lots')}</th></tr>${rows}</table>`
  }</section>`;
}

export function regulatorPage(m: RegulatorModel): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>监管视图 Regulator's view · milkchain</title><style>${STYLE}</style></head><body>
<header><h1>${bi('乳品追溯监管视图', "milkchain: the regulator's view")}</h1><div>${orgName(m, m.org)} · <form method="post" action="/regulator/logout" class="inline"><button type="submit">${bi('退出', 'sign out')}</button></form></div></header>
<main>${recallsSection(m)}${holdsSection(m)}${nonconformitySection(m)}${excursionSection(m)}${ledgerSection(m)}</main></body></html>`;
}

export function loginPage(message?: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>监管登录 Regulator sign-in · milkchain</title><style>${STYLE}</style></head><body>
<header><h1>${bi('乳品追溯监管视图', "milkchain: the regulator's view")}</h1></header><main><section><h2>${bi('登录', 'Sign in')}</h2>
${message ? `<p class="bad">${e(message)}</p>` : ''}
<form method="post" action="/regulator/login"><p><label>${bi('用户名', 'user name')}<br><input name="username" autocomplete="username" required maxlength="64"></label></p>
<p><label>${bi('密码', 'password')}<br><input name="password" type="password" autocomplete="current-password" required maxlength="200"></label></p>
<p><button type="submit">${bi('登录', 'sign in')}</button></p></form>
<p class="muted">${bi('需要监管或管理员角色。', 'Needs the role regulator or admin.')}</p></section></main></body></html>`;
}
