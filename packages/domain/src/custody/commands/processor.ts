/**
 * Processor service commands: receiving loads, producing batches, packing lots, holding and
 * releasing lots.
 */
import { z } from 'zod';
import { code, comparing, date, gtin14, longText, temperatureC, text, units, urn, volumeL } from '../../fields.ts';
import { schema as batchProduced } from '../../kinds/batch.produced/v1.ts';
import { schema as lotHeld } from '../../kinds/lot.held/v1.ts';
import { schema as lotPacked } from '../../kinds/lot.packed/v1.ts';
import { schema as lotReleased } from '../../kinds/lot.released/v1.ts';
import { isRefusal, refuse, type Refusal } from '../../refusal.ts';
import { checkCustody, checkMassBalance, checkRelease, COOLING, type ProductType, type Species } from '../../rules/index.ts';
import { resultsOf } from '../evolve.ts';
import { convert, heldBy } from '../quantities.ts';
import { localId, subjectFor, subjectLot } from '../subjects.ts';
import type { CustodyObject, DecisionContext } from '../types.ts';
import { defineCommand, firstRefusal, localDate, lookUp, mustBeNew, mustBeUsable, notBefore, notInFuture, occurredAt, whenOf } from './common.ts';

/** Arrival volume may exceed the loaded volume by this much (meters and dipsticks differ); more is how added water shows. */
export const RECEPTION_VOLUME_TOLERANCE = 0.01;

// ---------------------------------------------------------------------------------------------

const recordReception = z
  .strictObject({
    load: urn.describe('The load, urn:milkchain:load:<collector org>:<loadId>'),
    handoverSlipNo: text(40).optional().describe("生鲜乳交接单 number as on the slip; must match the load's (default: the load's)"),
    volumeL: volumeL.describe('Volume measured on arrival'),
    temperatureC: temperatureC.describe('Milk temperature on arrival'),
    sealIntact: z.boolean(),
    decision: z.enum(['accepted', 'rejected']),
    remarks: text(500).optional(),
    silo: code(40).optional(),
    occurredAt,
  })
  .refine((d) => d.decision !== 'rejected' || d.remarks !== undefined, {
    message: 'is required when decision is "rejected" (say why the load was refused)',
    path: ['remarks'],
    ...comparing('decision', 'remarks'),
  });
type RecordReception = z.infer<typeof recordReception>;

