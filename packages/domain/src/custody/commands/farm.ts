/**
 * Farm service commands: animals, treatments, milk collections and their hand-over to a tanker.
 */
import { z } from 'zod';
import { temperatureReading, text, timestamp, urn, volumeL } from '../../fields.ts';
import { schema as animalRegistered } from '../../kinds/animal.registered/v1.ts';
import { schema as animalTreated } from '../../kinds/animal.treated/v1.ts';
import { schema as milkCollected } from '../../kinds/milk.collected/v1.ts';
import { schema as milkTransported } from '../../kinds/milk.transported/v1.ts';
import { isRefusal, refuse, type Refusal } from '../../refusal.ts';
import { checkCooling, checkCustody, checkWithdrawal, type Species } from '../../rules/index.ts';
import { heldBy, round } from '../quantities.ts';
import { localId, subjectFor } from '../subjects.ts';
import type { CustodyObject, EventDraft } from '../types.ts';
import { defineCommand, firstRefusal, localDate, lookUp, mustBeNew, mustBeUsable, mustOwn, notBefore, notInFuture, occurredAt, whenOf } from './common.ts';

// ---------------------------------------------------------------------------------------------

const registerAnimal = animalRegistered.extend({ occurredAt });
type RegisterAnimal = z.infer<typeof registerAnimal>;

export const animalRegister = defineCommand<RegisterAnimal>({
  name: 'animal.register',
  service: 'farm',
  path: '/animals',
  roles: ['farm'],
  summary: { 'zh-CN': '登记一头产奶牲畜（耳标、畜种、品种、出生日期）', en: 'Register a dairy animal (ear tag, species, breed, birth date)' },
  schema: registerAnimal,
  example: {
    earTag: '152502200031457',
    species: 'cow',
    breed: '荷斯坦牛 Holstein',
    sex: 'female',
    birthDate: '2023-04-18',
    herd: 'XL-H02',
    origin: 'born_on_farm',
    premisesGln: '6901234000047',
    damEarTag: '152502200011208',
    occurredAt: '2026-03-02T09:30:00+08:00',
  },
  needs: (cmd) => ({ subjects: [subjectFor('animal', cmd.earTag)] }),
  decide(cmd, ctx) {
    const at = whenOf(cmd, ctx);
    const subject = subjectFor('animal', cmd.earTag);
    const refused = firstRefusal(
      notInFuture(cmd.occurredAt, ctx, '/occurredAt'),
      mustBeNew(ctx, subject, 'animal', '/earTag'),
      cmd.birthDate > localDate(at)
        ? refuse('rule', 'animal.birth-date', `出生日期 ${cmd.birthDate} 晚于登记日期 ${localDate(at)}`, `The birth date ${cmd.birthDate} is after the registration date ${localDate(at)}`, { path: '/birthDate' })
        : undefined,
    );
    if (refused) return refused;
    const { occurredAt: _at, ...data } = cmd;
    return [{ kind: 'animal.registered', kindVersion: 1, subject, occurredAt: at, data, inputSubjects: [] }];
  },
});

// ---------------------------------------------------------------------------------------------

const treatAnimal = animalTreated.extend({ occurredAt });
type TreatAnimal = z.infer<typeof treatAnimal>;

export const animalTreat = defineCommand<TreatAnimal>({
  name: 'animal.treat',
  service: 'farm',
  path: '/animals/treatments',
  roles: ['farm'],
  summary: { 'zh-CN': '记录一次用药及休药期（休药期内的奶不得交售）', en: 'Record a treatment and its withdrawal period (milk may not be sold until it ends)' },
  schema: treatAnimal,
  example: {
    earTag: '152502200031457',
    drug: { name: '氯唑西林钠乳房注入剂 Cloxacillin intramammary', activeSubstance: 'cloxacillin', approvalNo: '兽药字(2021)150012345' },
    dose: { value: 1, unit: 'tube' },
    route: 'intramammary',
    diagnosis: '临床型乳房炎（左后乳区） clinical mastitis, left hind quarter',
    administeredAt: '2026-11-20T07:00:00+08:00',
    milkWithdrawalUntil: '2026-11-24T07:00:00+08:00',
    meatWithdrawalUntil: '2026-11-30T07:00:00+08:00',
    occurredAt: '2026-11-20T07:10:00+08:00',
  },
  needs: (cmd) => ({ subjects: [subjectFor('animal', cmd.earTag)] }),
  decide(cmd, ctx) {
    const subject = subjectFor('animal', cmd.earTag);
    const animal = lookUp(ctx, subject, ['animal'], '/earTag');
    if (isRefusal(animal)) return animal;
    const refused = firstRefusal(
      notInFuture(cmd.occurredAt, ctx, '/occurredAt'),
      notInFuture(cmd.administeredAt, ctx, '/administeredAt'),
      mustOwn(animal, ctx.org, '/earTag'),
    );
    if (refused) return refused;
    const { occurredAt: _at, ...data } = cmd;
    return [{ kind: 'animal.treated', kindVersion: 1, subject, occurredAt: whenOf(cmd, ctx), data, inputSubjects: [] }];
  },
});

