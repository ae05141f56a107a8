import { z } from 'zod';
import { place, temperatureC, temperatureReading, text, timestamp, volumeL } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  vehicle: z.strictObject({
    plate: text(16),
    /** 生鲜乳准运证明 number. */
    permitNo: text(40),
  }),
  handoverSlipNo: text(40),
  volumeL,
  loadedAt: timestamp,
  loadingTemperatureC: temperatureC,
  destination: place,
  readings: z.array(temperatureReading).max(1000),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'milk.transported',
  version: 1,
  description: {
    'zh-CN': '收奶车装载生鲜乳并运往加工厂：车牌、准运证、装车时间与温度、途中温度。',
    en: 'A tanker loads raw milk and takes it to the processor: plate, transport permit, loading time and temperature, readings on the way.',
  },
  roles: ['collector', 'logistics'],
  schema,
  fixture: {
    v: 1,
    kind: 'milk.transported',
    kindVersion: 1,
    org: 'org_saihan_collect',
    subject: 'urn:milkchain:load:saihan-20261123-01',
    prev: null,
    inputs: [
      '144b7592e57a234f0c3f11d1bb50e0304615104f5a87a5a7994e71e4a24997f8',
      'adfea7a9f48bea265c86be305246cb1e671fac6dc3d363e4aef5abfb76bae4a8',
    ],
    occurredAt: '2026-11-23T07:05:00+08:00',
    data: {
      vehicle: { plate: '蒙A·D3217', permitNo: '蒙准运150105-0031' },
      handoverSlipNo: 'JJD-150102-20261123-017',
      volumeL: 3720,
      loadedAt: '2026-11-23T06:40:00+08:00',
      loadingTemperatureC: 3.8,
      destination: { org: 'org_hohhot_dairy', gln: '6901234000016', name: '呼和浩特乳品一厂 Hohhot Dairy Plant 1' },
      readings: [
        { at: '2026-11-23T06:45:00+08:00', temperatureC: 3.8 },
        { at: '2026-11-23T07:00:00+08:00', temperatureC: 3.9 },
      ],
    },
  },
});