export const receptionRecord = defineCommand<RecordReception>({
  name: 'reception.record',
  service: 'processor',
  path: '/receptions',
  roles: ['processor', 'workshop'],
  summary: {
    'zh-CN': '收奶：记录到厂奶量、温度、铅封，接收或拒收一车生鲜乳',
    en: 'Receive a load of raw milk: volume and temperature on arrival, seal, accepted or rejected',
  },
  schema: recordReception,
  example: {
    load: 'urn:milkchain:load:org_saihan_collect:SH-20261123-01',
    handoverSlipNo: 'JJD-150102-20261123-017',
    volumeL: 3712,
    temperatureC: 4.4,
    sealIntact: true,
    decision: 'accepted',
    remarks: '铅封完好 seal F-0058213 intact',
    silo: 'SILO-03',
    occurredAt: '2026-11-23T08:20:00+08:00',
  },
  needs: (cmd) => ({ subjects: [cmd.load] }),
  decide(cmd, ctx) {
    const at = whenOf(cmd, ctx);
    const load = lookUp(ctx, cmd.load, ['load'], '/load');
    if (isRefusal(load)) return load;
    const loadedL = Number(load.data.volumeL);
    let refused = firstRefusal(
      notInFuture(cmd.occurredAt, ctx, '/occurredAt'),
      typeof load.data.loadedAt === 'string' ? notBefore(at, load.data.loadedAt, '/occurredAt', { 'zh-CN': '装车时间', en: 'the loading time' }) : undefined,
    );
    if (refused) return refused;
    if (load.data.destination !== ctx.org) {
      return refuse('conflict', 'custody.not-consignee', `${cmd.load} 的收货方是 ${String(load.data.destination)}，不是 ${ctx.org}`, `${cmd.load} is bound for ${String(load.data.destination)}, not ${ctx.org}`, {
        path: '/load',
        details: { destination: load.data.destination, org: ctx.org },
      });
    }
    if (load.data.received !== undefined) {
      const received = load.data.received as { org?: string; at?: string; decision?: string };
      return refuse('conflict', 'load.already-received', `${cmd.load} 已由 ${received.org ?? '—'} 于 ${received.at ?? '—'} 收货（${received.decision === 'rejected' ? '拒收' : '接收'}）`, `${cmd.load} was already received by ${received.org ?? '—'} at ${received.at ?? '—'} (${received.decision ?? '—'})`, {
        path: '/load',
        details: { received: load.data.received },
      });
    }
    if (cmd.handoverSlipNo !== undefined && cmd.handoverSlipNo !== load.data.handoverSlipNo) {
      return refuse(
        'conflict',
        'reception.handover-slip',
        `交接单号 ${cmd.handoverSlipNo} 与该车登记的 ${String(load.data.handoverSlipNo)} 不符：请核对车辆与交接单`,
        `Handover slip ${cmd.handoverSlipNo} is not the load's (${String(load.data.handoverSlipNo)}): check the tanker and its slip`,
        { path: '/handoverSlipNo', details: { expected: load.data.handoverSlipNo } },
      );
    }
    if (cmd.decision === 'accepted') {
      // A rejection is always recorded, whatever was measured: it is the evidence of why.
      refused = mustBeUsable(load, '/load');
      if (refused) return refused;
      const limit = loadedL * (1 + RECEPTION_VOLUME_TOLERANCE);
      if (cmd.volumeL > limit + 1e-9) {
        return refuse(
          'rule',
          'reception.volume-gain',
          `到厂奶量 ${cmd.volumeL} L 比装车量 ${loadedL} L 多出 ${((cmd.volumeL / loadedL - 1) * 100).toFixed(2)}%，超过 1% 的计量误差：奶量在途中增加是掺水的迹象，不能接收，请拒收并查明原因`,
          `${cmd.volumeL} L arrived but ${loadedL} L was loaded, ${((cmd.volumeL / loadedL - 1) * 100).toFixed(2)}% more, beyond the 1% measuring tolerance: milk that grows on the way is how added water shows; reject the load and find out why`,
          { path: '/volumeL', details: { loadedL, arrivedL: cmd.volumeL, tolerance: RECEPTION_VOLUME_TOLERANCE } },
        );
      }
      // The tank limit holds all the way to the plant: raw milk is kept below 6 °C (DOMAIN.md,
      // cooling: "tank < 6 °C"); the 4 °C limit is met at the farm and a few tenths are gained on the road.
      if (!(cmd.temperatureC < COOLING.tankMaxC)) {
        return refuse(
          'rule',
          'reception.temperature',
          `到厂奶温 ${cmd.temperatureC} °C，未低于 ${COOLING.tankMaxC} °C（${COOLING.source}）：不能接收，请拒收`,
          `The milk arrived at ${cmd.temperatureC} °C, not below ${COOLING.tankMaxC} °C (${COOLING.source}): it cannot be accepted; reject the load`,
          { path: '/temperatureC', source: COOLING.source, details: { temperatureC: cmd.temperatureC, limitC: COOLING.tankMaxC, comparison: 'lt' } },
        );
      }
    }
    const { occurredAt: _at, load: _load, handoverSlipNo, ...rest } = cmd;
    return [
      {
        kind: 'milk.received',
        kindVersion: 1,
        subject: cmd.load,
        occurredAt: at,
        data: { handoverSlipNo: handoverSlipNo ?? String(load.data.handoverSlipNo), ...rest },
        inputSubjects: [],
      },
    ];
  },
});

// ---------------------------------------------------------------------------------------------

const produceBatch = batchProduced.extend({
  batchId: localId().describe("The processor's own batch id, unique within the organisation"),
  inputs: batchProduced.shape.inputs.describe('Loads (received) or batches the caller holds, with the quantity of each used'),
  occurredAt,
});
type ProduceBatch = z.infer<typeof produceBatch>;

