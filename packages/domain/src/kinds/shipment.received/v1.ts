import { z } from 'zod';
import { gtin14, lot, lotList, place, sscc18, temperatureC, text, units } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  sscc: sscc18,
  /** What actually arrived, which may differ from what was dispatched. */
  lots: lotList(z.strictObject({ gtin: gtin14, lot, quantity: units(0) })).min(1),
  at: place,
  condition: z.enum(['intact', 'damaged', 'temperature_breach', 'partial']),
  temperatureC: temperatureC.optional(),
  remarks: text(500).optional(),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'shipment.received',
  version: 1,
  description: {
    'zh-CN': '收货方接收一个物流单元（SSCC）：实收包装批及数量、收货地点、货物状况与到货温度。',
    en: 'A logistic unit (SSCC) is received: the lots and quantities that arrived, where, their condition and temperature.',
  },
  roles: ['processor', 'workshop', 'logistics', 'retailer'],
  schema,
  fixture: {
    v: 1,
    kind: 'shipment.received',
    kindVersion: 1,
    org: 'org_qingcheng_mart',
    subject: 'urn:milkchain:shipment:006901234000000018',
    prev: '17e0635c5506643df4b0b5727e749b0b5448136873c50656794cc5e376e82ea1',
    inputs: [],
    occurredAt: '2026-11-24T08:15:00+08:00',
    data: {
      sscc: '006901234000000018',
      lots: [
        { gtin: '06901234000016', lot: '261123P1B', quantity: 4800 },
        { gtin: '06901234000023', lot: '261120W2', quantity: 600 },
      ],
      at: { org: 'org_qingcheng_mart', gln: '6901234000023' },
      condition: 'intact',
      temperatureC: 4.2,
      remarks: '到货验收合格 checked on arrival',
    },
  },
});
