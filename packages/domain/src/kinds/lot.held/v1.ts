import { z } from 'zod';
import { gtin14, longText, lot } from '../../fields.ts';
import { defineKind } from '../../kind.ts';

export const schema = z.strictObject({
  gtin: gtin14,
  lot,
  reason: z.enum([
    'pending_results',
    'non_conformant_result',
    'temperature_excursion',
    'complaint',
    'regulator_order',
    'recall',
    'other',
  ]),
  detail: longText(1000).optional(),
  unitsAffected: z.int().min(1).max(10_000_000).optional(),
});
export type Data = z.infer<typeof schema>;

export const definition = defineKind({
  kind: 'lot.held',
  version: 1,
  description: {
    'zh-CN': '暂扣一个包装批，停止发货与销售（如检测不合格、待检、冷链超温、监管指令）。',
    en: 'A lot is put on hold: it may not ship or sell (non-conformant or pending results, a cold-chain excursion, a regulator order ...).',
  },
  roles: ['processor', 'workshop', 'lab', 'regulator'],
  schema,
  fixture: {
    v: 1,
    kind: 'lot.held',
    kindVersion: 1,
    org: 'org_hohhot_dairy',
    subject: 'urn:milkchain:lot:06901234000016:261123P1B',
    prev: '600643f8245c2e875ba4f51757441c71002b4c550e4de6c40c67747a3f34eaff',
    inputs: ['144b7592e57a234f0c3f11d1bb50e0304615104f5a87a5a7994e71e4a24997f8'],
    occurredAt: '2026-11-25T09:05:00+08:00',
    data: {
      gtin: '06901234000016',
      lot: '261123P1B',
      reason: 'non_conformant_result',
      detail: 'Salmonella detected in 1 of 5 units (GB 29921: n=5, c=0, m=0/25 mL).',
      unitsAffected: 14200,
    },
  },
});
