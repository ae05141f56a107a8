import { z } from 'zod';
import { code, comparing, isBefore, sscc18, temperatureC, temperatureRange, temperatureReading, timestamp } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z
  .strictObject({
    sscc: sscc18,
    sensor: code(64),
    /** The range the readings are judged against. */
    range: temperatureRange,
    readings: z.array(temperatureReading).min(1).max(1000),
    /** Periods outside the range, with the worst temperature in each. */
    excursions: z
      .array(
        z
          .strictObject({ start: timestamp, end: timestamp, peakC: temperatureC })
          .refine((e) => isBefore(e.start, e.end), { message: 'must be after start', path: ['end'], ...comparing('start', 'end') }),
      )
      .max(1000),
  })
  // A cold-chain report must not hide what it measured: every excursion lies outside the range,
  // and every reading outside the range falls within a declared excursion.
  .superRefine(
    (d, ctx) => {
      const { minC, maxC } = d.range;
      const outside = (c: number) => c < minC || c > maxC;
      const range = `the range ${minC} to ${maxC} °C`;
      d.excursions.forEach((e, i) => {
        if (!outside(e.peakC)) {
          ctx.addIssue({ code: 'custom', path: ['excursions', i, 'peakC'], message: `must be outside ${range}` });
        }
      });
      const covered = (at: number) => d.excursions.some((e) => Date.parse(e.start) <= at && at <= Date.parse(e.end));
      d.readings.forEach((r, i) => {
        if (outside(r.temperatureC) && !covered(Date.parse(r.at))) {
          ctx.addIssue({
            code: 'custom',
            path: ['readings', i, 'temperatureC'],
            message: `is outside ${range} at ${r.at}, but no excursion covers that time: list it in excursions`,
          });
        }
      });
    },
    comparing('range', 'readings', 'excursions'),
  );
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'shipment.temperature.reported',
  version: 1,
  description: {
    'zh-CN': '冷链温度记录：一个物流单元在途的温度读数及超出温控范围的时段。',
    en: 'Cold-chain readings for a logistic unit on the way, and the periods outside its temperature range.',
  },
  roles: ['logistics'],
  schema,
  fixture: {
    v: 1,
    kind: 'shipment.temperature.reported',
    kindVersion: 1,
    org: 'org_caoyuan_coldchain',
    subject: 'urn:milkchain:shipment:006901234000000018',
    prev: '144b7592e57a234f0c3f11d1bb50e0304615104f5a87a5a7994e71e4a24997f8',
    inputs: [],
    occurredAt: '2026-11-24T08:00:00+08:00',
    data: {
      sscc: '006901234000000018',
      sensor: 'TL-88-004217',
      range: { minC: 2, maxC: 6 },
      readings: [
        { at: '2026-11-24T06:00:00+08:00', temperatureC: 3.9 },
        { at: '2026-11-24T06:30:00+08:00', temperatureC: 6.8 },
        { at: '2026-11-24T07:00:00+08:00', temperatureC: 4.6 },
      ],
      excursions: [{ start: '2026-11-24T06:20:00+08:00', end: '2026-11-24T06:45:00+08:00', peakC: 6.8 }],
    },
  },
});
