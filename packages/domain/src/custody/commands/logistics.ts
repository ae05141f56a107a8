/**
 * Logistics and retail commands: dispatching logistic units (SSCC), cold-chain readings,
 * receiving, and sales.
 */
import { z } from 'zod';
import { code, date, gtin14, lotList, orgId, place, sscc18, temperatureC, temperatureRange, temperatureReading, text, units } from '../../fields.ts';
import { isRefusal, refuse, type Refusal } from '../../refusal.ts';
import { checkCustody, findExcursions } from '../../rules/index.ts';
import { shipmentLots } from '../evolve.ts';
import { subjectFor, subjectLot } from '../subjects.ts';
import type { CustodyObject } from '../types.ts';
import { beijingTime, defineCommand, firstRefusal, localDate, lookUp, mustBeNew, mustBeUsable, notBefore, notInFuture, occurredAt, ownPlace, whenOf } from './common.ts';

/** Food past its best-before date may not be traded. */
export const SHELF_LIFE_SOURCE = '中华人民共和国食品安全法 第三十四条 (Food Safety Law of the PRC, art. 34)';

function notExpired(lot: CustodyObject, day: string, path: string): Refusal | undefined {
  const bestBefore = lot.data.bestBefore;
  if (typeof bestBefore !== 'string' || day <= bestBefore) return undefined;
  return refuse(
    'rule',
    'lot.expired',
    `包装批 ${lot.subject} 的保质期至 ${bestBefore}，${day} 已过期：超过保质期的食品不得经营（${SHELF_LIFE_SOURCE}）`,
    `The lot ${lot.subject} was best before ${bestBefore} and has expired by ${day}: food past its shelf life may not be traded (${SHELF_LIFE_SOURCE})`,
    { path, source: SHELF_LIFE_SOURCE, details: { bestBefore, day } },
  );
}

const lotLine = (min: number) => z.strictObject({ gtin: gtin14, lot: subjectLot, quantity: units(min) });

// ---------------------------------------------------------------------------------------------

const dispatchShipment = z.strictObject({
  sscc: sscc18,
  lots: lotList(lotLine(1)).min(1).describe('The lots in the logistic unit and how many units of each'),
  from: ownPlace.optional().describe("Where it leaves from (GLN, name); the organisation is the caller's"),
  to: place,
  carrier: orgId.optional(),
  temperatureRange: temperatureRange.optional().describe('The range the goods must be kept within; cold-chain reports are judged by it'),
  vehiclePlate: text(16).optional(),
  occurredAt,
});
type DispatchShipment = z.infer<typeof dispatchShipment>;

const lotSubjectOf = (l: { gtin: string; lot: string }) => subjectFor('lot', l.gtin, l.lot);

export const shipmentDispatch = defineCommand<DispatchShipment>({
  name: 'shipment.dispatch',
  service: 'logistics',
  path: '/shipments',
  roles: ['processor', 'workshop', 'logistics', 'retailer'],
  summary: {
    'zh-CN': '发货一个物流单元（SSCC）：所含包装批与数量、收货方、承运方、温控要求；只能发运自己持有且未暂扣的货物',
    en: 'Dispatch a logistic unit (SSCC): lots and quantities, consignee, carrier, temperature range; only lots you hold and that are not on hold',
  },
  schema: dispatchShipment,
  example: {
    sscc: '006901234000000018',
    lots: [{ gtin: '06901234000016', lot: '261123P1B', quantity: 4800 }],
    from: { gln: '6901234000016', name: '一厂成品冷库 Plant 1 cold store' },
    to: { org: 'org_qingcheng_mart', gln: '6901234000023', name: '青城超市新城店 Qingcheng Mart, Xincheng' },
    carrier: 'org_caoyuan_coldchain',
    temperatureRange: { minC: 2, maxC: 6 },
    vehiclePlate: '蒙A·L5521',
    occurredAt: '2026-11-24T05:40:00+08:00',
  },
  needs: (cmd) => ({ subjects: [subjectFor('shipment', cmd.sscc), ...cmd.lots.map(lotSubjectOf)] }),
  decide(cmd, ctx) {
    const at = whenOf(cmd, ctx);
    const subject = subjectFor('shipment', cmd.sscc);
    let refused = firstRefusal(notInFuture(cmd.occurredAt, ctx, '/occurredAt'), mustBeNew(ctx, subject, 'shipment', '/sscc'));
    if (refused) return refused;
    for (const [i, line] of cmd.lots.entries()) {
      const lot = lookUp(ctx, lotSubjectOf(line), ['lot'], `/lots/${i}/lot`);
      if (isRefusal(lot)) return lot;
      refused = firstRefusal(
        lot.status === 'held' || lot.status === 'rejected' ? mustBeUsable(lot, `/lots/${i}/lot`) : undefined,
        notExpired(lot, localDate(at), `/lots/${i}/lot`),
        checkCustody({ org: ctx.org, subject: lot.subject, holdings: lot.holdings, wanted: line.quantity, unit: 'unit', path: `/lots/${i}/quantity` }),
      );
      if (refused) return refused;
    }
    const { occurredAt: _at, from, ...rest } = cmd;
    return [
      {
        kind: 'shipment.dispatched',
        kindVersion: 1,
        subject,
        occurredAt: at,
        data: { ...rest, from: { org: ctx.org, ...from } },
        inputSubjects: cmd.lots.map(lotSubjectOf),
      },
    ];
  },
});

