import { z } from 'zod';
import { comparing, earTag, isBefore, text, timestamp } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z
  .strictObject({
    earTag,
    drug: z.strictObject({
      name: text(120),
      activeSubstance: text(120),
      /** 兽药批准文号, the veterinary drug approval number on the pack. */
      approvalNo: text(60).optional(),
    }),
    dose: z.strictObject({
      value: z.number().gt(0).max(100_000),
      unit: z.enum(['mL', 'mg', 'g', 'IU', 'tablet', 'tube']),
    }),
    route: z.enum(['intramuscular', 'intravenous', 'subcutaneous', 'oral', 'intramammary', 'intrauterine', 'topical']),
    diagnosis: text(200),
    administeredAt: timestamp,
    /** Milk from this animal is not raw milk until then (GB 19301-2010). */
    milkWithdrawalUntil: timestamp,
    meatWithdrawalUntil: timestamp.optional(),
  })
  .refine((d) => !isBefore(d.milkWithdrawalUntil, d.administeredAt), {
    message: 'must not be before administeredAt',
    path: ['milkWithdrawalUntil'],
    ...comparing('administeredAt', 'milkWithdrawalUntil'),
  })
  .refine((d) => d.meatWithdrawalUntil === undefined || !isBefore(d.meatWithdrawalUntil, d.administeredAt), {
    message: 'must not be before administeredAt',
    path: ['meatWithdrawalUntil'],
    ...comparing('administeredAt', 'meatWithdrawalUntil'),
  });
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'animal.treated',
  version: 1,
  description: {
    'zh-CN': '牧场记录对牲畜的用药（药品、剂量、途径）及休药期截止时间，休药期内的奶不得作为生乳交售。',
    en: 'A farm records a treatment (drug, dose, route) and when its withdrawal period ends; milk from the animal before then is not raw milk.',
  },
  roles: ['farm'],
  schema,
  fixture: {
    v: 1,
    kind: 'animal.treated',
    kindVersion: 1,
    org: 'org_xilin_pasture',
    subject: 'urn:milkchain:animal:215010200012345',
    prev: '600643f8245c2e875ba4f51757441c71002b4c550e4de6c40c67747a3f34eaff',
    inputs: [],
    occurredAt: '2026-11-20T07:10:00+08:00',
    data: {
      earTag: '215010200012345',
      drug: {
        name: '氯唑西林钠乳房注入剂 Cloxacillin intramammary',
        activeSubstance: 'cloxacillin',
        approvalNo: '兽药字(2021)150012345',
      },
      dose: { value: 1, unit: 'tube' },
      route: 'intramammary',
      diagnosis: 'clinical mastitis, left hind quarter',
      administeredAt: '2026-11-20T07:00:00+08:00',
      milkWithdrawalUntil: '2026-11-24T07:00:00+08:00',
      meatWithdrawalUntil: '2026-11-30T07:00:00+08:00',
    },
  },
});
