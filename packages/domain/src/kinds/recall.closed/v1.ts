import { z } from 'zod';
import { code, longText } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

const count = z.int().min(0).max(1_000_000_000);

export const schema = z.strictObject({
  recallId: code(64),
  outcome: z.enum(['completed', 'terminated']),
  unitsRecovered: count,
  unitsDestroyed: count,
  summary: longText(2000),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'recall.closed',
  version: 1,
  description: {
    'zh-CN': '召回结束：结果、召回与销毁数量及总结。',
    en: 'A recall is closed: outcome, units recovered and destroyed, and a summary.',
  },
  roles: ['regulator', 'processor', 'workshop'],
  schema,
  fixture: {
    v: 1,
    kind: 'recall.closed',
    kindVersion: 1,
    org: 'org_hohhot_samr',
    subject: 'urn:milkchain:recall:RC-2026-0007',
    prev: '144b7592e57a234f0c3f11d1bb50e0304615104f5a87a5a7994e71e4a24997f8',
    inputs: [],
    occurredAt: '2026-12-02T17:00:00+08:00',
    data: {
      recallId: 'RC-2026-0007',
      outcome: 'completed',
      unitsRecovered: 13810,
      unitsDestroyed: 13810,
      summary: '召回完成，回收产品已无害化处理。\nRecall complete; 390 units were consumed before the recall, 13810 recovered and destroyed.',
    },
  },
});