// ---------------------------------------------------------------------------------------------

function mustBeParty(shipment: CustodyObject, org: string): Refusal | undefined {
  const parties = [shipment.data.from, shipment.data.to, shipment.data.carrier].filter((p): p is string => typeof p === 'string');
  if (parties.includes(org)) return undefined;
  return refuse('conflict', 'custody.not-party', `${org} 不是物流单元 ${shipment.subject} 的发货方、收货方或承运方`, `${org} is not the shipper, consignee or carrier of ${shipment.subject}`, {
    path: '/sscc',
    details: { parties, org },
  });
}

const reportTemperatures = z.strictObject({
  sscc: sscc18,
  sensor: code(64),
  range: temperatureRange.optional().describe("The range to judge the readings by; default: the shipment's temperatureRange"),
  readings: z.array(temperatureReading).min(1).max(1000),
  occurredAt,
});
type ReportTemperatures = z.infer<typeof reportTemperatures>;

export const shipmentTemperatureReport = defineCommand<ReportTemperatures>({
  name: 'shipment.temperature.report',
  service: 'logistics',
  path: '/shipments/temperatures',
  roles: ['logistics'],
  summary: {
    'zh-CN': '上报冷链温度读数；超温时段由读数计算得出，不可手填',
    en: 'Report cold-chain readings; excursions are computed from them, never typed in',
  },
  schema: reportTemperatures,
  example: {
    sscc: '006901234000000018',
    sensor: 'TL-88-004217',
    readings: [
      { at: '2026-11-24T06:00:00+08:00', temperatureC: 3.9 },
      { at: '2026-11-24T06:30:00+08:00', temperatureC: 6.8 },
      { at: '2026-11-24T07:00:00+08:00', temperatureC: 4.6 },
    ],
    occurredAt: '2026-11-24T08:00:00+08:00',
  },
  needs: (cmd) => ({ subjects: [subjectFor('shipment', cmd.sscc)] }),
  decide(cmd, ctx) {
    const shipment = lookUp(ctx, subjectFor('shipment', cmd.sscc), ['shipment'], '/sscc');
    if (isRefusal(shipment)) return shipment;
    const refused = firstRefusal(
      notInFuture(cmd.occurredAt, ctx, '/occurredAt'),
      ...cmd.readings.map((r, i) => notInFuture(r.at, ctx, `/readings/${i}/at`)),
      mustBeParty(shipment, ctx.org),
    );
    if (refused) return refused;
    const range = cmd.range ?? (shipment.data.temperatureRange as { minC: number; maxC: number } | undefined);
    if (range === undefined) {
      return refuse('rule', 'shipment.range-unknown', `物流单元 ${shipment.subject} 发货时没有温控要求：请在 range 中给出判定范围`, `${shipment.subject} was dispatched without a temperature range: give the range to judge the readings by`, {
        path: '/range',
      });
    }
    const excursions = findExcursions(cmd.readings, range);
    const instant = excursions.findIndex((e) => Date.parse(e.start) >= Date.parse(e.end));
    if (instant >= 0) {
      return refuse(
        'rule',
        'shipment.readings-too-few',
        `只有一个读数且超出温控范围，无法确定超温时段：请一并上报它前后的读数`,
        `A single reading outside the range gives no period of excursion: send the readings around it as well`,
        { path: '/readings', details: { excursion: excursions[instant] } },
      );
    }
    const { occurredAt: _at, range: _range, ...rest } = cmd;
    return [
      {
        kind: 'shipment.temperature.reported',
        kindVersion: 1,
        subject: shipment.subject,
        occurredAt: whenOf(cmd, ctx),
        data: { ...rest, range, excursions },
        inputSubjects: [],
      },
    ];
  },
});

