/**
 * EPCIS capture: partner events onto milkchain commands (README.md, "Capture" has the table).
 *
 * Pure: it says which command each event becomes, with a body the command's schema accepts; the
 * endpoint runs the commands (as the caller's organisation, through the usual write path, where
 * the deciders check custody), answers 202 with a capture id, and answers 409 for eventIDs it has
 * captured before. All-or-nothing by default: one event that cannot be mapped refuses the document.
 */
import { COMMANDS, toProblems, type ServiceName } from '@milkchain/domain';
import { DEFAULT_ID_BASE, MILKCHAIN_BIZSTEP, parseId, type ParsedId } from './ids.ts';
import { validateEpcisDocument } from './schema.ts';

export interface CaptureContext {
  /** Base of milkchain's own class ids, as the export used; default https://id.milkchain.dev. */
  idBase?: string;
  /** The milkchain organisation a GLN belongs to (parties named by GLN, e.g. a shipment's consignee). */
  orgOfGln?: (gln: string) => string | undefined;
  /**
   * false: map what can be mapped and report the rest in `skipped` (for previews and tests).
   * Default true: any problem refuses the whole document.
   */
  allOrNothing?: boolean;
}

export interface CapturedCommand {
  service: ServiceName;
  /** A COMMANDS name, e.g. 'shipment.dispatch'. */
  command: string;
  body: Record<string, unknown>;
  /** Index in epcisBody.eventList of the event the command comes from. */
  source: number;
  /** Other events folded into the same command (the packing AggregationEvent of a shipping). */
  merged?: number[];
}

export interface CaptureProblem {
  /** Index in epcisBody.eventList, or null for the document itself. */
  index: number | null;
  /** JSON Pointer into the event (or the document when index is null). */
  path: string;
  /** Chinese, then English. */
  message: string;
  reason: { 'zh-CN': string; en: string };
}

export type CaptureResult =
  | { ok: true; commands: CapturedCommand[]; eventIds: string[]; skipped: CaptureProblem[] }
  | { ok: false; problems: CaptureProblem[]; eventIds: string[] };

/** The business steps capture accepts, and what each becomes. */
export const CAPTURE_BIZSTEPS: Readonly<Record<string, string>> = Object.freeze({
  receiving: 'shipment.receive (SSCC) or reception.record (a raw milk load)',
  packing: 'folded into the shipping of the same SSCC (shipment.dispatch)',
  shipping: 'shipment.dispatch',
  commissioning: 'lot.pack (a TransformationEvent from a milkchain batch to an LGTIN)',
  retail_selling: 'sale.record',
  holding: 'lot.hold',
  [MILKCHAIN_BIZSTEP.releasing]: 'lot.release',
  sensor_reporting: 'shipment.temperature.report',
});

/** Why a known bizStep is not captured: what milkchain needs that EPCIS does not carry. */
const NOT_CAPTURED: Readonly<Record<string, { 'zh-CN': string; en: string }>> = {
  departing: {
    'zh-CN': '收奶车装车须通过 farm 接口登记（load.record）：需要车辆准运证、交接单及所装的每次挤奶收集，EPCIS 事件不含这些',
    en: 'tanker loads are recorded through the farm API (load.record): they need the transport permit, the handover slip and each collection taken, which an EPCIS event does not carry',
  },
  transporting: {
    'zh-CN': '收奶车装车须通过 farm 接口登记（load.record）：需要车辆准运证、交接单及所装的每次挤奶收集',
    en: 'tanker loads are recorded through the farm API (load.record): they need the transport permit, the handover slip and each collection taken',
  },
  creating_class_instance: {
    'zh-CN': '生产批次须通过 processor 接口登记（batch.produce）：需要工艺（如杀菌温度与时间）并检查物料平衡',
    en: 'batches are recorded through the processor API (batch.produce): they need the process (e.g. pasteurisation temperature and time) and are checked for mass balance',
  },
  sampling: {
    'zh-CN': '抽样须通过 lab 接口登记（sample.take）',
    en: 'samples are recorded through the lab API (sample.take)',
  },
  inspecting: {
    'zh-CN': '检测结果须通过 lab 接口登记（result.record）：判定与限量由规则包（GB 标准）计算，不接受外部判定',
    en: 'results are recorded through the lab API (result.record): verdicts and limits are computed from the rule packs (GB standards), never taken from outside',
  },
  [MILKCHAIN_BIZSTEP.recalling]: {
    'zh-CN': '召回由监管部门或生产企业在 milkchain 中发起和关闭，不通过 EPCIS 导入',
    en: 'recalls are started and closed in milkchain by the regulator or the producer, not imported through EPCIS',
  },
};

