import { z } from 'zod';
import { code, comparing, temperatureC, text, volumeL } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z
  .strictObject({
    handoverSlipNo: text(40),
    /** Volume measured on arrival. */
    volumeL,
    temperatureC,
    sealIntact: z.boolean(),
    decision: z.enum(['accepted', 'rejected']),
    remarks: text(500).optional(),
    silo: code(40).optional(),
  })
  .refine((d) => d.decision !== 'rejected' || d.remarks !== undefined, {
    message: 'is required when decision is "rejected" (say why the load was refused)',
    path: ['remarks'],
    ...comparing('decision', 'remarks'),
  });
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'milk.received',
  version: 1,
  description: {
    'zh-CN': '加工厂接收一车生鲜乳：到厂奶量、温度、铅封是否完好、接收或拒收。',
    en: 'The processor receives a load of raw milk: volume on arrival, temperature, whether the seal was intact, accepted or rejected.',
  },
  roles: ['processor', 'workshop'],
  schema,
  fixture: {
    v: 1,
    kind: 'milk.received',
    kindVersion: 1,
    org: 'org_hohhot_dairy',
    subject: 'urn:milkchain:load:saihan-20261123-01',
    prev: '439c41668531223e5caf6aed525a13d7184a64e28e584cfcfb3c277b43a621a2',
    inputs: [],
    occurredAt: '2026-11-23T08:20:00+08:00',
    data: {
      handoverSlipNo: 'JJD-150102-20261123-017',
      volumeL: 3712,
      temperatureC: 4.4,
      sealIntact: true,
      decision: 'accepted',
      remarks: '铅封完好 seal F-0058213 intact',
      silo: 'SILO-03',
    },
  },
});