// ---------------------------------------------------------------------------------------------

const recordCollection = milkCollected.extend({
  collectionId: localId().describe("The farm's own id for this collection (tank and milking), unique within the farm"),
  occurredAt,
});
type RecordCollection = z.infer<typeof recordCollection>;

/** Every withdrawal of every animal of `org`, as checkWithdrawal takes them. */
function withdrawalsOf(objects: Iterable<CustodyObject>, org: string) {
  const out: Array<{ earTag: string; milkWithdrawalUntil: string; species: Species; administeredAt?: string }> = [];
  for (const o of objects) {
    if (o.type !== 'animal' || o.org !== org) continue;
    const list = Array.isArray(o.data.withdrawals) ? (o.data.withdrawals as Array<{ administeredAt: string; milkWithdrawalUntil: string }>) : [];
    for (const w of list) out.push({ earTag: String(o.data.earTag), species: o.data.species as Species, milkWithdrawalUntil: w.milkWithdrawalUntil, administeredAt: w.administeredAt });
  }
  return out;
}

export const collectionRecord = defineCommand<RecordCollection>({
  name: 'collection.record',
  service: 'farm',
  path: '/collections',
  roles: ['farm', 'collector'],
  summary: {
    'zh-CN': '记录一次挤奶收集（奶量、奶罐温度、挤奶时段、剔除的牲畜）；检查冷却与休药期',
    en: 'Record a milk collection (volume, tank temperature, milking window, animals kept out); checks cooling and withdrawal',
  },
  schema: recordCollection,
  example: {
    collectionId: 'XL-T2-20261123-AM',
    species: 'cow',
    volumeL: 1860.5,
    tankTemperatureC: 3.6,
    milkingWindow: { start: '2026-11-23T04:30:00+08:00', end: '2026-11-23T06:00:00+08:00' },
    animalsExcluded: [{ earTag: '152502200031457', reason: 'withdrawal' }],
    handoverSlipNo: 'JJD-150102-20261123-017',
    tankId: 'T2',
    occurredAt: '2026-11-23T06:10:00+08:00',
  },
  // The withdrawal check covers the recording organisation's own animals: milk.collected v1 names
  // no farm, so a collection station recording for herders checks only animals it registered.
  needs: (cmd, ctx) => ({
    subjects: [subjectFor('collection', ctx.org, cmd.collectionId), ...cmd.animalsExcluded.map((a) => subjectFor('animal', a.earTag))],
    animalsOf: { org: ctx.org },
  }),
  decide(cmd, ctx) {
    const at = whenOf(cmd, ctx);
    const subject = subjectFor('collection', ctx.org, cmd.collectionId);
    let refused = firstRefusal(
      notInFuture(cmd.occurredAt, ctx, '/occurredAt'),
      notInFuture(cmd.milkingWindow.end, ctx, '/milkingWindow/end'),
      notBefore(at, cmd.milkingWindow.end, '/occurredAt', { 'zh-CN': '挤奶结束时间', en: 'the end of milking' }),
      mustBeNew(ctx, subject, 'collection', '/collectionId'),
    );
    if (refused) return refused;
    for (const [i, a] of cmd.animalsExcluded.entries()) {
      const animal = lookUp(ctx, subjectFor('animal', a.earTag), ['animal'], `/animalsExcluded/${i}/earTag`);
      if (isRefusal(animal)) return animal;
      refused = mustOwn(animal, ctx.org, `/animalsExcluded/${i}/earTag`);
      if (refused) return refused;
    }
    refused = firstRefusal(
      checkCooling({ milkingWindow: cmd.milkingWindow, temperatureC: cmd.tankTemperatureC, at, path: '/tankTemperatureC' }),
      checkWithdrawal({
        milkingWindow: cmd.milkingWindow,
        excluded: cmd.animalsExcluded.map((a) => a.earTag),
        animals: withdrawalsOf(ctx.objects.values(), ctx.org),
        species: cmd.species,
        path: '/animalsExcluded',
      }),
    );
    if (refused) return refused;
    const { occurredAt: _at, collectionId: _id, ...data } = cmd;
    return [{ kind: 'milk.collected', kindVersion: 1, subject, occurredAt: at, data, inputSubjects: [] }];
  },
});

