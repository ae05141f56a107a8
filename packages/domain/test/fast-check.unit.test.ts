import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { envelopeSchema } from '../src/envelope.ts';
import { accepts } from '../src/fast-check.ts';
import { kindInfo, knownKinds, validateEvent } from '../src/index.ts';
import { invalidDataVariants, withoutOptionalFields } from './variants.ts';

/**
 * The fast acceptance check must never accept what zod refuses. Over every kind's fixture, every
 * generated invalid variant and the envelope's edge cases, it gives zod's answer exactly (it may
 * only ever be stricter, and here it is not even that).
 */
function agree(schema: z.ZodType, value: unknown, what: string) {
  const zod = schema.safeParse(value).success;
  expect(accepts(schema)(value), what).toBe(zod);
  return zod;
}

describe('fast acceptance check', () => {
  for (const { kind, version } of knownKinds()) {
    it(`gives zod's answer for ${kind}@${version}: fixture, optional fields left out, every invalid variant`, () => {
      const info = kindInfo(kind, version)!;
      expect(agree(info.schema, info.fixture.data, 'fixture')).toBe(true);
      expect(agree(envelopeSchema, info.fixture, 'fixture envelope')).toBe(true);
      for (const v of withoutOptionalFields(info.schema, info.fixture)) {
        agree(info.schema, (v.event as { data: unknown }).data, v.name);
        expect(validateEvent(v.event).ok, v.name).toBe(true);
      }
      const variants = invalidDataVariants(info.schema, info.fixture);
      expect(variants.length).toBeGreaterThan(0);
      for (const v of variants) {
        expect(agree(info.schema, (v.event as { data: unknown }).data, v.name), v.name).toBe(false);
        agree(envelopeSchema, v.event, `${v.name} (envelope)`);
        const result = validateEvent(v.event);
        expect(result.ok, v.name).toBe(false);
        if (!result.ok) expect(result.problems.map((p) => p.path), v.name).toContain(v.path);
      }
    });
  }

  it('accepts no envelope edge case that zod refuses (objects with another prototype go to zod)', () => {
    const base = kindInfo('milk.collected', 1)!.fixture;
    const cases: Array<[string, unknown]> = [
      ['the fixture', base],
      ['a plain copy (as JSON.parse makes it)', JSON.parse(JSON.stringify(base))],
      ['extra field', { ...base, extra: 1 }],
      ['__proto__ member', JSON.parse(JSON.stringify(base).replace('{', '{"__proto__":{},'))],
      ['missing prev', Object.fromEntries(Object.entries(base).filter(([k]) => k !== 'prev'))],
      ['prev undefined', { ...base, prev: undefined }],
      ['kindVersion 1.5', { ...base, kindVersion: 1.5 }],
      ['kindVersion NaN', { ...base, kindVersion: Number.NaN }],
      ['kindVersion Infinity', { ...base, kindVersion: Number.POSITIVE_INFINITY }],
      ['kindVersion 2^53', { ...base, kindVersion: 2 ** 53 }],
      ['v "1"', { ...base, v: '1' }],
      ['repeated inputs', { ...base, inputs: ['a'.repeat(64), 'a'.repeat(64)] }],
      ['sparse inputs', { ...base, inputs: new Array(2) }],
      ['uppercase prev', { ...base, prev: 'A'.repeat(64) }],
      ['class instance', Object.assign(Object.create({ inherited: 1 }) as object, base)],
      ['null prototype', Object.assign(Object.create(null) as object, base)],
      ['data array', { ...base, data: [] }],
      ['data null prototype', { ...base, data: Object.assign(Object.create(null) as object, base.data) }],
      ['occurredAt without offset', { ...base, occurredAt: '2026-11-23T06:10:00' }],
      ['occurredAt 24:00', { ...base, occurredAt: '2026-11-23T24:00:00Z' }],
      ['kind with capital', { ...base, kind: 'Milk.collected' }],
      ['subject too long', { ...base, subject: `urn:milkchain:collection:${'a'.repeat(290)}` }],
      ['array', [base]],
      ['null', null],
    ];
    let accepted = 0;
    for (const [name, value] of cases) {
      const zod = envelopeSchema.safeParse(value).success;
      if (accepts(envelopeSchema)(value)) {
        accepted++;
        expect(zod, name).toBe(true);
      }
      const data = (value as { data?: unknown } | null)?.data;
      expect(validateEvent(value).ok, name).toBe(zod && kindInfo('milk.collected', 1)!.schema.safeParse(data).success);
    }
    expect(accepted).toBeGreaterThan(0);
  });
});