export const batchProduce = defineCommand<ProduceBatch>({
  name: 'batch.produce',
  service: 'processor',
  path: '/batches',
  roles: ['processor', 'workshop'],
  summary: {
    'zh-CN': '生产一个批次：投入的原料及数量、产品类型、工艺、产出量；检查持有量与物料平衡',
    en: 'Produce a batch: inputs with quantities, product type, process, output; checks custody and mass balance',
  },
  schema: produceBatch,
  example: {
    batchId: 'HD-P1-20261123-02',
    productType: 'pasteurised_milk',
    productName: '鲜牛奶 Fresh pasteurised milk',
    inputs: [{ subject: 'urn:milkchain:load:org_saihan_collect:SH-20261123-01', quantity: { value: 3700, unit: 'L' } }],
    output: { value: 3650, unit: 'L' },
    process: [
      { operation: 'standardisation' },
      { operation: 'homogenisation', temperatureC: 65 },
      { operation: 'pasteurisation', temperatureC: 75, holdSeconds: 15 },
      { operation: 'cooling', temperatureC: 4, note: 'plate cooler to 4 °C' },
    ],
    line: 'P1',
    occurredAt: '2026-11-23T13:30:00+08:00',
  },
  needs: (cmd, ctx) => ({ subjects: [subjectFor('batch', ctx.org, cmd.batchId), ...cmd.inputs.map((i) => i.subject)] }),
  decide(cmd, ctx) {
    const at = whenOf(cmd, ctx);
    const subject = subjectFor('batch', ctx.org, cmd.batchId);
    let refused = firstRefusal(notInFuture(cmd.occurredAt, ctx, '/occurredAt'), mustBeNew(ctx, subject, 'batch', '/batchId'));
    if (refused) return refused;
    const balance: Array<{ value: number; unit: string; productType?: ProductType }> = [];
    for (const [i, input] of cmd.inputs.entries()) {
      const path = `/inputs/${i}`;
      const o = lookUp(ctx, input.subject, ['load', 'batch'], `${path}/subject`);
      if (isRefusal(o)) return o;
      refused = mustBeUsable(o, `${path}/subject`);
      if (refused) return refused;
      const amount = convert(input.quantity.value, input.quantity.unit, o.unit);
      if (amount === undefined) {
        return refuse('rule', 'batch.input-unit', `${input.subject} 以 ${String(o.unit)} 计，不能以 ${input.quantity.unit} 投入`, `${input.subject} is kept in ${String(o.unit)} and cannot be used in ${input.quantity.unit}`, {
          path: `${path}/quantity/unit`,
          details: { unit: input.quantity.unit, objectUnit: o.unit },
        });
      }
      refused = checkCustody({ org: ctx.org, subject: o.subject, holdings: o.holdings, wanted: amount, unit: String(o.unit), path: `${path}/quantity/value` });
      if (refused) return refused;
      const productType = o.type === 'batch' ? (o.data.productType as ProductType | undefined) : undefined;
      balance.push({ ...input.quantity, ...(productType === undefined ? {} : { productType }) });
    }
    refused = checkMassBalance({ productType: cmd.productType, inputs: balance, output: cmd.output, path: '/output' });
    if (refused) return refused;
    const { occurredAt: _at, ...data } = cmd;
    return [{ kind: 'batch.produced', kindVersion: 1, subject, occurredAt: at, data, inputSubjects: cmd.inputs.map((i) => i.subject) }];
  },
});

// ---------------------------------------------------------------------------------------------

const packLot = z
  .strictObject({
    batch: urn.describe('The batch packed, urn:milkchain:batch:<org>:<batchId>'),
    gtin: gtin14,
    lot: subjectLot,
    units: lotPacked.shape.units,
    unitSize: lotPacked.shape.unitSize,
    productionDate: date,
    bestBefore: date,
    storage: text(60).optional(),
    occurredAt,
  })
  .refine((d) => d.bestBefore >= d.productionDate, {
    message: 'must not be before productionDate',
    path: ['bestBefore'],
    ...comparing('productionDate', 'bestBefore'),
  });
type PackLot = z.infer<typeof packLot>;

