/**
 * Lab service commands: samples and results. A result's verdict and limit are computed from the
 * rule packs, never typed in; a non-conformant one holds the sampled object and every lot made
 * from it in the same step.
 */
import { z } from 'zod';
import { code, orgId, text, urn } from '../../fields.ts';
import { schema as labResultRecorded } from '../../kinds/lab.result.recorded/v1.ts';
import { schema as sampleTaken } from '../../kinds/sample.taken/v1.ts';
import { isRefusal, refuse, type Refusal } from '../../refusal.ts';
import { analyteName, descendants, judgeResult, type Judgement, type Matrix, type ProductType, type Species } from '../../rules/index.ts';
import { heldBy } from '../quantities.ts';
import { localId, subjectFor } from '../subjects.ts';
import type { CustodyObject, DecisionContext, EventDraft, ObjectType } from '../types.ts';
import { defineCommand, firstRefusal, lookUp, mustBeNew, notBefore, notInFuture, occurredAt, whenOf } from './common.ts';

/** What may be sampled as what: the matrix decides which limits a result is judged by. */
const MATRICES: Readonly<Partial<Record<ObjectType, readonly Matrix[]>>> = {
  collection: ['raw_milk'],
  load: ['raw_milk'],
  batch: ['in_process', 'finished_product'],
  lot: ['finished_product'],
};

const takeSample = sampleTaken.extend({
  sampleId: localId().describe("The sampler's own sample id (as on the seal label), unique within the organisation"),
  sampledFrom: sampleTaken.shape.sampledFrom.describe('The collection, load, batch or lot sampled'),
  occurredAt,
});
type TakeSample = z.infer<typeof takeSample>;

/**
 * Labs and regulators sample anything (intake, third-party, supervision); a processor or workshop,
 * what it made or holds, and a load bound for it (intake testing comes before acceptance).
 */
function maySample(ctx: DecisionContext, o: CustodyObject): Refusal | undefined {
  if (ctx.roles.includes('lab') || ctx.roles.includes('regulator')) return undefined;
  if (o.org === ctx.org || heldBy(o.holdings, ctx.org) > 0) return undefined;
  if (o.type === 'load' && o.data.destination === ctx.org) return undefined;
  return refuse('conflict', 'custody.not-owner', `${o.subject} 既不是 ${ctx.org} 生产的也不在其名下，不能由它抽样（委托检验机构或监管部门抽样）`, `${ctx.org} neither made nor holds ${o.subject}, so it cannot sample it (ask a lab or the regulator)`, {
    path: '/sampledFrom',
    details: { subject: o.subject, owner: o.org, org: ctx.org },
  });
}

export const sampleTake = defineCommand<TakeSample>({
  name: 'sample.take',
  service: 'lab',
  path: '/samples',
  roles: ['lab', 'processor', 'workshop', 'regulator'],
  summary: {
    'zh-CN': '从生鲜乳、批次或包装批中抽取样品（进厂检验、放行检验、自检、监督抽检）',
    en: 'Draw a sample from raw milk, a batch or a lot (intake, release, self-check or supervision testing)',
  },
  schema: takeSample,
  example: {
    sampleId: 'S-20261123-0412',
    sampledFrom: 'urn:milkchain:load:org_saihan_collect:SH-20261123-01',
    matrix: 'raw_milk',
    purpose: 'intake',
    quantity: { value: 250, unit: 'mL' },
    temperatureC: 4.1,
    sealNo: 'F-0058213',
    occurredAt: '2026-11-23T08:35:00+08:00',
  },
  needs: (cmd, ctx) => ({ subjects: [subjectFor('sample', ctx.org, cmd.sampleId), cmd.sampledFrom] }),
  decide(cmd, ctx) {
    const subject = subjectFor('sample', ctx.org, cmd.sampleId);
    let refused = firstRefusal(notInFuture(cmd.occurredAt, ctx, '/occurredAt'), mustBeNew(ctx, subject, 'sample', '/sampleId'));
    if (refused) return refused;
    const sampled = lookUp(ctx, cmd.sampledFrom, ['collection', 'load', 'batch', 'lot'], '/sampledFrom');
    if (isRefusal(sampled)) return sampled;
    refused = maySample(ctx, sampled);
    if (refused) return refused;
    const allowed = MATRICES[sampled.type] ?? [];
    if (!allowed.includes(cmd.matrix)) {
      return refuse(
        'rule',
        'sample.matrix',
        `从${sampled.type === 'lot' ? '包装批' : sampled.type === 'batch' ? '生产批次' : '生鲜乳'}抽取的样品类型应为 ${allowed.join(' / ')}，而不是 ${cmd.matrix}：样品类型决定按哪项限量判定`,
        `A sample drawn from a ${sampled.type} is ${allowed.join(' or ')}, not ${cmd.matrix}: the matrix decides which limits its results are judged by`,
        { path: '/matrix', details: { type: sampled.type, allowed } },
      );
    }
    const { occurredAt: _at, ...data } = cmd;
    return [{ kind: 'sample.taken', kindVersion: 1, subject, occurredAt: whenOf(cmd, ctx), data, inputSubjects: [cmd.sampledFrom] }];
  },
});

