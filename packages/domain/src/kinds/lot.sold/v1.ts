import { z } from 'zod';
import { date, gtin14, lot, place, units } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  gtin: gtin14,
  lot,
  units: units(1),
  /** Sales are reported per lot and day, not per receipt (no personal data). */
  day: date,
  store: place,
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'lot.sold',
  version: 1,
  description: {
    'zh-CN': '零售门店某日售出某包装批的件数。',
    en: 'A store sold units of a lot on a given day.',
  },
  roles: ['retailer', 'workshop'],
  schema,
  fixture: {
    v: 1,
    kind: 'lot.sold',
    kindVersion: 1,
    org: 'org_qingcheng_mart',
    subject: 'urn:milkchain:lot:06901234000016:261123P1B',
    prev: 'b330e007b4c1e8efa36300bf34c82daf054f7b6b9ac566709fdc1004848d2644',
    inputs: [],
    occurredAt: '2026-11-24T22:00:00+08:00',
    data: {
      gtin: '06901234000016',
      lot: '261123P1B',
      units: 312,
      day: '2026-11-24',
      store: { org: 'org_qingcheng_mart', gln: '6901234000023', name: '青城超市新城店 Qingcheng Mart, Xincheng' },
    },
  },
});
