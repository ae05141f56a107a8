import { z } from 'zod';
import { code, comparing, text } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

const measured = z.number().min(-1_000_000).max(1e12);
const unit = text(20);

type Comparison = 'lte' | 'lt' | 'gte' | 'gt';
const MEETS: Record<Comparison, (value: number, limit: number) => boolean> = {
  lte: (v, l) => v <= l,
  lt: (v, l) => v < l,
  gte: (v, l) => v >= l,
  gt: (v, l) => v > l,
};
const SYMBOL: Record<Comparison, string> = { lte: '≤', lt: '<', gte: '≥', gt: '>' };

export const schema = z
  .strictObject({
    sampleId: code(64),
    /** Analyte code as the rule pack names it, e.g. protein, aflatoxin_m1, beta_lactams. */
    analyte: code(80),
    value: measured,
    unit,
    method: text(120),
    limit: z.strictObject({ comparison: z.enum(['lte', 'lt', 'gte', 'gt']), value: measured, unit }),
    /** Decided by the rule pack, not by the lab's free choice; recorded so readers need not re-run it. */
    verdict: z.enum(['conformant', 'non_conformant']),
    rule: z.strictObject({
      /** Rule pack and its version, e.g. gb-raw-milk:2026.1. */
      pack: code(64),
      id: code(64),
      /** The standard the limit comes from, e.g. GB 19301-2010. */
      source: text(120),
    }),
    certificateNo: text(60).optional(),
  })
  .refine((d) => d.limit.unit === d.unit, { message: 'must equal unit', path: ['limit', 'unit'], ...comparing('unit', 'limit') })
  // The verdict follows from value and limit. One that contradicts them is what a false test
  // report looks like, so it is refused rather than recorded. (Skipped when the units differ:
  // that is reported above, and the comparison would mean nothing.)
  .superRefine(
    (d, ctx) => {
      const meets = MEETS[d.limit.comparison](d.value, d.limit.value);
      const expected = meets ? 'conformant' : 'non_conformant';
      if (d.verdict === expected) return;
      ctx.addIssue({
        code: 'custom',
        path: ['verdict'],
        message: `must be "${expected}": ${d.value} ${d.unit} is ${meets ? '' : 'not '}${SYMBOL[d.limit.comparison]} the limit ${d.limit.value} ${d.limit.unit}`,
      });
    },
    comparing('value', 'unit', 'limit', 'verdict'),
  );
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'lab.result.recorded',
  version: 1,
  description: {
    'zh-CN': '检验机构记录一项检测结果：检测项目、结果值与单位、方法、限量、判定及依据的规则与标准。',
    en: 'A lab records one result: analyte, value and unit, method, limit, verdict and the rule and standard it was judged by.',
  },
  roles: ['lab'],
  schema,
  fixture: {
    v: 1,
    kind: 'lab.result.recorded',
    kindVersion: 1,
    org: 'org_nmg_dairy_lab',
    subject: 'urn:milkchain:sample:S-20261123-0412',
    prev: 'e05a382f8f8a8ab84e21b3f4fd7f2389df255a9989cd7ee120ff7061e868a734',
    inputs: [],
    occurredAt: '2026-11-23T10:42:00+08:00',
    data: {
      sampleId: 'S-20261123-0412',
      analyte: 'protein',
      value: 3.21,
      unit: 'g/100g',
      method: 'GB 5009.5-2016 凯氏定氮法 Kjeldahl',
      limit: { comparison: 'gte', value: 2.8, unit: 'g/100g' },
      verdict: 'conformant',
      rule: { pack: 'gb-raw-milk:2026.1', id: 'raw-milk.protein.min', source: 'GB 19301-2010' },
      certificateNo: 'NMGL-2026-118734',
    },
  },
});