// ---------------------------------------------------------------------------------------------

/** One tanker: the most milk.transported v1 can record. */
const TANKER_MAX_L = 60_000;

const recordLoad = z
  .strictObject({
    loadId: localId().describe("The collector's own id for this load (trip), unique within the collector"),
    collections: z
      .array(
        z.strictObject({
          subject: urn.describe('The collection, urn:milkchain:collection:<farm org>:<collectionId>'),
          volumeL: volumeL.describe('Litres taken from it into the tanker'),
          handoverSlipNo: text(40).optional().describe("The 生鲜乳交接单 it was handed over under, when it is not the load's own handoverSlipNo"),
        }),
      )
      .min(1)
      .max(100)
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((c, i) => {
          if (seen.has(c.subject)) ctx.addIssue({ code: 'custom', path: [i, 'subject'], message: 'must not be listed twice' });
          seen.add(c.subject);
        });
        const total = list.reduce((n, c) => n + c.volumeL, 0);
        if (total > TANKER_MAX_L) ctx.addIssue({ code: 'custom', path: [], message: `must add up to at most ${TANKER_MAX_L} L (one tanker), not ${round(total)} L` });
      }),
    vehicle: milkTransported.shape.vehicle,
    handoverSlipNo: text(40).describe('生鲜乳交接单 number'),
    loadedAt: timestamp,
    loadingTemperatureC: milkTransported.shape.loadingTemperatureC,
    destination: milkTransported.shape.destination,
    readings: z.array(temperatureReading).max(1000).optional().describe('Tanker readings on the way, if any yet'),
    occurredAt,
  })
  .describe('A tanker takes milk from collections (whole, or the last one in part) to a processor');
type RecordLoad = z.infer<typeof recordLoad>;

function loadSubject(ctx: { org: string }, cmd: RecordLoad): string {
  return subjectFor('load', ctx.org, cmd.loadId);
}