export const lotPack = defineCommand<PackLot>({
  name: 'lot.pack',
  service: 'processor',
  path: '/lots',
  roles: ['processor', 'workshop'],
  summary: {
    'zh-CN': '灌装一个包装批（GTIN + 批号）：件数、规格、生产日期、保质期；不能超过批次剩余量',
    en: 'Pack a lot (GTIN + lot): units, unit size, production and best-before dates; no more than the batch has left',
  },
  schema: packLot,
  example: {
    batch: 'urn:milkchain:batch:org_hohhot_dairy:HD-P1-20261123-02',
    gtin: '06901234000016',
    lot: '261123P1B',
    units: 14200,
    unitSize: { value: 250, unit: 'mL' },
    productionDate: '2026-11-23',
    bestBefore: '2026-11-30',
    storage: '2–6 °C 冷藏',
    occurredAt: '2026-11-23T15:10:00+08:00',
  },
  needs: (cmd) => ({ subjects: [subjectFor('lot', cmd.gtin, cmd.lot), cmd.batch] }),
  decide(cmd, ctx) {
    const at = whenOf(cmd, ctx);
    const subject = subjectFor('lot', cmd.gtin, cmd.lot);
    let refused = firstRefusal(
      notInFuture(cmd.occurredAt, ctx, '/occurredAt'),
      cmd.productionDate > localDate(at)
        ? refuse('rule', 'lot.production-date', `生产日期 ${cmd.productionDate} 晚于灌装日期 ${localDate(at)}`, `The production date ${cmd.productionDate} is after the packing date ${localDate(at)}`, { path: '/productionDate' })
        : undefined,
      mustBeNew(ctx, subject, 'lot', '/lot'),
    );
    if (refused) return refused;
    const batch = lookUp(ctx, cmd.batch, ['batch'], '/batch');
    if (isRefusal(batch)) return batch;
    refused = mustBeUsable(batch, '/batch');
    if (refused) return refused;
    const needed = convert(cmd.units * cmd.unitSize.value, cmd.unitSize.unit, batch.unit);
    if (needed === undefined) {
      return refuse('rule', 'lot.unit-size', `批次 ${cmd.batch} 以 ${String(batch.unit)} 计，无法按 ${cmd.unitSize.unit} 规格灌装`, `The batch ${cmd.batch} is kept in ${String(batch.unit)} and cannot be packed by ${cmd.unitSize.unit}`, {
        path: '/unitSize/unit',
      });
    }
    refused = checkCustody({ org: ctx.org, subject: batch.subject, holdings: batch.holdings, wanted: needed, unit: String(batch.unit), path: '/units' });
    if (refused) return refused;
    const { occurredAt: _at, batch: _batch, ...data } = cmd;
    return [{ kind: 'lot.packed', kindVersion: 1, subject, occurredAt: at, data, inputSubjects: [cmd.batch] }];
  },
});

// ---------------------------------------------------------------------------------------------

/**
 * May the caller hold this lot? Labs and regulators may hold any lot (test results, supervision);
 * a processor or workshop, the lots it packed or holds.
 */
function mayHold(ctx: DecisionContext, lot: CustodyObject): Refusal | undefined {
  if (ctx.roles.includes('regulator') || ctx.roles.includes('lab')) return undefined;
  if (lot.org === ctx.org || heldBy(lot.holdings, ctx.org) > 0) return undefined;
  return refuse('conflict', 'custody.not-owner', `包装批 ${lot.subject} 不是 ${ctx.org} 灌装或持有的，不能由它暂扣`, `The lot ${lot.subject} was not packed by ${ctx.org} nor is it held by it, so ${ctx.org} cannot hold it`, {
    path: '/lot',
    details: { subject: lot.subject, packer: lot.org, org: ctx.org },
  });
}

/** Holds a regulator placed (an order, a recall) are lifted only by a regulator. */
const REGULATOR_HOLDS: ReadonlySet<string> = new Set(['regulator_order', 'recall']);

function mayRelease(ctx: DecisionContext, lot: CustodyObject): Refusal | undefined {
  if (ctx.roles.includes('regulator')) return undefined;
  const hold = (lot.data.hold ?? {}) as { reason?: string; org?: string };
  if (hold.reason !== undefined && REGULATOR_HOLDS.has(hold.reason)) {
    return refuse('conflict', 'lot.regulator-hold', `包装批 ${lot.subject} 因监管指令或召回被暂扣，只有监管部门可以放行`, `The lot ${lot.subject} is held by a regulator's order or a recall: only a regulator can release it`, {
      path: '/lot',
      details: { hold },
    });
  }
  const own = lot.org === ctx.org && (ctx.roles.includes('processor') || ctx.roles.includes('workshop'));
  if (own || hold.org === ctx.org) return undefined;
  return refuse('conflict', 'custody.not-owner', `包装批 ${lot.subject} 由 ${lot.org} 灌装、由 ${hold.org ?? '—'} 暂扣，${ctx.org} 不能放行`, `The lot ${lot.subject} was packed by ${lot.org} and held by ${hold.org ?? '—'}; ${ctx.org} cannot release it`, {
    path: '/lot',
    details: { packer: lot.org, heldBy: hold.org ?? null, org: ctx.org },
  });
}

const holdLot = z.strictObject({
  gtin: gtin14,
  lot: subjectLot,
  reason: lotHeld.shape.reason,
  detail: longText(1000).optional(),
  unitsAffected: units(1).optional(),
  occurredAt,
});
type HoldLot = z.infer<typeof holdLot>;