const CBV_PREFIXES = [/^https?:\/\/ref\.gs1\.org\/cbv\/BizStep-/, /^urn:epcglobal:cbv:bizstep:/, /^https?:\/\/ref\.gs1\.org\/cbv\/Disp-/, /^urn:epcglobal:cbv:disp:/];

/** A CBV bizStep or disposition in its bare form ('receiving'), whichever way it was written. */
function bare(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  for (const p of CBV_PREFIXES) if (p.test(value)) return value.replace(p, '');
  return value;
}

type Ev = Record<string, unknown>;
type Q = { epcClass: string; quantity?: number; uom?: string };
type Msg = { 'zh-CN': string; en: string };

class Refused extends Error {
  constructor(
    readonly path: string,
    readonly reason: Msg,
  ) {
    super(reason.en);
  }
}

const refused = (path: string, zh: string, en: string) => new Refused(path, { 'zh-CN': zh, en });

function problem(index: number | null, path: string, reason: Msg): CaptureProblem {
  return { index, path, message: `${reason['zh-CN']} / ${reason.en}`, reason };
}

const ext = (ev: Ev, name: string): unknown => ev[`milkchain:${name}`];
const ilmd = (ev: Ev): Ev => (typeof ev.ilmd === 'object' && ev.ilmd !== null ? (ev.ilmd as Ev) : {});

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Optional fields only when present: command schemas are strict about unknown fields, not about absent ones. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

interface Mapper {
  base: string;
  orgOfGln: (gln: string) => string | undefined;
}

function ids(m: Mapper, list: unknown, path: string): Array<{ id: ParsedId; path: string }> {
  return Array.isArray(list) ? list.map((u, i) => ({ id: parseId(String(u), m.base), path: `${path}/${i}` })) : [];
}

function refuseInstance(p: { id: ParsedId; path: string }): never {
  if (p.id.kind === 'instance') throw new Refused(p.path, p.id.why);
  throw refused(p.path, `无法识别标识 ${(p.id as { uri?: string }).uri ?? ''}：milkchain 接受 GS1 数字链接或 EPC URN 形式的 LGTIN、SSCC、GLN`, `the identifier ${(p.id as { uri?: string }).uri ?? ''} is not one milkchain knows: it takes LGTIN, SSCC and GLN as GS1 Digital Link or EPC URNs`);
}

/** The one SSCC an event is about (epcList or parentID); anything else in epcList is refused. */
function ssccOf(m: Mapper, ev: Ev): string | undefined {
  const found: string[] = [];
  if (typeof ev.parentID === 'string') {
    const p = parseId(ev.parentID, m.base);
    if (p.kind === 'sscc') found.push(p.sscc);
    else refuseInstance({ id: p, path: '/parentID' });
  }
  for (const e of [...ids(m, ev.epcList, '/epcList'), ...ids(m, ev.childEPCs, '/childEPCs')]) {
    if (e.id.kind === 'sscc') found.push(e.id.sscc);
    else refuseInstance(e);
  }
  const unique = [...new Set(found)];
  if (unique.length > 1) throw refused('/epcList', `一个事件只能涉及一个物流单元（SSCC），这里有 ${unique.length} 个`, `one event may name one logistic unit (SSCC); this one names ${unique.length}`);
  return unique[0];
}

