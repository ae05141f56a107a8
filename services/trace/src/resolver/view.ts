// What the consumer page shows, derived from the verification bundle's events only (plus the
// lot's trace status), so what the page says is what the browser checks. Pure.
import type { LedgerEvent } from '@milkchain/ledger';
import type { BundleEntry, VerificationBundle } from './bundle-types.ts';
import type { OrgProfile } from './clients.ts';

export type Text = { zh: string; en: string };

export interface Alert {
  type: 'recall' | 'hold';
  /** Still in force (no later lot.released / recall.closed). */
  active: boolean;
  title: Text;
  detail: string | undefined;
  at: string | undefined;
  /** The event it comes from; undefined when only the trace status says so. */
  eventId: string | undefined;
}

export interface LabResult {
  analyte: Text;
  value: number;
  unit: string;
  limit: string;
  standard: string;
  verdict: 'conformant' | 'non_conformant';
  lab: Text | undefined;
  at: string;
  /** What the sample was drawn from, in words. */
  of: Text;
  eventId: string;
}

export interface FarmGroup {
  region: string;
  species: string[];
  dates: string[];
  collections: number;
  eventIds: string[];
}

export interface Shipment {
  sscc: string;
  from: string | undefined;
  to: string | undefined;
  range: { minC: number; maxC: number } | undefined;
  readings: Array<{ at: string; c: number }>;
  excursions: Array<{ start: string; end: string; peakC: number }>;
  eventIds: string[];
}

export interface PageModel {
  lot: { subject: string; gtin: string; lot: string; uri: string };
  product: { name: string; units: number | undefined; unitSize: string | undefined; productionDate: string | undefined; bestBefore: string | undefined; storage: string | undefined };
  processor: { name: Text; region: string | undefined; licences: Array<{ type: string; number: string; expiresAt: string }> } | undefined;
  alerts: Alert[];
  farms: FarmGroup[];
  results: LabResult[];
  shipments: Shipment[];
  /** Every event id the page cites: the script checks each is among the verified entries. */
  cited: string[];
}

const ANALYTES: Record<string, Text> = {
  protein: { zh: '蛋白质', en: 'Protein' },
  fat: { zh: '脂肪', en: 'Fat' },
  acidity: { zh: '酸度', en: 'Acidity' },
  aflatoxin_m1: { zh: '黄曲霉毒素 M1', en: 'Aflatoxin M1' },
  melamine: { zh: '三聚氰胺', en: 'Melamine' },
  total_bacterial_count: { zh: '菌落总数', en: 'Total bacterial count' },
  salmonella: { zh: '沙门氏菌', en: 'Salmonella' },
  staphylococcus_aureus: { zh: '金黄色葡萄球菌', en: 'Staphylococcus aureus' },
  beta_lactams: { zh: 'β-内酰胺类抗生素', en: 'Beta-lactam antibiotics' },
};

export const SPECIES: Record<string, Text> = {
  cow: { zh: '牛', en: 'cow' },
  goat: { zh: '山羊', en: 'goat' },
  sheep: { zh: '绵羊', en: 'sheep' },
  camel: { zh: '骆驼', en: 'camel' },
  mare: { zh: '马', en: 'mare' },
  yak: { zh: '牦牛', en: 'yak' },
};

const HOLD_REASONS: Record<string, Text> = {
  pending_results: { zh: '等待检验结果', en: 'awaiting test results' },
  non_conformant_result: { zh: '检验结果不合格', en: 'a test result did not conform' },
  temperature_excursion: { zh: '冷链温度超标', en: 'a cold-chain temperature excursion' },
  complaint: { zh: '消费者投诉', en: 'a complaint' },
  regulator_order: { zh: '监管部门指令', en: 'a regulator order' },
  recall: { zh: '召回', en: 'a recall' },
  other: { zh: '其他原因', en: 'another reason' },
};

const COMPARISON: Record<string, string> = { lte: '≤', lt: '<', gte: '≥', gt: '>' };

const dateOf = (t: string) => t.slice(0, 10);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function orgName(orgs: Record<string, OrgProfile>, id: string): Text {
  const p = orgs[id];
  return p ? { zh: p.name['zh-CN'], en: p.name.en } : { zh: id, en: id };
}