// ---------------------------------------------------------------------------------------------

const recordResult = z.strictObject({
  sampleId: localId().describe('The sample, as on its seal label'),
  takenBy: orgId.optional().describe('The organisation that took the sample, when it is not the lab recording the result (a sample sent in); default: the caller'),
  sampledFrom: urn.describe("What the sample was drawn from, as on the sample record: the lots made from it are held in the same step when the result fails"),
  analyte: code(80).describe('Analyte code of the rule packs, e.g. protein, fat, aflatoxin_m1, melamine, salmonella'),
  value: labResultRecorded.shape.value,
  unit: text(20).describe("The rule's unit, e.g. g/100g, CFU/mL, µg/kg, mg/kg, CFU/25g"),
  method: text(120),
  certificateNo: text(60).optional(),
  occurredAt,
});
type RecordResult = z.infer<typeof recordResult>;

function sampleSubject(cmd: RecordResult, ctx: { org: string }): string {
  return subjectFor('sample', cmd.takenBy ?? ctx.org, cmd.sampleId);
}

/**
 * Judges by every species of milk in the sampled object: a result fails when it fails for any of
 * them (milk of several species is held to each one's limits). A species no rule covers is passed
 * over when another one's rule applies.
 */
function judge(cmd: RecordResult, species: readonly Species[], matrix: Matrix, productType: ProductType | undefined): Judgement | Refusal {
  const judgements = species.map((s) =>
    judgeResult({ analyte: cmd.analyte, value: cmd.value, unit: cmd.unit, species: s, matrix, ...(productType === undefined ? {} : { productType }), path: '' }),
  );
  const judged = judgements.filter((j): j is Judgement => !isRefusal(j));
  return judged.find((j) => j.verdict === 'non_conformant') ?? judged[0] ?? judgements[0]!;
}

