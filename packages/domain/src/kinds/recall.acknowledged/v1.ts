import { z } from 'zod';
import { code, gtin14, longText, lot, lotList, units } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  recallId: code(64),
  /** The recalled units this holder has taken off sale (zero when it holds none any more). */
  lotsHeld: lotList(z.strictObject({ gtin: gtin14, lot, units: units(0) })),
  note: longText(1000).optional(),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'recall.acknowledged',
  version: 1,
  description: {
    'zh-CN': '持有召回产品的企业确认收到召回通知，并报告已下架封存的数量。',
    en: 'A holder of recalled product acknowledges the recall and reports how many units it has taken off sale.',
  },
  roles: ['processor', 'workshop', 'logistics', 'retailer'],
  schema,
  fixture: {
    v: 1,
    kind: 'recall.acknowledged',
    kindVersion: 1,
    org: 'org_qingcheng_mart',
    subject: 'urn:milkchain:recall:RC-2026-0007',
    prev: '600643f8245c2e875ba4f51757441c71002b4c550e4de6c40c67747a3f34eaff',
    inputs: [],
    occurredAt: '2026-11-25T13:20:00+08:00',
    data: {
      recallId: 'RC-2026-0007',
      lotsHeld: [{ gtin: '06901234000016', lot: '261123P1B', units: 4488 }],
      note: '已全部下架封存 all units off the shelves and sealed',
    },
  },
});
