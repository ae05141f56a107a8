import { z } from 'zod';
import { code, temperatureC, text, urn } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  sampleId: code(64),
  /** The object sampled (also linked through the event's inputs). */
  sampledFrom: urn,
  matrix: z.enum(['raw_milk', 'in_process', 'finished_product', 'environmental_swab', 'water']),
  purpose: z.enum(['intake', 'release', 'self_check', 'supervision', 'third_party']),
  quantity: z.strictObject({ value: z.number().gt(0).max(10_000), unit: z.enum(['mL', 'g']) }),
  temperatureC,
  sealNo: text(40).optional(),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'sample.taken',
  version: 1,
  description: {
    'zh-CN': '从生鲜乳、在制品或成品中抽取样品（用途：进厂检验、放行检验、自检、监督抽检）。',
    en: 'A sample is drawn from raw milk, product in process or finished product (for intake, release, self-check or supervision testing).',
  },
  roles: ['lab', 'processor', 'workshop', 'regulator'],
  schema,
  fixture: {
    v: 1,
    kind: 'sample.taken',
    kindVersion: 1,
    org: 'org_nmg_dairy_lab',
    subject: 'urn:milkchain:sample:S-20261123-0412',
    prev: null,
    inputs: ['17e0635c5506643df4b0b5727e749b0b5448136873c50656794cc5e376e82ea1'],
    occurredAt: '2026-11-23T08:35:00+08:00',
    data: {
      sampleId: 'S-20261123-0412',
      sampledFrom: 'urn:milkchain:load:saihan-20261123-01',
      matrix: 'raw_milk',
      purpose: 'intake',
      quantity: { value: 250, unit: 'mL' },
      temperatureC: 4.1,
      sealNo: 'F-0058213',
    },
  },
});