// ---------------------------------------------------------------------------------------------

const receiveShipment = z.strictObject({
  sscc: sscc18,
  lots: lotList(lotLine(0)).min(1).describe('Every lot of the shipment with the units that actually arrived (0 when none did)'),
  at: ownPlace.optional().describe("Where it was received (GLN, name); the organisation is the caller's"),
  condition: z.enum(['intact', 'damaged', 'temperature_breach', 'partial']),
  temperatureC: temperatureC.optional(),
  remarks: text(500).optional(),
  occurredAt,
});
type ReceiveShipment = z.infer<typeof receiveShipment>;

export const shipmentReceive = defineCommand<ReceiveShipment>({
  name: 'shipment.receive',
  service: 'logistics',
  path: '/shipments/receipts',
  roles: ['processor', 'workshop', 'logistics', 'retailer'],
  summary: {
    'zh-CN': '收货：记录一个物流单元实收的包装批与数量、货物状况和到货温度；收货方成为实收货物的持有人',
    en: 'Receive a logistic unit: the units of each lot that arrived, their condition and temperature; the consignee becomes their holder',
  },
  schema: receiveShipment,
  example: {
    sscc: '006901234000000018',
    lots: [{ gtin: '06901234000016', lot: '261123P1B', quantity: 4800 }],
    at: { gln: '6901234000023', name: '青城超市新城店 Qingcheng Mart, Xincheng' },
    condition: 'intact',
    temperatureC: 4.2,
    remarks: '到货验收合格 checked on arrival',
    occurredAt: '2026-11-24T08:15:00+08:00',
  },
  needs: (cmd) => ({ subjects: [subjectFor('shipment', cmd.sscc), ...cmd.lots.map(lotSubjectOf)] }),
  decide(cmd, ctx) {
    const at = whenOf(cmd, ctx);
    const shipment = lookUp(ctx, subjectFor('shipment', cmd.sscc), ['shipment'], '/sscc');
    if (isRefusal(shipment)) return shipment;
    const refused = firstRefusal(
      notInFuture(cmd.occurredAt, ctx, '/occurredAt'),
      typeof shipment.data.dispatchedAt === 'string' ? notBefore(at, shipment.data.dispatchedAt, '/occurredAt', { 'zh-CN': '发货时间', en: 'the dispatch time' }) : undefined,
    );
    if (refused) return refused;
    if (shipment.data.to !== ctx.org) {
      return refuse('conflict', 'custody.not-consignee', `物流单元 ${shipment.subject} 的收货方是 ${String(shipment.data.to)}，不是 ${ctx.org}`, `${shipment.subject} is consigned to ${String(shipment.data.to)}, not ${ctx.org}`, {
        path: '/sscc',
        details: { to: shipment.data.to, org: ctx.org },
      });
    }
    if (shipment.data.received !== undefined) {
      return refuse('conflict', 'shipment.already-received', `物流单元 ${shipment.subject} 已经收货`, `${shipment.subject} has already been received`, { path: '/sscc' });
    }
    const dispatched = new Map(shipmentLots(shipment).map((l) => [l.subject, l.quantity]));
    let short = false;
    for (const [i, line] of cmd.lots.entries()) {
      const sent = dispatched.get(lotSubjectOf(line));
      if (sent === undefined) {
        return refuse('conflict', 'shipment.lot-not-dispatched', `包装批 ${line.gtin}/${line.lot} 不在物流单元 ${shipment.subject} 的发货清单中`, `The lot ${line.gtin}/${line.lot} was not dispatched in ${shipment.subject}`, {
          path: `/lots/${i}/lot`,
        });
      }
      if (line.quantity > sent) {
        return refuse('conflict', 'shipment.quantity', `包装批 ${line.gtin}/${line.lot} 实收 ${line.quantity} 件，多于发货的 ${sent} 件`, `${line.quantity} units of ${line.gtin}/${line.lot} cannot arrive when ${sent} were dispatched`, {
          path: `/lots/${i}/quantity`,
          details: { dispatched: sent, received: line.quantity },
        });
      }
      if (line.quantity < sent) short = true;
    }
    const listed = new Set(cmd.lots.map(lotSubjectOf));
    const missing = [...dispatched.keys()].filter((s) => !listed.has(s));
    if (missing.length > 0) {
      return refuse('rule', 'shipment.lots-missing', `收货清单须列出发货的每个包装批（未到货的填 0）：缺少 ${missing.join('、')}`, `A receipt lists every lot dispatched (0 for one that did not arrive): ${missing.join(', ')} missing`, {
        path: '/lots',
        details: { missing },
      });
    }
    if (short && cmd.condition === 'intact') {
      return refuse('rule', 'shipment.condition', '实收数量少于发货数量，货物状况不能填“完好”：请选择 partial 或 damaged', 'Fewer units arrived than were dispatched, so the condition cannot be "intact": choose partial or damaged', {
        path: '/condition',
      });
    }
    const { occurredAt: _at, at: where, ...rest } = cmd;
    return [{ kind: 'shipment.received', kindVersion: 1, subject: shipment.subject, occurredAt: at, data: { ...rest, at: { org: ctx.org, ...where } }, inputSubjects: [] }];
  },
});

