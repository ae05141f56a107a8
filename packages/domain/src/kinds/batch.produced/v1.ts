import { z } from 'zod';
import { code, quantity, temperatureC, text, urn } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

const holdSeconds = z.number().min(0).max(604_800);
const note = text(200).optional();

/**
 * A heat treatment is recorded with its holding temperature and time (e.g. 75 °C for 15 s;
 * UHT 137 °C for 4 s): they are what makes the milk safe, and what an inspector asks for.
 */
const heatTreatment = z.strictObject({
  operation: z.enum(['pasteurisation', 'uht']),
  temperatureC,
  holdSeconds: z.number().gt(0).max(604_800),
  note,
});

const otherStep = z.strictObject({
  operation: z.enum([
    'standardisation',
    'homogenisation',
    'fermentation',
    'coagulation',
    'concentration',
    'drying',
    'cooling',
    'other',
  ]),
  temperatureC: temperatureC.optional(),
  holdSeconds: holdSeconds.optional(),
  note,
});

export const schema = z.strictObject({
  batchId: code(64),
  productType: z.enum([
    'pasteurised_milk',
    'uht_milk',
    'yoghurt',
    'fermented_milk',
    'milk_powder',
    'cheese',
    'butter',
    'cream',
    'milk_tofu', // 奶豆腐
    'milk_skin', // 奶皮子
    'fermented_mare_milk', // 酸马奶
    'other',
  ]),
  productName: text(120),
  /** What went in and how much of each: the basis of mass-balance checks. */
  inputs: z
    .array(z.strictObject({ subject: urn, quantity }))
    .min(1)
    .max(1000)
    .superRefine((inputs, ctx) => {
      const seen = new Set<string>();
      inputs.forEach((input, i) => {
        if (seen.has(input.subject)) ctx.addIssue({ code: 'custom', path: [i, 'subject'], message: 'must not be listed twice' });
        seen.add(input.subject);
      });
    }),
  output: quantity,
  /** Process steps in order, e.g. pasteurisation at 75 °C for 15 s, or UHT at 137 °C for 4 s. */
  process: z.array(z.discriminatedUnion('operation', [heatTreatment, otherStep])).min(1).max(50),
  line: code(40).optional(),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'batch.produced',
  version: 1,
  description: {
    'zh-CN': '加工厂或加工坊用投入的原料（及其数量）生产一个批次：产品类型、工艺（如 75 °C 15 秒巴氏杀菌）、产出量。',
    en: 'A processor or workshop makes a batch from its inputs (with quantities): product type, process (e.g. 75 °C for 15 s) and output.',
  },
  roles: ['processor', 'workshop'],
  schema,
  fixture: {
    v: 1,
    kind: 'batch.produced',
    kindVersion: 1,
    org: 'org_hohhot_dairy',
    subject: 'urn:milkchain:batch:HD-P1-20261123-02',
    prev: null,
    inputs: ['b330e007b4c1e8efa36300bf34c82daf054f7b6b9ac566709fdc1004848d2644'],
    occurredAt: '2026-11-23T13:30:00+08:00',
    data: {
      batchId: 'HD-P1-20261123-02',
      productType: 'pasteurised_milk',
      productName: '鲜牛奶 Fresh pasteurised milk',
      inputs: [{ subject: 'urn:milkchain:load:saihan-20261123-01', quantity: { value: 3700, unit: 'L' } }],
      output: { value: 3650, unit: 'L' },
      process: [
        { operation: 'standardisation' },
        { operation: 'homogenisation', temperatureC: 65 },
        { operation: 'pasteurisation', temperatureC: 75, holdSeconds: 15 },
        { operation: 'cooling', temperatureC: 4, note: 'plate cooler to 4 °C' },
      ],
      line: 'P1',
    },
  },
});
