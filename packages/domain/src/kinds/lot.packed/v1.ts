import { z } from 'zod';
import { comparing, date, gtin14, lot, text } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z
  .strictObject({
    gtin: gtin14,
    lot,
    units: z.int().min(1).max(10_000_000),
    /** Net content of one unit, e.g. 250 mL: a volume or a mass (a count would say nothing). */
    unitSize: z.strictObject({ value: z.number().gt(0).max(1_000_000), unit: z.enum(['mL', 'L', 'g', 'kg']) }),
    productionDate: date,
    bestBefore: date,
    storage: text(60).optional(),
  })
  .refine((d) => d.bestBefore >= d.productionDate, {
    message: 'must not be before productionDate',
    path: ['bestBefore'],
    ...comparing('productionDate', 'bestBefore'),
  });
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'lot.packed',
  version: 1,
  description: {
    'zh-CN': '将批次灌装为一个包装批：GTIN、批号、件数、生产日期、保质期至。',
    en: 'A batch is packed into a lot: GTIN, lot number, units, production date and best-before date.',
  },
  roles: ['processor', 'workshop'],
  schema,
  fixture: {
    v: 1,
    kind: 'lot.packed',
    kindVersion: 1,
    org: 'org_hohhot_dairy',
    subject: 'urn:milkchain:lot:06901234000016:261123P1B',
    prev: null,
    inputs: ['8f69ec04b442eeb68323a454329693d6228021f2a4956082daf8be61f45167ad'],
    occurredAt: '2026-11-23T15:10:00+08:00',
    data: {
      gtin: '06901234000016',
      lot: '261123P1B',
      units: 14200,
      unitSize: { value: 250, unit: 'mL' },
      productionDate: '2026-11-23',
      bestBefore: '2026-11-30',
      storage: '2–6 °C 冷藏',
    },
  },
});
