import { z } from 'zod';
import { code, comparing, date, earTag, gln13, species, text } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z
  .strictObject({
    earTag,
    species,
    breed: text(60),
    sex: z.enum(['female', 'male']),
    birthDate: date,
    /** The farm's own herd or pen code. */
    herd: code(64),
    origin: z.enum(['born_on_farm', 'purchased', 'imported']),
    /** Where the animal is kept, when the farm has a GLN. */
    premisesGln: gln13.optional(),
    damEarTag: earTag.optional(),
  })
  .refine((d) => d.damEarTag !== d.earTag, {
    message: "must not be the animal's own earTag",
    path: ['damEarTag'],
    ...comparing('earTag', 'damEarTag'),
  });
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'animal.registered',
  version: 1,
  description: {
    'zh-CN': '牧场登记一头产奶牲畜（耳标、畜种、品种、出生日期），使其奶源可追溯。',
    en: 'A farm registers a dairy animal (ear tag, species, breed, birth date) so that its milk can be traced.',
  },
  roles: ['farm'],
  schema,
  fixture: {
    v: 1,
    kind: 'animal.registered',
    kindVersion: 1,
    org: 'org_xilin_pasture',
    subject: 'urn:milkchain:animal:215010200012345',
    prev: null,
    inputs: [],
    occurredAt: '2026-03-02T09:30:00+08:00',
    data: {
      earTag: '215010200012345',
      species: 'cow',
      breed: '西门塔尔牛 Simmental (dual-purpose)',
      sex: 'female',
      birthDate: '2024-02-14',
      herd: 'XL-H03',
      origin: 'born_on_farm',
      premisesGln: '6901234000047',
      damEarTag: '215010200009876',
    },
  },
});