export const lotHold = defineCommand<HoldLot>({
  name: 'lot.hold',
  service: 'processor',
  path: '/lots/holds',
  roles: ['processor', 'workshop', 'lab', 'regulator'],
  summary: { 'zh-CN': '暂扣一个包装批：停止发货与销售', en: 'Put a lot on hold: it may not ship or sell' },
  schema: holdLot,
  example: {
    gtin: '06901234000016',
    lot: '261123P1B',
    reason: 'pending_results',
    detail: '等待沙门氏菌检测结果（GB 29921） awaiting Salmonella results',
    occurredAt: '2026-11-23T15:20:00+08:00',
  },
  needs: (cmd) => ({ subjects: [subjectFor('lot', cmd.gtin, cmd.lot)] }),
  decide(cmd, ctx) {
    const lot = lookUp(ctx, subjectFor('lot', cmd.gtin, cmd.lot), ['lot'], '/lot');
    if (isRefusal(lot)) return lot;
    const refused = firstRefusal(notInFuture(cmd.occurredAt, ctx, '/occurredAt'), mayHold(ctx, lot));
    if (refused) return refused;
    if (lot.status === 'held') {
      return refuse('conflict', 'lot.already-held', `包装批 ${lot.subject} 已处于暂扣状态`, `The lot ${lot.subject} is already on hold`, { path: '/lot', details: { hold: lot.data.hold ?? null } });
    }
    const { occurredAt: _at, ...data } = cmd;
    return [{ kind: 'lot.held', kindVersion: 1, subject: lot.subject, occurredAt: whenOf(cmd, ctx), data, inputSubjects: [] }];
  },
});

/** Every result of every sample taken from `subject` or anything it was made from (the release gate's evidence). */
export function lineageResults(objects: ReadonlyMap<string, CustodyObject>, subject: string) {
  const ancestors = new Set<string>([subject]);
  const queue = [subject];
  for (let i = 0; i < queue.length; i++) {
    for (const parent of objects.get(queue[i]!)?.from ?? []) {
      if (ancestors.has(parent)) continue;
      ancestors.add(parent);
      queue.push(parent);
    }
  }
  const results: Array<{ subject: string; analyte: string; verdict: 'conformant' | 'non_conformant'; ruleId: string }> = [];
  for (const o of objects.values()) {
    const sampled = o.from[0];
    if (o.type !== 'sample' || sampled === undefined || !ancestors.has(sampled)) continue;
    for (const r of resultsOf(o)) results.push({ subject: sampled, ...r });
  }
  return results;
}

const releaseLot = z.strictObject({
  gtin: gtin14,
  lot: subjectLot,
  reason: lotReleased.shape.reason,
  detail: longText(1000).optional(),
  occurredAt,
});
type ReleaseLot = z.infer<typeof releaseLot>;

export const lotRelease = defineCommand<ReleaseLot>({
  name: 'lot.release',
  service: 'processor',
  path: '/lots/releases',
  roles: ['processor', 'workshop', 'lab', 'regulator'],
  summary: {
    'zh-CN': '放行一个被暂扣的包装批；要求其来源链上的必检项目全部合格且无不合格结果',
    en: 'Release a held lot; every required test in its lineage must be conformant and none may have failed',
  },
  schema: releaseLot,
  example: {
    gtin: '06901234000016',
    lot: '261123P1B',
    reason: 'results_conformant',
    detail: '放行检验全部合格（证书 NMGL-2026-118740） release tests conformant',
    occurredAt: '2026-11-25T16:00:00+08:00',
  },
  needs: (cmd) => {
    const subject = subjectFor('lot', cmd.gtin, cmd.lot);
    return { subjects: [subject], lineageOf: subject };
  },
  decide(cmd, ctx) {
    const lot = lookUp(ctx, subjectFor('lot', cmd.gtin, cmd.lot), ['lot'], '/lot');
    if (isRefusal(lot)) return lot;
    let refused = firstRefusal(notInFuture(cmd.occurredAt, ctx, '/occurredAt'));
    if (refused) return refused;
    if (lot.status !== 'held') {
      return refuse('conflict', 'lot.not-held', `包装批 ${lot.subject} 没有被暂扣，无需放行`, `The lot ${lot.subject} is not on hold: there is nothing to release`, { path: '/lot', details: { status: lot.status } });
    }
    refused = firstRefusal(
      mayRelease(ctx, lot),
      checkRelease({
        productType: (lot.data.productType as ProductType | undefined) ?? 'other',
        species: lot.species as Species[],
        results: lineageResults(ctx.objects, lot.subject),
      }),
    );
    if (refused) return refused;
    const { occurredAt: _at, ...data } = cmd;
    return [{ kind: 'lot.released', kindVersion: 1, subject: lot.subject, occurredAt: whenOf(cmd, ctx), data, inputSubjects: [] }];
  },
});

export const PROCESSOR_COMMANDS = [receptionRecord, batchProduce, lotPack, lotHold, lotRelease] as const;
