/**
 * The FSMA 204 "electronic sortable spreadsheet" of a trace: one row per critical tracking event
 * (CTE), with the key data elements a regulator sorts and filters by: traceability lot code,
 * product description, quantity and unit of measure, location, date, reference document type and
 * number, and the traceability lot code source.
 *
 * Headers: one row, each cell the FSMA name in English followed by the zh-CN name
 * ("Traceability Lot Code / 追溯批次代码"). A sortable spreadsheet must have exactly one header
 * row: a second (Chinese) header row would be sorted and filtered as data by Excel, WPS or
 * pandas, and readers of either language find their name in every column.
 *
 * CSV per RFC 4180 (CRLF, fields quoted when they hold a comma, quote or line break), UTF-8 with
 * a byte-order mark so that spreadsheet programs open the Chinese text correctly. Cells that a
 * spreadsheet would run as a formula (leading = + - @) are prefixed with an apostrophe.
 */
import type { EventView, NodeView } from './queries.ts';

export const FSMA_COLUMNS = [
  ['Traceability Lot Code', '追溯批次代码'],
  ['Product Description', '产品描述'],
  ['Quantity', '数量'],
  ['Unit of Measure', '计量单位'],
  ['Critical Tracking Event', '关键追溯事件'],
  ['Location Identifier (GLN)', '地点标识（GLN）'],
  ['Location Description', '地点描述'],
  ['Date', '日期'],
  ['Time', '时间'],
  ['Reference Document Type', '参考文件类型'],
  ['Reference Document Number', '参考文件编号'],
  ['Traceability Lot Code Source', '追溯批次代码来源'],
  ['Subject', '追溯对象'],
] as const;

export const FSMA_HEADER = FSMA_COLUMNS.map(([en, zh]) => `${en} / ${zh}`);

interface Place {
  org?: string;
  gln?: string;
  name?: string;
}

/** The FSMA CTE (English / 中文) an event kind records. */
const CTE: Readonly<Record<string, string>> = {
  'milk.collected': 'Harvesting and Cooling / 收获与冷却',
  'milk.transported': 'Shipping / 发货',
  'milk.received': 'Receiving / 收货',
  'batch.produced': 'Transformation / 加工转化',
  'lot.packed': 'Initial Packing / 初次包装',
  'shipment.dispatched': 'Shipping / 发货',
  'shipment.received': 'Receiving / 收货',
  'shipment.temperature.reported': 'Cold Chain Record / 冷链记录',
  'lot.sold': 'Retail Sale / 零售',
  'lot.held': 'Hold / 暂扣',
  'lot.released': 'Release / 放行',
  'sample.taken': 'Sampling / 抽样',
  'lab.result.recorded': 'Test Result / 检测结果',
  'recall.initiated': 'Recall / 召回',
};

function lotCode(gtin: unknown, lot: unknown): string | undefined {
  return typeof gtin === 'string' && typeof lot === 'string' ? `(01)${gtin}(10)${lot}` : undefined;
}

function localPart(subject: string): string {
  return subject.split(':').slice(3).join(':');
}

function place(v: unknown): Place | undefined {
  return typeof v === 'object' && v !== null ? (v as Place) : undefined;
}

interface Row {
  tlc: string;
  quantity: number | string | undefined;
  unit: string | undefined;
  location: Place | undefined;
  source: string;
}

function describe(e: EventView, nodes: ReadonlyMap<string, NodeView>): Row {
  const d = e.data;
  const node = nodes.get(e.subject);
  const ownCode = node?.gtin && node.lot ? lotCode(node.gtin, node.lot)! : localPart(e.subject);
  const base: Row = { tlc: ownCode, quantity: undefined, unit: undefined, location: { org: e.org }, source: node?.org ?? e.org };
  switch (e.kind) {
    case 'milk.collected':
      return { ...base, quantity: d.volumeL as number, unit: 'L' };
    case 'milk.transported':
      return { ...base, quantity: d.volumeL as number, unit: 'L', location: place(d.destination) };
    case 'milk.received':
      return { ...base, quantity: d.volumeL as number, unit: 'L' };
    case 'batch.produced': {
      const out = d.output as { value?: number; unit?: string } | undefined;
      return { ...base, quantity: out?.value, unit: out?.unit };
    }
    case 'lot.packed':
      return { ...base, tlc: lotCode(d.gtin, d.lot) ?? ownCode, quantity: d.units as number, unit: 'unit', source: e.org };
    case 'lot.sold':
      return { ...base, tlc: lotCode(d.gtin, d.lot) ?? ownCode, quantity: d.units as number, unit: 'unit', location: place(d.store) };
    case 'lot.held':
      return { ...base, tlc: lotCode(d.gtin, d.lot) ?? ownCode, quantity: d.unitsAffected as number | undefined, unit: d.unitsAffected === undefined ? undefined : 'unit' };
    case 'shipment.dispatched':
    case 'shipment.received': {
      const lots = Array.isArray(d.lots) ? (d.lots as Array<{ gtin: string; lot: string; quantity: number }>) : [];
      return {
        ...base,
        tlc: lots.map((l) => lotCode(l.gtin, l.lot)).join('; '),
        quantity: lots.reduce((a, l) => a + l.quantity, 0),
        unit: 'unit',
        location: place(e.kind === 'shipment.dispatched' ? d.from : d.at),
        source: lots.map((l) => nodes.get(`urn:milkchain:lot:${l.gtin}:${l.lot}`)?.org ?? '').filter(Boolean).join('; ') || e.org,
      };
    }
    case 'sample.taken': {
      const q = d.quantity as { value?: number; unit?: string } | undefined;
      return { ...base, quantity: q?.value, unit: q?.unit };
    }
    case 'lab.result.recorded':
      return { ...base, quantity: d.value as number, unit: d.unit as string };
    default:
      return base;
  }
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s = String(v);
  if (/^[=+\-@]/.test(s) && typeof v !== 'number') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows (header first) of the spreadsheet for `events`, which name `nodes`. */
export function fsmaRows(events: readonly EventView[], nodes: readonly NodeView[]): string[][] {
  const bySubject = new Map(nodes.map((n) => [n.subject, n]));
  const rows: string[][] = [FSMA_HEADER.slice()];
  for (const e of events) {
    const r = describe(e, bySubject);
    const product = bySubject.get(e.subject)?.product ?? '';
    rows.push([
      r.tlc,
      product,
      r.quantity === undefined ? '' : String(r.quantity),
      r.unit ?? '',
      CTE[e.kind] ?? e.kind,
      r.location?.gln ?? '',
      [r.location?.name, r.location?.org].filter(Boolean).join(' / '),
      e.occurredAt.slice(0, 10),
      e.occurredAt,
      `milkchain ledger event ${e.kind}`,
      e.id,
      r.source,
      e.subject,
    ]);
  }
  return rows;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return '\uFEFF' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
