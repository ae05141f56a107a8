import { z } from 'zod';
import { gtin14, longText, lot } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  gtin: gtin14,
  lot,
  reason: z.enum(['results_conformant', 'investigation_closed', 'regulator_clearance', 'other']),
  detail: longText(1000).optional(),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'lot.released',
  version: 1,
  description: {
    'zh-CN': '解除对一个包装批的暂扣，允许发货与销售。',
    en: 'A hold on a lot is lifted: it may ship and sell again.',
  },
  roles: ['processor', 'workshop', 'lab', 'regulator'],
  schema,
  fixture: {
    v: 1,
    kind: 'lot.released',
    kindVersion: 1,
    org: 'org_hohhot_dairy',
    subject: 'urn:milkchain:lot:06901234000023:261120W2',
    prev: 'adfea7a9f48bea265c86be305246cb1e671fac6dc3d363e4aef5abfb76bae4a8',
    inputs: ['439c41668531223e5caf6aed525a13d7184a64e28e584cfcfb3c277b43a621a2'],
    occurredAt: '2026-11-22T16:00:00+08:00',
    data: {
      gtin: '06901234000023',
      lot: '261120W2',
      reason: 'results_conformant',
      detail: 'Release tests complete: all 20 analytes conformant (certificate NMGL-2026-118102).',
    },
  },
});
