import { z } from 'zod';
import { code, gtin14, longText, lot, lotList, urn } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  recallId: code(64),
  /** 食品召回管理办法: level I (serious health hazard) to III (least serious). */
  level: z.enum(['I', 'II', 'III']),
  cause: z.enum([
    'microbiological',
    'chemical_residue',
    'veterinary_drug',
    'foreign_matter',
    'allergen',
    'labelling',
    'quality',
    'counterfeit',
    'other',
  ]),
  description: longText(2000),
  /** Where the trace started: a collection, a lab result, a batch ... */
  root: urn,
  /** The lots the trace found: exactly those made from the root. */
  lots: lotList(z.strictObject({ gtin: gtin14, lot })).min(1),
  action: z.enum(['stop_sale_and_return', 'destroy', 'relabel', 'other']),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'recall.initiated',
  version: 1,
  description: {
    'zh-CN': '启动召回：召回级别、原因、追溯起点及受影响的包装批。',
    en: 'A recall starts: level, cause, the root it was traced from and the lots it takes.',
  },
  roles: ['regulator', 'processor', 'workshop'],
  schema,
  fixture: {
    v: 1,
    kind: 'recall.initiated',
    kindVersion: 1,
    org: 'org_hohhot_samr',
    subject: 'urn:milkchain:recall:RC-2026-0007',
    prev: null,
    inputs: ['8f69ec04b442eeb68323a454329693d6228021f2a4956082daf8be61f45167ad'],
    occurredAt: '2026-11-25T11:00:00+08:00',
    data: {
      recallId: 'RC-2026-0007',
      level: 'I',
      cause: 'microbiological',
      description: '沙门氏菌检出，召回同一批次全部产品。\nSalmonella found in release testing; all lots of batch HD-P1-20261123-02 are recalled.',
      root: 'urn:milkchain:batch:HD-P1-20261123-02',
      lots: [{ gtin: '06901234000016', lot: '261123P1B' }],
      action: 'stop_sale_and_return',
    },
  },
});
