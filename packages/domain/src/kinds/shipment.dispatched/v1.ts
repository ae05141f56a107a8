import { z } from 'zod';
import { gtin14, lot, lotList, orgId, place, sscc18, temperatureRange, text, units } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  sscc: sscc18,
  lots: lotList(z.strictObject({ gtin: gtin14, lot, quantity: units(1) })).min(1),
  from: place,
  to: place,
  carrier: orgId.optional(),
  /** The temperature the goods must be kept within on the way. */
  temperatureRange: temperatureRange.optional(),
  vehiclePlate: text(16).optional(),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'shipment.dispatched',
  version: 1,
  description: {
    'zh-CN': '一个物流单元（SSCC）发货：所含包装批及数量、发货方、收货方、承运方与温控要求。',
    en: 'A logistic unit (SSCC) is dispatched: the lots and quantities in it, from, to, carrier and required temperature range.',
  },
  roles: ['processor', 'workshop', 'logistics', 'retailer'],
  schema,
  fixture: {
    v: 1,
    kind: 'shipment.dispatched',
    kindVersion: 1,
    org: 'org_hohhot_dairy',
    subject: 'urn:milkchain:shipment:006901234000000018',
    prev: null,
    inputs: ['e05a382f8f8a8ab84e21b3f4fd7f2389df255a9989cd7ee120ff7061e868a734'],
    occurredAt: '2026-11-24T05:40:00+08:00',
    data: {
      sscc: '006901234000000018',
      lots: [
        { gtin: '06901234000016', lot: '261123P1B', quantity: 4800 },
        { gtin: '06901234000023', lot: '261120W2', quantity: 600 },
      ],
      from: { org: 'org_hohhot_dairy', gln: '6901234000016', name: '一厂成品冷库 Plant 1 cold store' },
      to: { org: 'org_qingcheng_mart', gln: '6901234000023', name: '青城超市新城店 Qingcheng Mart, Xincheng' },
      carrier: 'org_caoyuan_coldchain',
      temperatureRange: { minC: 2, maxC: 6 },
      vehiclePlate: '蒙A·L5521',
    },
  },
});