// ---------------------------------------------------------------------------------------------

const recordSale = z.strictObject({
  gtin: gtin14,
  lot: subjectLot,
  units: units(1),
  day: date.optional().describe('The day of sale (sales are reported per lot and day); default: the day of occurredAt'),
  store: ownPlace.optional().describe("The store (GLN, name); the organisation is the caller's"),
  occurredAt,
});
type RecordSale = z.infer<typeof recordSale>;

export const saleRecord = defineCommand<RecordSale>({
  name: 'sale.record',
  service: 'logistics',
  path: '/sales',
  roles: ['retailer', 'workshop'],
  summary: {
    'zh-CN': '记录某包装批某日售出的件数（不含个人信息）；暂扣或过期的包装批不得销售',
    en: 'Record the units of a lot sold on a day (no personal data); lots on hold or past best-before may not be sold',
  },
  schema: recordSale,
  example: {
    gtin: '06901234000016',
    lot: '261123P1B',
    units: 312,
    day: '2026-11-24',
    store: { gln: '6901234000023', name: '青城超市新城店 Qingcheng Mart, Xincheng' },
    occurredAt: '2026-11-24T22:00:00+08:00',
  },
  needs: (cmd) => ({ subjects: [lotSubjectOf(cmd)] }),
  decide(cmd, ctx) {
    const at = whenOf(cmd, ctx);
    const day = cmd.day ?? localDate(at);
    const lot = lookUp(ctx, lotSubjectOf(cmd), ['lot'], '/lot');
    if (isRefusal(lot)) return lot;
    const today = localDate(beijingTime(ctx.now));
    const refused = firstRefusal(
      notInFuture(cmd.occurredAt, ctx, '/occurredAt'),
      day > today ? refuse('rule', 'command.time.future', `销售日期 ${day} 晚于今天 ${today}`, `The day of sale ${day} is after today (${today})`, { path: '/day' }) : undefined,
      lot.status === 'held' || lot.status === 'rejected' ? mustBeUsable(lot, '/lot') : undefined,
      notExpired(lot, day, '/lot'),
      checkCustody({ org: ctx.org, subject: lot.subject, holdings: lot.holdings, wanted: cmd.units, unit: 'unit', path: '/units' }),
    );
    if (refused) return refused;
    const { occurredAt: _at, store, day: _day, ...rest } = cmd;
    return [{ kind: 'lot.sold', kindVersion: 1, subject: lot.subject, occurredAt: at, data: { ...rest, day, store: { org: ctx.org, ...store } }, inputSubjects: [] }];
  },
});

export const LOGISTICS_COMMANDS = [shipmentDispatch, shipmentTemperatureReport, shipmentReceive, saleRecord] as const;