export const loadRecord = defineCommand<RecordLoad>({
  name: 'load.record',
  service: 'farm',
  path: '/loads',
  roles: ['collector', 'logistics'],
  summary: {
    'zh-CN': '收奶车装车：按交接单从牧场接收生鲜乳并运往加工厂；检查装车温度与 48 小时存放时限',
    en: 'Load a tanker: take over raw milk from farms under the handover slip and carry it to the processor; checks loading temperature and the 48 h limit',
  },
  schema: recordLoad,
  example: {
    loadId: 'SH-20261123-01',
    collections: [
      { subject: 'urn:milkchain:collection:org_xilin_pasture:XL-T2-20261123-AM', volumeL: 1860.5 },
      { subject: 'urn:milkchain:collection:org_horinger_pasture:SL-T1-20261123-AM', volumeL: 1859.5, handoverSlipNo: 'JJD-150123-20261123-004' },
    ],
    vehicle: { plate: '蒙A·D3217', permitNo: '蒙准运150105-0031' },
    handoverSlipNo: 'JJD-150102-20261123-017',
    loadedAt: '2026-11-23T06:40:00+08:00',
    loadingTemperatureC: 3.8,
    destination: { org: 'org_hohhot_dairy', gln: '6901234000016', name: '呼和浩特乳品一厂 Hohhot Dairy Plant 1' },
    readings: [{ at: '2026-11-23T06:45:00+08:00', temperatureC: 3.8 }],
    occurredAt: '2026-11-23T07:05:00+08:00',
  },
  needs: (cmd, ctx) => ({ subjects: [loadSubject(ctx, cmd), ...cmd.collections.map((c) => c.subject)] }),
  decide(cmd, ctx) {
    const at = whenOf(cmd, ctx);
    const subject = loadSubject(ctx, cmd);
    let refused: Refusal | undefined = firstRefusal(
      notInFuture(cmd.occurredAt, ctx, '/occurredAt'),
      notInFuture(cmd.loadedAt, ctx, '/loadedAt'),
      ...(cmd.readings ?? []).map((r, i) => notInFuture(r.at, ctx, `/readings/${i}/at`)),
      notBefore(at, cmd.loadedAt, '/occurredAt', { 'zh-CN': '装车时间', en: 'the loading time' }),
      mustBeNew(ctx, subject, 'load', '/loadId'),
    );
    if (refused) return refused;
    const whole: string[] = [];
    const partial: Array<{ subject: string; index: number }> = [];
    const species = new Set<string>();
    for (const [i, line] of cmd.collections.entries()) {
      const path = `/collections/${i}`;
      const c = lookUp(ctx, line.subject, ['collection'], `${path}/subject`);
      if (isRefusal(c)) return c;
      refused = mustBeUsable(c, `${path}/subject`);
      if (refused) return refused;
      const slip = line.handoverSlipNo ?? cmd.handoverSlipNo;
      if (slip !== c.data.handoverSlipNo) {
        return refuse(
          'conflict',
          'load.handover-slip',
          `交接单号 ${slip} 与 ${line.subject} 登记的交接单 ${String(c.data.handoverSlipNo)} 不符：只能凭该批奶的交接单接收`,
          `Handover slip ${slip} is not the one ${line.subject} was recorded with (${String(c.data.handoverSlipNo)}): milk is taken over only under its own slip`,
          { path: line.handoverSlipNo === undefined ? '/handoverSlipNo' : `${path}/handoverSlipNo`, details: { subject: line.subject, expected: c.data.handoverSlipNo, given: slip } },
        );
      }
      const cooling = checkCooling({
        milkingWindow: c.data.milkingWindow as { start: string; end: string },
        temperatureC: cmd.loadingTemperatureC,
        at: cmd.loadedAt,
        path: '/loadingTemperatureC',
      });
      if (cooling) return cooling.path === undefined ? { ...cooling, path: cooling.rule === 'raw-milk.cooling.times' ? '/loadedAt' : `${path}/subject` } : cooling;
      // The collector takes over from the farm under the slip: what is checked is the quantity
      // the holder has, not that the caller holds it.
      const holder = Object.keys(c.holdings).find((org) => heldBy(c.holdings, org) > 0) ?? c.org;
      refused = checkCustody({ org: holder, subject: c.subject, holdings: c.holdings, wanted: line.volumeL, unit: 'L', path: `${path}/volumeL` });
      if (refused) return refused;
      if (line.volumeL < heldBy(c.holdings, holder) - 1e-6) partial.push({ subject: c.subject, index: i });
      else whole.push(c.subject);
      for (const s of c.species) species.add(s);
    }
    const second = partial[1];
    if (second) {
      return refuse(
        'rule',
        'load.partial-collections',
        `一车最多只能部分装走一次挤奶收集（账本只记录装车总量）：${partial[0]?.subject} 与 ${second.subject} 都只装走了一部分，请分两车记录`,
        `A load may take part of at most one collection (the ledger records only the total): ${partial[0]?.subject} and ${second.subject} are both taken in part; record them as two loads`,
        { path: `/collections/${second.index}/volumeL`, details: { partial: partial.map((p) => p.subject) } },
      );
    }
    if (species.size > 1) {
      return refuse(
        'rule',
        'load.mixed-species',
        `不同畜种的生乳不能混装一车（${[...species].join('、')}）：生乳标准与检测限量按畜种区分（GB 19301-2010）`,
        `Raw milk of different species cannot share a tanker (${[...species].join(', ')}): raw milk limits and tests differ by species (GB 19301-2010)`,
        { path: '/collections', details: { species: [...species] } },
      );
    }
    const draft: EventDraft = {
      kind: 'milk.transported',
      kindVersion: 1,
      subject,
      occurredAt: at,
      data: {
        vehicle: cmd.vehicle,
        handoverSlipNo: cmd.handoverSlipNo,
        volumeL: round(cmd.collections.reduce((n, c) => n + c.volumeL, 0)),
        loadedAt: cmd.loadedAt,
        loadingTemperatureC: cmd.loadingTemperatureC,
        destination: cmd.destination,
        readings: cmd.readings ?? [],
      },
      // The event records only the total: the collection taken in part goes last, so that
      // emptying them in this order (evolve) reproduces the quantities of this command.
      inputSubjects: [...whole, ...partial.map((p) => p.subject)],
    };
    return [draft];
  },
});

export const FARM_COMMANDS = [animalRegister, animalTreat, collectionRecord, loadRecord] as const;
