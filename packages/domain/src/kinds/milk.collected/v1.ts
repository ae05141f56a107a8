import { z } from 'zod';
import { code, comparing, earTag, isBefore, species, temperatureC, text, timestamp, volumeL } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  species,
  volumeL,
  tankTemperatureC: temperatureC,
  milkingWindow: z
    .strictObject({ start: timestamp, end: timestamp })
    .refine((w) => isBefore(w.start, w.end), {
      message: 'must be after milkingWindow.start',
      path: ['end'],
      ...comparing('start', 'end'),
    }),
  /** Animals whose milk was kept out of this collection, and why (withdrawal, colostrum ...). */
  animalsExcluded: z
    .array(
      z.strictObject({
        earTag,
        reason: z.enum(['withdrawal', 'colostrum', 'mastitis', 'sick', 'other']),
      }),
    )
    .max(1000)
    .superRefine((animals, ctx) => {
      const seen = new Set<string>();
      animals.forEach((a, i) => {
        if (seen.has(a.earTag)) ctx.addIssue({ code: 'custom', path: [i, 'earTag'], message: 'must not be listed twice' });
        seen.add(a.earTag);
      });
    }),
  /** 生鲜乳交接单 number. */
  handoverSlipNo: text(40),
  tankId: code(40).optional(),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'milk.collected',
  version: 1,
  description: {
    'zh-CN': '一次挤奶收集：畜种、奶量（升）、奶罐温度、挤奶时段、被剔除的牲畜及交接单号。',
    en: 'One milk collection: species, volume (L), tank temperature, milking window, animals excluded and the handover slip number.',
  },
  roles: ['farm', 'collector'],
  schema,
  fixture: {
    v: 1,
    kind: 'milk.collected',
    kindVersion: 1,
    org: 'org_xilin_pasture',
    subject: 'urn:milkchain:collection:xl-20261123-am',
    prev: null,
    inputs: [],
    occurredAt: '2026-11-23T06:10:00+08:00',
    data: {
      species: 'cow',
      volumeL: 1860.5,
      tankTemperatureC: 3.6,
      milkingWindow: { start: '2026-11-23T04:30:00+08:00', end: '2026-11-23T06:00:00+08:00' },
      animalsExcluded: [{ earTag: '215010200012345', reason: 'withdrawal' }],
      handoverSlipNo: 'JJD-150102-20261123-017',
      tankId: 'T2',
    },
  },
});