/** LGTIN quantities of a list: whole units each (milkchain counts lots in units). */
function lotLines(m: Mapper, list: unknown, path: string): Array<{ gtin: string; lot: string; quantity: number; path: string }> {
  if (!Array.isArray(list)) return [];
  return (list as Q[]).map((q, i) => {
    const at = `${path}/${i}`;
    const id = parseId(q.epcClass, m.base);
    if (id.kind !== 'lgtin') {
      if (id.kind === 'instance') throw new Refused(`${at}/epcClass`, id.why);
      throw refused(`${at}/epcClass`, `${q.epcClass} 不是包装批（LGTIN：GTIN + 批号）`, `${q.epcClass} is not a lot (LGTIN: GTIN + lot)`);
    }
    if (q.uom !== undefined || q.quantity === undefined || !Number.isInteger(q.quantity) || q.quantity < 0) {
      throw refused(`${at}/quantity`, `包装批数量须为不带单位的整数件数（得到 ${q.quantity ?? '无'} ${q.uom ?? ''}）`, `a lot's quantity must be a whole number of units without uom (got ${q.quantity ?? 'none'} ${q.uom ?? ''})`);
    }
    return { gtin: id.gtin, lot: id.lot, quantity: q.quantity, path: at };
  });
}

function glnOfPlace(m: Mapper, ev: Ev, key: 'readPoint' | 'bizLocation'): string | undefined {
  const place = ev[key] as { id?: string } | undefined;
  if (place?.id === undefined) return undefined;
  const p = parseId(place.id, m.base);
  return p.kind === 'gln' ? p.gln : undefined;
}

/** A party (owning or possessing) of a source or destination list, as a milkchain organisation. */
function partyOrg(m: Mapper, list: unknown, key: 'source' | 'destination'): { org?: string; gln?: string; unknown?: string } {
  const out: { org?: string; gln?: string; unknown?: string } = {};
  for (const item of Array.isArray(list) ? (list as Ev[]) : []) {
    const type = bare(item.type);
    const p = parseId(String(item[key]), m.base);
    if (type === 'location' && p.kind === 'gln') out.gln = p.gln;
    else if (type === 'owning_party' || type === 'possessing_party') {
      if (p.kind === 'org') out.org ??= p.org;
      else if (p.kind === 'gln') {
        const org = m.orgOfGln(p.gln);
        if (org !== undefined) out.org ??= org;
        else out.unknown ??= String(item[key]);
      } else out.unknown ??= String(item[key]);
    }
  }
  return out;
}