export const resultRecord = defineCommand<RecordResult>({
  name: 'result.record',
  service: 'lab',
  path: '/results',
  roles: ['lab'],
  summary: {
    'zh-CN': '录入一项检测结果；判定与限量由规则包计算。不合格时同时暂扣被抽样对象及由其制成的所有包装批',
    en: 'Record a result; verdict and limit are computed from the rule packs. A failed result also holds the sampled object and every lot made from it',
  },
  schema: recordResult,
  example: {
    sampleId: 'S-20261123-0412',
    sampledFrom: 'urn:milkchain:load:org_saihan_collect:SH-20261123-01',
    analyte: 'protein',
    value: 3.21,
    unit: 'g/100g',
    method: 'GB 5009.5-2016 凯氏定氮法 Kjeldahl',
    certificateNo: 'NMGL-2026-118734',
    occurredAt: '2026-11-23T10:42:00+08:00',
  },
  needs: (cmd, ctx) => ({ subjects: [sampleSubject(cmd, ctx), cmd.sampledFrom], descendantsOf: cmd.sampledFrom }),
  decide(cmd, ctx) {
    const at = whenOf(cmd, ctx);
    const sample = lookUp(ctx, sampleSubject(cmd, ctx), ['sample'], '/sampleId');
    if (isRefusal(sample)) return sample;
    let refused = firstRefusal(
      notInFuture(cmd.occurredAt, ctx, '/occurredAt'),
      typeof sample.data.takenAt === 'string' ? notBefore(at, sample.data.takenAt, '/occurredAt', { 'zh-CN': '抽样时间', en: 'the sampling time' }) : undefined,
    );
    if (refused) return refused;
    const analyst = sample.data.analysedBy;
    if (typeof analyst === 'string' && analyst !== ctx.org) {
      return refuse(
        'conflict',
        'custody.not-analyst',
        `样品 ${sample.subject} 由 ${analyst} 检测，${ctx.org} 不能为它录入结果（复检请另取样品）`,
        `Sample ${sample.subject} is analysed by ${analyst}; ${ctx.org} cannot record results on it (a retest takes a new sample)`,
        { path: '/sampleId', details: { subject: sample.subject, analysedBy: analyst, org: ctx.org } },
      );
    }
    if (sample.data.sampledFrom !== cmd.sampledFrom) {
      return refuse(
        'conflict',
        'sample.origin-mismatch',
        `样品 ${cmd.sampleId} 抽自 ${String(sample.data.sampledFrom)}，不是 ${cmd.sampledFrom}：请核对样品标签`,
        `Sample ${cmd.sampleId} was drawn from ${String(sample.data.sampledFrom)}, not ${cmd.sampledFrom}: check the sample label`,
        { path: '/sampledFrom', details: { sampledFrom: sample.data.sampledFrom } },
      );
    }
    const sampled = ctx.objects.get(cmd.sampledFrom);
    const species = (sampled?.species.length ? sampled.species : sample.species) as Species[];
    if (species.length === 0) {
      refused = refuse(
        'rule',
        'lab.species-unknown',
        `不知道 ${cmd.sampledFrom} 的奶来自哪个畜种，无法确定适用的限量`,
        `The species of the milk in ${cmd.sampledFrom} is not known, so no limit can be chosen`,
        { path: '/sampledFrom' },
      );
      return refused;
    }
    const productType = (sampled?.data.productType ?? sample.data.productType) as ProductType | undefined;
    const judgement = judge(cmd, species, sample.data.matrix as Matrix, productType);
    if (isRefusal(judgement)) return judgement;
    const result: EventDraft = {
      kind: 'lab.result.recorded',
      kindVersion: 1,
      subject: sample.subject,
      occurredAt: at,
      data: {
        sampleId: cmd.sampleId,
        analyte: cmd.analyte,
        value: cmd.value,
        unit: cmd.unit,
        method: cmd.method,
        limit: judgement.limit,
        verdict: judgement.verdict,
        rule: judgement.rule,
        ...(cmd.certificateNo === undefined ? {} : { certificateNo: cmd.certificateNo }),
      },
      inputSubjects: [],
    };
    if (judgement.verdict === 'conformant') return [result];
    return [result, ...holdsFor(cmd, ctx, sample.subject, at, judgement)];
  },
});

/** lot.held for the sampled lot and every lot made from the sampled object that is not held already. */
function holdsFor(cmd: RecordResult, ctx: DecisionContext, sample: string, at: string, judgement: Judgement): EventDraft[] {
  const nodes = [...ctx.objects.values()].map((o) => ({ subject: o.subject, from: o.from }));
  const affected = [cmd.sampledFrom, ...descendants(nodes, cmd.sampledFrom)];
  const name = analyteName(cmd.analyte);
  const symbol = { lte: '≤', lt: '<', gte: '≥', gt: '>' }[judgement.limit.comparison];
  const detail =
    `样品 ${cmd.sampleId}（抽自 ${cmd.sampledFrom}）${name['zh-CN']} ${cmd.value} ${cmd.unit} 不合格（限量 ${symbol} ${judgement.limit.value} ${cmd.unit}，${judgement.rule.source}）。\n` +
    `Sample ${cmd.sampleId} (from ${cmd.sampledFrom}) failed ${name.en}: ${cmd.value} ${cmd.unit}, limit ${symbol} ${judgement.limit.value} ${cmd.unit} (${judgement.rule.id}, ${judgement.rule.source}).`;
  return affected.flatMap((subject) => {
    const lot = ctx.objects.get(subject);
    if (!lot || lot.type !== 'lot' || lot.status === 'held' || lot.status === 'rejected') return [];
    return [
      {
        kind: 'lot.held',
        kindVersion: 1,
        subject,
        occurredAt: at,
        data: { gtin: String(lot.data.gtin), lot: String(lot.data.lot), reason: 'non_conformant_result', detail },
        inputSubjects: [sample],
      },
    ];
  });
}

export const LAB_COMMANDS = [sampleTake, resultRecord] as const;