export function analyteName(code: string): Text {
  return ANALYTES[code] ?? { zh: code, en: code.replaceAll('_', ' ') };
}

export function pageModel(bundle: VerificationBundle, status: { status: string; recalled: boolean }): PageModel {
  const [, , , gtin = '', lot = ''] = bundle.lot.split(':');
  const entries = bundle.entries;
  const byId = new Map(entries.map((e) => [e.id, e]));
  const on = (subject: string) => entries.filter((e) => e.event.subject === subject);
  const cited = new Set<string>();
  const cite = (e: BundleEntry) => (cited.add(e.id), e.id);

  const own = on(bundle.lot);
  const packed = own.find((e) => e.event.kind === 'lot.packed');
  const pd = (packed?.event.data ?? {}) as Record<string, unknown>;
  if (packed) cite(packed);
  const batchEvent = packed?.event.inputs.map((i) => byId.get(i)).find((e) => e !== undefined);
  const batchProduced = batchEvent ? on(batchEvent.event.subject).find((e) => e.event.kind === 'batch.produced') : undefined;
  if (batchProduced) cite(batchProduced);
  const size = pd.unitSize as { value?: unknown; unit?: unknown } | undefined;
  const processorProfile = packed ? bundle.orgs[packed.event.org] : undefined;

  // Recalls first, then holds; each says whether it still stands.
  const alerts: Alert[] = [];
  const recalls = entries.filter((e) => e.event.kind === 'recall.initiated');
  for (const r of recalls) {
    const d = r.event.data as Record<string, unknown>;
    const closed = on(r.event.subject).some((e) => e.event.kind === 'recall.closed' && e.seq > r.seq);
    alerts.push({
      type: 'recall',
      active: !closed,
      title: { zh: `召回（${str(d.level) ?? ''} 级）`, en: `Recall (level ${str(d.level) ?? ''})` },
      detail: str(d.description),
      at: r.event.occurredAt,
      eventId: cite(r),
    });
  }
  if (recalls.length === 0 && (status.recalled || status.status === 'recalled')) {
    alerts.push({ type: 'recall', active: true, title: { zh: '此批次已被召回', en: 'This lot has been recalled' }, detail: undefined, at: undefined, eventId: undefined });
  }
  const holds = own.filter((e) => e.event.kind === 'lot.held');
  for (const h of holds) {
    const d = h.event.data as Record<string, unknown>;
    const released = own.some((e) => e.event.kind === 'lot.released' && e.seq > h.seq);
    const reason = HOLD_REASONS[str(d.reason) ?? 'other'] ?? HOLD_REASONS.other!;
    alerts.push({
      type: 'hold',
      active: !released,
      title: released ? { zh: `曾暂扣：${reason.zh}（已放行）`, en: `Was held: ${reason.en} (released)` } : { zh: `暂扣中：${reason.zh}`, en: `On hold: ${reason.en}` },
      detail: str(d.detail),
      at: h.event.occurredAt,
      eventId: cite(h),
    });
  }
  if (!holds.some((h) => !own.some((e) => e.event.kind === 'lot.released' && e.seq > h.seq)) && status.status === 'held') {
    alerts.push({ type: 'hold', active: true, title: { zh: '暂扣中', en: 'On hold' }, detail: undefined, at: undefined, eventId: undefined });
  }
  alerts.sort((a, b) => Number(b.active) - Number(a.active) || (a.type === b.type ? 0 : a.type === 'recall' ? -1 : 1));

  // Farms at region level: never a farm's name, animals or people.
  const groups = new Map<string, FarmGroup>();
  for (const e of entries.filter((x) => x.event.kind === 'milk.collected')) {
    const region = bundle.orgs[e.event.org]?.region.name ?? '—';
    const g = groups.get(region) ?? { region, species: [], dates: [], collections: 0, eventIds: [] };
    const sp = str((e.event.data as Record<string, unknown>).species);
    if (sp && !g.species.includes(sp)) g.species.push(sp);
    const day = dateOf(e.event.occurredAt);
    if (!g.dates.includes(day)) g.dates.push(day);
    g.collections++;
    g.eventIds.push(cite(e));
    groups.set(region, g);
  }
  for (const g of groups.values()) g.dates.sort();

  const sampleOf = new Map<string, string>();
  for (const e of entries.filter((x) => x.event.kind === 'sample.taken')) sampleOf.set(e.event.subject, str((e.event.data as Record<string, unknown>).sampledFrom) ?? '');
  const results: LabResult[] = entries
    .filter((e) => e.event.kind === 'lab.result.recorded')
    .map((e) => {
      const d = e.event.data as { analyte: string; value: number; unit: string; limit: { comparison: string; value: number; unit: string }; verdict: 'conformant' | 'non_conformant'; rule?: { source?: string } };
      const from = sampleOf.get(e.event.subject) ?? '';
      return {
        analyte: analyteName(d.analyte),
        value: d.value,
        unit: d.unit,
        limit: `${COMPARISON[d.limit?.comparison] ?? ''} ${d.limit?.value} ${d.limit?.unit}`,
        standard: d.rule?.source ?? '—',
        verdict: d.verdict,
        lab: orgName(bundle.orgs, e.event.org),
        at: e.event.occurredAt,
        of: describeSubject(from, bundle.lot),
        eventId: cite(e),
      };
    });

  const shipments: Shipment[] = [];
  const shipmentSubjects = [...new Set(entries.filter((e) => e.event.kind === 'shipment.dispatched' && shipsLot(e.event, gtin, lot)).map((e) => e.event.subject))];
  for (const s of shipmentSubjects) {
    const evs = on(s);
    const dispatched = evs.find((e) => e.event.kind === 'shipment.dispatched')!;
    const dd = dispatched.event.data as { sscc?: string; from?: { name?: string }; to?: { name?: string }; temperatureRange?: { minC: number; maxC: number } };
    const ship: Shipment = { sscc: dd.sscc ?? s, from: dd.from?.name, to: dd.to?.name, range: dd.temperatureRange, readings: [], excursions: [], eventIds: [cite(dispatched)] };
    for (const t of evs.filter((e) => e.event.kind === 'shipment.temperature.reported')) {
      const td = t.event.data as { range?: { minC: number; maxC: number }; readings?: Array<{ at: string; temperatureC: number }>; excursions?: Array<{ start: string; end: string; peakC: number }> };
      ship.range ??= td.range;
      for (const r of td.readings ?? []) ship.readings.push({ at: r.at, c: r.temperatureC });
      ship.excursions.push(...(td.excursions ?? []));
      ship.eventIds.push(cite(t));
    }
    ship.readings.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    shipments.push(ship);
  }

  return {
    lot: { subject: bundle.lot, gtin, lot, uri: bundle.uri },
    product: {
      name: str(batchProduced?.event.data.productName) ?? str(pd.productName) ?? gtin,
      units: num(pd.units),
      unitSize: size && num(size.value) !== undefined ? `${size.value} ${String(size.unit)}` : undefined,
      productionDate: str(pd.productionDate),
      bestBefore: str(pd.bestBefore),
      storage: str(pd.storage),
    },
    processor: packed
      ? { name: orgName(bundle.orgs, packed.event.org), region: processorProfile?.region.name, licences: processorProfile?.licences ?? [] }
      : undefined,
    alerts,
    farms: [...groups.values()],
    results,
    shipments,
    cited: [...cited],
  };
}

function shipsLot(event: LedgerEvent, gtin: string, lot: string): boolean {
  const lots = (event.data as { lots?: Array<{ gtin: string; lot: string }> }).lots;
  return Array.isArray(lots) && lots.some((l) => l.gtin === gtin && l.lot === lot);
}

/** A sample's origin in words: this lot, a batch, the raw milk of a load or a collection. */
function describeSubject(subject: string, lot: string): Text {
  if (subject === lot) return { zh: '本批成品', en: 'this lot' };
  const type = subject.split(':')[2];
  switch (type) {
    case 'batch':
      return { zh: '生产批次', en: 'production batch' };
    case 'load':
      return { zh: '收奶罐车（生鲜乳）', en: 'raw milk, tanker load' };
    case 'collection':
      return { zh: '牧场生鲜乳', en: 'raw milk at the farm' };
    case 'lot':
      return { zh: '其他成品批', en: 'another lot' };
    default:
      return { zh: type ?? '—', en: type ?? '—' };
  }
}