/** Temperatures (°C) of the event's sensor reports, with their times, alarms left out. */
function temperatures(ev: Ev): Array<{ at?: string; temperatureC: number }> {
  const out: Array<{ at?: string; temperatureC: number }> = [];
  for (const el of Array.isArray(ev.sensorElementList) ? (ev.sensorElementList as Ev[]) : []) {
    const meta = (el.sensorMetadata ?? {}) as Ev;
    for (const r of Array.isArray(el.sensorReport) ? (el.sensorReport as Ev[]) : []) {
      const type = str(r.type)?.replace(/^https?:\/\/gs1\.org\/voc\//, '').replace(/^gs1:/, '');
      if (type !== 'Temperature' || r.exception !== undefined || typeof r.value !== 'number') continue;
      const uom = str(r.uom) ?? 'CEL';
      const c = uom === 'CEL' ? r.value : uom === 'FAH' ? ((r.value - 32) * 5) / 9 : uom === 'KEL' ? r.value - 273.15 : undefined;
      if (c === undefined) continue;
      out.push({ at: str(r.time) ?? str(meta.time), temperatureC: Math.round(c * 100) / 100 });
    }
  }
  return out;
}

function handoverSlipOf(ev: Ev): string | undefined {
  for (const t of Array.isArray(ev.bizTransactionList) ? (ev.bizTransactionList as Ev[]) : []) {
    const m = /^urn:milkchain:handover-slip:(.+)$/.exec(String(t.bizTransaction));
    if (m) return decodeURIComponent(m[1]!);
  }
  return undefined;
}

type Draft = Omit<CapturedCommand, 'service' | 'source'> & { pathOf?: (bodyPath: string) => string };

function receiving(m: Mapper, ev: Ev): Draft[] {
  const time = String(ev.eventTime);
  const sscc = ssccOf(m, ev);
  if (sscc !== undefined) {
    const lots = [...lotLines(m, ev.quantityList, '/quantityList'), ...lotLines(m, ev.childQuantityList, '/childQuantityList')];
    if (lots.length === 0) {
      throw refused('/quantityList', '收货须列出实收的每个包装批及件数（quantityList 中的 LGTIN）', 'a receipt lists each lot and the units that arrived (LGTINs in quantityList)');
    }
    const temps = temperatures(ev);
    const disposition = bare(ev.disposition);
    const condition = str(ext(ev, 'condition')) ?? (disposition === 'damaged' ? 'damaged' : 'intact');
    const gln = glnOfPlace(m, ev, 'bizLocation') ?? glnOfPlace(m, ev, 'readPoint');
    return [
      {
        command: 'shipment.receive',
        body: defined({
          sscc,
          lots: lots.map(({ gtin, lot, quantity }) => ({ gtin, lot, quantity })),
          at: gln === undefined ? undefined : { gln },
          condition,
          temperatureC: temps.at(-1)?.temperatureC,
          remarks: str(ext(ev, 'remarks')),
          occurredAt: time,
        }),
      },
    ];
  }
  const list = Array.isArray(ev.quantityList) ? (ev.quantityList as Q[]) : [];
  const loads = list.map((q, i) => ({ q, i, id: parseId(q.epcClass, m.base) }));
  const load = loads.find((l) => l.id.kind === 'milkchain' && l.id.type === 'load');
  if (load === undefined || loads.length !== 1 || load.id.kind !== 'milkchain') {
    const first = loads.find((l) => !(l.id.kind === 'milkchain' && l.id.type === 'load'));
    if (first?.id.kind === 'instance') throw new Refused(`/quantityList/${first.i}/epcClass`, first.id.why);
    const where = first ? `/quantityList/${first.i}/epcClass` : ev.epcList ? '/epcList' : '/quantityList';
    throw refused(where, '收货事件须涉及一个物流单元（SSCC）或一车生鲜乳（milkchain 收奶车次的类标识）', 'a receiving event must name one logistic unit (SSCC) or one load of raw milk (a milkchain load class id)');
  }
  const path = `/quantityList/${load.i}`;
  if (load.q.uom !== 'LTR' || typeof load.q.quantity !== 'number') {
    throw refused(`${path}/uom`, '生鲜乳以升计：quantity 须带 uom "LTR"', 'raw milk is measured in litres: quantity with uom "LTR"');
  }
  const temp = temperatures(ev).at(-1);
  if (temp === undefined) {
    throw refused('/sensorElementList', '收奶须记录到厂奶温：在 sensorElementList 中给出 Temperature（CEL）', 'a reception records the milk temperature on arrival: give a Temperature (CEL) in sensorElementList');
  }
  const seal = ext(ev, 'sealIntact');
  if (typeof seal !== 'boolean') {
    throw refused('/milkchain:sealIntact', '收奶须记录铅封是否完好：给出扩展字段 milkchain:sealIntact（true/false）', 'a reception records whether the seal was intact: give the extension field milkchain:sealIntact (true or false)');
  }
  const decision = str(ext(ev, 'decision')) ?? (bare(ev.disposition) === 'non_conformant' ? 'rejected' : 'accepted');
  return [
    {
      command: 'reception.record',
      body: defined({
        load: load.id.subject,
        handoverSlipNo: handoverSlipOf(ev),
        volumeL: load.q.quantity,
        temperatureC: temp.temperatureC,
        sealIntact: seal,
        decision,
        remarks: str(ext(ev, 'remarks')),
        silo: str(ext(ev, 'silo')),
        occurredAt: time,
      }),
    },
  ];
}

function shipping(m: Mapper, ev: Ev, packed: ReadonlyMap<string, { index: number; lots: Array<{ gtin: string; lot: string; quantity: number }> }>): Draft[] {
  const sscc = ssccOf(m, ev);
  if (sscc === undefined) throw refused('/epcList', '发货事件须涉及一个物流单元（SSCC）', 'a shipping event must name one logistic unit (SSCC)');
  const own = lotLines(m, ev.quantityList, '/quantityList');
  const packing = packed.get(sscc);
  const lots = own.length > 0 ? own.map(({ gtin, lot, quantity }) => ({ gtin, lot, quantity })) : packing?.lots;
  if (lots === undefined || lots.length === 0) {
    throw refused('/epcList/0', `物流单元 ${sscc} 的内容未知：在同一文档中给出其装箱 AggregationEvent（childQuantityList），或在 quantityList 中列出包装批`, `the contents of ${sscc} are unknown: send its packing AggregationEvent (childQuantityList) in the same document, or list the lots in quantityList`);
  }
  const to = partyOrg(m, ev.destinationList, 'destination');
  if (to.org === undefined) {
    throw refused('/destinationList', `收货方${to.unknown ? ` ${to.unknown} ` : ''}不是已登记的 milkchain 组织：用 owning_party 给出其 GLN（已登记）或 urn:milkchain:org:<id>`, `the consignee${to.unknown ? ` ${to.unknown}` : ''} is not a registered milkchain organisation: give it as owning_party by its registered GLN or urn:milkchain:org:<id>`);
  }
  const from = partyOrg(m, ev.sourceList, 'source');
  const fromGln = from.gln ?? glnOfPlace(m, ev, 'readPoint') ?? glnOfPlace(m, ev, 'bizLocation');
  const carrierUri = str(ext(ev, 'carrier'));
  const carrier = carrierUri === undefined ? undefined : partyOrg(m, [{ type: 'owning_party', source: carrierUri }], 'source').org;
  return [
    {
      command: 'shipment.dispatch',
      body: defined({
        sscc,
        lots,
        from: fromGln === undefined ? undefined : { gln: fromGln },
        to: defined({ org: to.org, gln: to.gln }),
        carrier,
        temperatureRange: ext(ev, 'temperatureRange'),
        occurredAt: String(ev.eventTime),
      }),
      ...(own.length === 0 && packing ? { merged: [packing.index] } : {}),
    },
  ];
}

function commissioning(m: Mapper, ev: Ev): Draft[] {
  const outputs = lotLines(m, ev.outputQuantityList ?? ev.quantityList, ev.outputQuantityList ? '/outputQuantityList' : '/quantityList');
  for (const e of [...ids(m, ev.outputEPCList, '/outputEPCList'), ...ids(m, ev.epcList, '/epcList')]) refuseInstance(e);
  if (outputs.length !== 1) {
    throw refused('/outputQuantityList', '灌装事件须恰好产出一个包装批（LGTIN 及件数）', 'a packing (commissioning) event must make exactly one lot (an LGTIN with its units)');
  }
  for (const e of ids(m, ev.inputEPCList, '/inputEPCList')) refuseInstance(e);
  const inputs = Array.isArray(ev.inputQuantityList) ? (ev.inputQuantityList as Q[]) : [];
  const batches = inputs.map((q, i) => ({ i, id: parseId(q.epcClass, m.base) }));
  const notBatch = batches.find((b) => !(b.id.kind === 'milkchain' && b.id.type === 'batch'));
  if (notBatch) {
    if (notBatch.id.kind === 'instance') throw new Refused(`/inputQuantityList/${notBatch.i}/epcClass`, notBatch.id.why);
    throw refused(`/inputQuantityList/${notBatch.i}/epcClass`, `投入物 ${inputs[notBatch.i]!.epcClass} 不是 milkchain 登记的生产批次：包装批只能由已登记的批次灌装`, `the input ${inputs[notBatch.i]!.epcClass} is not a batch recorded in milkchain: a lot is packed only from a recorded batch`);
  }
  const batch = batches[0];
  if (batch === undefined || batches.length !== 1 || batch.id.kind !== 'milkchain') {
    throw refused(ev.type === 'TransformationEvent' ? '/inputQuantityList' : '/type', '灌装须指明所用的一个生产批次：用 TransformationEvent，inputQuantityList 为该批次的类标识', 'packing must name the one batch it was packed from: a TransformationEvent whose inputQuantityList is that batch class');
  }
  const data = ilmd(ev);
  const bestBefore = str(data['cbvmda:bestBeforeDate']);
  if (bestBefore === undefined) throw refused('/ilmd', '须在 ilmd 中给出保质期至 cbvmda:bestBeforeDate', 'give the best-before date as cbvmda:bestBeforeDate in ilmd');
  const unitSize = data['milkchain:unitSize'];
  if (unitSize === undefined) throw refused('/ilmd', '须在 ilmd 中给出单件规格 milkchain:unitSize（如 {"value":250,"unit":"mL"}）', 'give the net content of one unit as milkchain:unitSize in ilmd (e.g. {"value":250,"unit":"mL"})');
  const out = outputs[0]!;
  const time = String(ev.eventTime);
  return [
    {
      command: 'lot.pack',
      body: defined({
        batch: batch.id.subject,
        gtin: out.gtin,
        lot: out.lot,
        units: out.quantity,
        unitSize,
        productionDate: str(data['milkchain:productionDate']) ?? time.slice(0, 10),
        bestBefore,
        storage: str(data['milkchain:storage']),
        occurredAt: time,
      }),
    },
  ];
}

function perLot(m: Mapper, ev: Ev, make: (l: { gtin: string; lot: string; quantity?: number }) => Draft): Draft[] {
  for (const e of ids(m, ev.epcList, '/epcList')) refuseInstance(e);
  const list = Array.isArray(ev.quantityList) ? (ev.quantityList as Q[]) : [];
  if (list.length === 0) throw refused('/quantityList', '须在 quantityList 中列出包装批（LGTIN）', 'list the lots (LGTINs) in quantityList');
  return list.map((q, i) => {
    const id = parseId(q.epcClass, m.base);
    if (id.kind === 'instance') throw new Refused(`/quantityList/${i}/epcClass`, id.why);
    if (id.kind !== 'lgtin') throw refused(`/quantityList/${i}/epcClass`, `${q.epcClass} 不是包装批（LGTIN）`, `${q.epcClass} is not a lot (LGTIN)`);
    if (q.uom !== undefined) throw refused(`/quantityList/${i}/uom`, '包装批以件计，不带 uom', 'lots are counted in units, without uom');
    return make({ gtin: id.gtin, lot: id.lot, ...(q.quantity === undefined ? {} : { quantity: q.quantity }) });
  });
}

function sensorReporting(m: Mapper, ev: Ev): Draft[] {
  const sscc = ssccOf(m, ev);
  if (sscc === undefined) throw refused('/epcList', '温度记录须涉及一个物流单元（SSCC）', 'cold-chain readings must name one logistic unit (SSCC)');
  const readings = temperatures(ev);
  const untimed = readings.findIndex((r) => r.at === undefined);
  if (readings.length === 0 || untimed >= 0) {
    throw refused('/sensorElementList', '须给出带时间的温度读数（Temperature，CEL，sensorReport.time 或 sensorMetadata.time）', 'give temperature readings with their times (Temperature in CEL, with sensorReport.time or sensorMetadata.time)');
  }
  const elements = Array.isArray(ev.sensorElementList) ? (ev.sensorElementList as Ev[]) : [];
  const device = elements.map((el) => str((el.sensorMetadata as Ev | undefined)?.deviceID)).find((d) => d !== undefined);
  const sensor = str(ext(ev, 'sensor')) ?? (device?.startsWith('urn:milkchain:sensor:') ? decodeURIComponent(device.slice(21)) : device);
  if (sensor === undefined) throw refused('/sensorElementList/0/sensorMetadata/deviceID', '须给出传感器编号（sensorMetadata.deviceID）', 'name the sensor (sensorMetadata.deviceID)');
  return [
    {
      command: 'shipment.temperature.report',
      body: defined({
        sscc,
        sensor,
        range: ext(ev, 'temperatureRange'),
        readings: readings.map((r) => ({ at: r.at!, temperatureC: r.temperatureC })),
        occurredAt: String(ev.eventTime),
      }),
    },
  ];
}

function mapEvent(m: Mapper, ev: Ev, packed: ReadonlyMap<string, { index: number; lots: Array<{ gtin: string; lot: string; quantity: number }> }>): Draft[] {
  const type = String(ev.type);
  if (!['ObjectEvent', 'AggregationEvent', 'TransformationEvent'].includes(type)) {
    throw refused('/type', `不接受 ${type}：milkchain 导入 ObjectEvent、AggregationEvent 和 TransformationEvent`, `${type} is not accepted: milkchain captures ObjectEvent, AggregationEvent and TransformationEvent`);
  }
  if (ev.action === 'DELETE') {
    throw refused('/action', '账本只追加不删除：更正请作为新事件记录', 'the ledger appends and never deletes: record a correction as a new event');
  }
  if (ev.errorDeclaration !== undefined) {
    throw refused('/errorDeclaration', '账本只追加不撤销：不接受错误声明，更正请作为新事件记录', 'the ledger appends and never retracts: error declarations are not accepted; record a correction as a new event');
  }
  const step = bare(ev.bizStep);
  const time = String(ev.eventTime);
  switch (step) {
    case 'receiving':
      return receiving(m, ev);
    case 'shipping':
      if (type !== 'ObjectEvent') break;
      return shipping(m, ev, packed);
    case 'packing':
      if (type !== 'AggregationEvent') break;
      return []; // folded into the shipping of its SSCC (checked by the caller)
    case 'commissioning':
      if (type === 'AggregationEvent') break;
      {
        const raw = (Array.isArray(ev.quantityList) ? (ev.quantityList as Q[]) : []).some((q) => {
          const p = parseId(q.epcClass, m.base);
          return p.kind === 'milkchain' && p.type === 'collection';
        });
        if (raw) {
          throw refused('/quantityList', '挤奶收集须通过 farm 接口登记（collection.record）：需要挤奶时段、被剔除的牲畜并检查休药期，EPCIS 事件不含这些', 'milk collections are recorded through the farm API (collection.record): they need the milking window and the animals kept out, and are checked for withdrawal periods, which an EPCIS event does not carry');
        }
      }
      return commissioning(m, ev);
    case 'retail_selling':
      return perLot(m, ev, (l) => {
        if (l.quantity === undefined || !Number.isInteger(l.quantity)) throw refused('/quantityList', '销售须给出整数件数', 'a sale gives a whole number of units');
        return { command: 'sale.record', body: defined({ gtin: l.gtin, lot: l.lot, units: l.quantity, day: str(ext(ev, 'day')) ?? time.slice(0, 10), store: ((g) => (g === undefined ? undefined : { gln: g }))(glnOfPlace(m, ev, 'bizLocation') ?? glnOfPlace(m, ev, 'readPoint')), occurredAt: time }) };
      });
    case 'holding':
      return perLot(m, ev, (l) => ({
        command: 'lot.hold',
        body: defined({
          gtin: l.gtin,
          lot: l.lot,
          reason: str(ext(ev, 'reason')) ?? (bare(ev.disposition) === 'recalled' ? 'recall' : 'other'),
          detail: str(ext(ev, 'detail')),
          unitsAffected: l.quantity,
          occurredAt: time,
        }),
      }));
    case MILKCHAIN_BIZSTEP.releasing:
      return perLot(m, ev, (l) => ({
        command: 'lot.release',
        body: defined({ gtin: l.gtin, lot: l.lot, reason: str(ext(ev, 'reason')) ?? 'other', detail: str(ext(ev, 'detail')), occurredAt: time }),
      }));
    case 'sensor_reporting':
      return sensorReporting(m, ev);
    case undefined:
      throw refused('/bizStep', '须给出 bizStep：milkchain 按业务步骤决定记录为哪条命令', 'give a bizStep: milkchain decides by the business step which command an event becomes');
  }
  const why = step === undefined ? undefined : NOT_CAPTURED[step];
  if (why) throw new Refused('/bizStep', { 'zh-CN': `bizStep ${step} 不通过 EPCIS 导入：${why['zh-CN']}`, en: `bizStep ${step} is not captured: ${why.en}` });
  throw refused('/bizStep', `${type} 的 bizStep ${step} 在 milkchain 中没有对应的记录（可导入：${Object.keys(CAPTURE_BIZSTEPS).join('、')}）`, `bizStep ${step} on a ${type} has no milkchain counterpart (captured: ${Object.keys(CAPTURE_BIZSTEPS).join(', ')})`);
}

const byName = new Map(COMMANDS.map((c) => [c.name, c]));

/**
 * Maps an EPCISDocument onto milkchain commands. The document must validate against the EPCIS
 * 2.0 schema and every event must carry an eventID (the capture's dedupe key: an event sent twice
 * is recognised by it). `eventIds` lists them in document order, for the endpoint's 409 check.
 */
export function mapCapture(doc: unknown, ctx: CaptureContext = {}): CaptureResult {
  const m: Mapper = { base: ctx.idBase ?? DEFAULT_ID_BASE, orgOfGln: ctx.orgOfGln ?? (() => undefined) };
  const allOrNothing = ctx.allOrNothing ?? true;
  const valid = validateEpcisDocument(doc);
  const events: Ev[] = (doc as { epcisBody?: { eventList?: Ev[] } } | null)?.epcisBody?.eventList ?? [];
  const eventIds = Array.isArray(events) ? events.map((e) => String(e?.eventID ?? '')) : [];
  if (!valid.ok) {
    return {
      ok: false,
      eventIds,
      problems: valid.errors.map((e) => {
        const at = /^\/epcisBody\/eventList\/(\d+)(.*)$/.exec(e.path);
        return problem(at ? Number(at[1]) : null, at ? at[2]! : e.path, { 'zh-CN': `不符合 EPCIS 2.0 JSON Schema：${e.message}`, en: `does not validate against the EPCIS 2.0 JSON Schema: ${e.message}` });
      }),
    };
  }
  if ((doc as { type?: unknown }).type !== 'EPCISDocument') {
    return { ok: false, eventIds, problems: [problem(null, '/type', { 'zh-CN': '导入须为 EPCISDocument', en: 'a capture is an EPCISDocument' })] };
  }

  const problems: CaptureProblem[] = [];
  const seen = new Map<string, number>();
  events.forEach((ev, i) => {
    const id = str(ev.eventID);
    if (id === undefined) {
      problems.push(problem(i, '/eventID', { 'zh-CN': '须给出 eventID：重复提交的事件凭它识别', en: 'give an eventID: it is how an event sent twice is recognised' }));
    } else if (seen.has(id)) {
      problems.push(problem(i, '/eventID', { 'zh-CN': `eventID 与第 ${seen.get(id)} 个事件重复`, en: `the eventID repeats that of event ${seen.get(id)}` }));
    } else seen.set(id, i);
  });

  // Packing (AggregationEvent ADD into an SSCC) is kept for the shipping of the same SSCC.
  const packed = new Map<string, { index: number; lots: Array<{ gtin: string; lot: string; quantity: number }> }>();
  events.forEach((ev, i) => {
    if (ev.type !== 'AggregationEvent' || bare(ev.bizStep) !== 'packing' || ev.action !== 'ADD') return;
    try {
      const sscc = ssccOf(m, ev);
      if (sscc !== undefined) packed.set(sscc, { index: i, lots: lotLines(m, ev.childQuantityList, '/childQuantityList').map(({ gtin, lot, quantity }) => ({ gtin, lot, quantity })) });
    } catch {
      // reported when the event itself is mapped
    }
  });

  const commands: CapturedCommand[] = [];
  const used = new Set<number>();
  events.forEach((ev, i) => {
    try {
      for (const draft of mapEvent(m, ev, packed)) {
        const def = byName.get(draft.command)!;
        const parsed = def.schema.safeParse(draft.body);
        if (!parsed.success) {
          for (const p of toProblems(parsed.error.issues)) {
            problems.push(problem(i, '', { 'zh-CN': `映射为 ${draft.command} 后字段 ${p.path} 无效：${p.message}`, en: `mapped onto ${draft.command}, the field ${p.path} is invalid: ${p.message}` }));
          }
          continue;
        }
        for (const j of draft.merged ?? []) used.add(j);
        commands.push({ service: def.service, command: draft.command, body: draft.body, source: i, ...(draft.merged ? { merged: draft.merged } : {}) });
      }
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      problems.push(problem(i, err.path, err.reason));
    }
  });
  for (const [sscc, p] of packed) {
    if (!used.has(p.index)) {
      problems.push(problem(p.index, '/parentID', { 'zh-CN': `装入物流单元 ${sscc} 只随其发货记录：请在同一文档中给出它的 shipping ObjectEvent`, en: `packing into ${sscc} is recorded only with its dispatch: send its shipping ObjectEvent in the same document` }));
    }
  }
  problems.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
  if (problems.length > 0 && allOrNothing) return { ok: false, problems, eventIds };
  const failed = new Set(problems.map((p) => p.index));
  return { ok: true, commands: commands.filter((c) => !failed.has(c.source)), eventIds, skipped: problems };
}
