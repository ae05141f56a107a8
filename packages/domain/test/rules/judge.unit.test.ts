/**
 * Judging lab results by the rule packs, Given/When/Then. The limits below are written out from
 * DOMAIN.md's tables, not read from the packs, so a wrong number in a pack fails here.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PACKS,
  findRule,
  findRules,
  isRefusal,
  judgeResult,
  RULE_PACKS,
  validateEvent,
  type Judgement,
  type Matrix,
  type ProductType,
  type Refusal,
  type Species,
} from '../../src/index.ts';
import { fixtureEvent } from '../../src/testing/index.ts';

type Case = {
  id: string;
  source: string;
  pack: string;
  analyte: string;
  unit: string;
  given: { species: Species; matrix: Matrix; productType?: ProductType; infantFormula?: boolean; packs?: 'all' };
  /** [value, verdict] at the limit, just past it and just inside it. */
  values: Array<[number, 'conformant' | 'non_conformant']>;
};

const GB_19301 = 'GB 19301-2010';
const NOTICE = '卫生部等5部门公告2011年第10号 (2011 notice No. 10)';
const cowRaw = { species: 'cow', matrix: 'raw_milk' } as const;
const goatRaw = { species: 'goat', matrix: 'raw_milk' } as const;
const C = 'conformant';
const N = 'non_conformant';

const CASES: Case[] = [
  { id: 'raw-milk.protein.min', source: GB_19301, pack: 'gb-raw-milk:2026.1', analyte: 'protein', unit: 'g/100g', given: cowRaw, values: [[2.8, C], [2.79, N], [2.81, C]] },
  { id: 'raw-milk.fat.min', source: GB_19301, pack: 'gb-raw-milk:2026.1', analyte: 'fat', unit: 'g/100g', given: cowRaw, values: [[3.1, C], [3.09, N], [3.11, C]] },
  {
    id: 'raw-milk.total-bacterial-count.max',
    source: GB_19301,
    pack: 'gb-raw-milk:2026.1',
    analyte: 'total_bacterial_count',
    unit: 'CFU/mL',
    given: cowRaw,
    values: [[2_000_000, C], [2_000_001, N], [1_999_999, C]],
  },
  { id: 'raw-milk.acidity.cow.min', source: GB_19301, pack: 'gb-raw-milk:2026.1', analyte: 'acidity', unit: '°T', given: cowRaw, values: [[12, C], [11.9, N], [12.1, C]] },
  { id: 'raw-milk.acidity.cow.max', source: GB_19301, pack: 'gb-raw-milk:2026.1', analyte: 'acidity', unit: '°T', given: cowRaw, values: [[18, C], [18.1, N], [17.9, C]] },
  { id: 'raw-milk.acidity.goat.min', source: GB_19301, pack: 'gb-raw-milk:2026.1', analyte: 'acidity', unit: '°T', given: goatRaw, values: [[6, C], [5.9, N], [6.1, C]] },
  { id: 'raw-milk.acidity.goat.max', source: GB_19301, pack: 'gb-raw-milk:2026.1', analyte: 'acidity', unit: '°T', given: goatRaw, values: [[13, C], [13.1, N], [12.9, C]] },
  {
    id: 'contaminants.aflatoxin-m1.max',
    source: 'GB 2761',
    pack: 'gb-contaminants:2026.1',
    analyte: 'aflatoxin_m1',
    unit: 'µg/kg',
    given: cowRaw,
    values: [[0.5, C], [0.51, N], [0.49, C]],
  },
  { id: 'contaminants.melamine.max', source: NOTICE, pack: 'gb-contaminants:2026.1', analyte: 'melamine', unit: 'mg/kg', given: cowRaw, values: [[2.5, C], [2.51, N], [2.49, C]] },
  {
    id: 'contaminants.melamine.infant-formula.max',
    source: NOTICE,
    pack: 'gb-contaminants:2026.1',
    analyte: 'melamine',
    unit: 'mg/kg',
    given: { species: 'cow', matrix: 'finished_product', productType: 'milk_powder', infantFormula: true },
    values: [[1, C], [1.01, N], [0.99, C]],
  },
  {
    id: 'pathogens.staphylococcus-aureus.absent',
    source: 'GB 29921',
    pack: 'gb-pathogens:2026.1',
    analyte: 'staphylococcus_aureus',
    unit: 'CFU/25g',
    given: { species: 'cow', matrix: 'finished_product', productType: 'pasteurised_milk' },
    values: [[0, C], [1, N]],
  },
  {
    id: 'pathogens.salmonella.absent',
    source: 'GB 29921',
    pack: 'gb-pathogens:2026.1',
    analyte: 'salmonella',
    unit: 'CFU/25g',
    given: { species: 'cow', matrix: 'finished_product', productType: 'yoghurt' },
    values: [[0, C], [1, N]],
  },
  ...(
    [
      ['raw-milk.freezing-point.min', 'freezing_point', '°C', [[-0.56, C], [-0.561, N], [-0.559, C]]],
      ['raw-milk.freezing-point.max', 'freezing_point', '°C', [[-0.5, C], [-0.499, N], [-0.501, C]]],
      ['raw-milk.relative-density.min', 'relative_density', '20°C/4°C', [[1.027, C], [1.0269, N], [1.0271, C]]],
      ['raw-milk.impurities.max', 'impurities', 'mg/kg', [[4, C], [4.01, N], [3.99, C]]],
      ['raw-milk.non-fat-solids.min', 'non_fat_solids', 'g/100g', [[8.1, C], [8.09, N], [8.11, C]]],
    ] as const
  ).map(([id, analyte, unit, values]) => ({
    id,
    source: GB_19301,
    pack: 'unconfirmed-raw-milk:2026.1',
    analyte,
    unit,
    given: { ...cowRaw, packs: 'all' as const },
    values: values.map(([v, verdict]) => [v, verdict] as [number, 'conformant' | 'non_conformant']),
  })),
  ...(
    [
      ['benzylpenicillin', 4],
      ['ampicillin', 4],
      ['amoxicillin', 4],
      ['cloxacillin', 30],
      ['tetracyclines', 100],
      ['ceftiofur', 100],
    ] as const
  ).map(([analyte, limit]) => ({
    id: `vet-drugs.${analyte}.max`,
    source: 'GB 31650-2019',
    pack: 'unconfirmed-raw-milk:2026.1',
    analyte,
    unit: 'µg/kg',
    given: { ...cowRaw, packs: 'all' as const },
    values: [
      [limit, C],
      [limit + 0.1, N],
      [limit - 0.1, C],
    ] as Array<[number, 'conformant' | 'non_conformant']>,
  })),
];

function judged(result: Judgement | Refusal): Judgement {
  if (isRefusal(result)) throw new Error(`refused: ${result.rule}: ${result.reason.en}`);
  return result;
}

function refused(result: Judgement | Refusal): Refusal {
  if (!isRefusal(result)) throw new Error(`not refused: ${JSON.stringify(result)}`);
  return result;
}

/** The lab.result.recorded data a lab service would record from a judgement. */
function recorded(analyte: string, value: number, unit: string, j: Judgement) {
  return fixtureEvent('lab.result.recorded', { data: { analyte, value, unit, limit: j.limit, verdict: j.verdict, rule: j.rule } });
}

describe('every shipped rule, at its limit, just past it and just inside it', () => {
  it('covers every rule of every pack shipped (so none goes untested)', () => {
    expect(RULE_PACKS.flatMap((p) => p.rules.map((r) => r.id)).sort()).toEqual(CASES.map((c) => c.id).sort());
  });

  for (const c of CASES) {
    const { packs, ...given } = c.given;
    for (const [value, verdict] of c.values) {
      const where = `${given.species} ${given.matrix.replace('_', ' ')}${given.productType ? ` (${given.productType}${given.infantFormula ? ', infant formula' : ''})` : ''}`;
      it(`${c.id} (${c.source}): given ${where}, when ${c.analyte} is ${value} ${c.unit}, then ${verdict}`, () => {
        const j = judged(judgeResult({ ...given, ...(packs ? { packs: RULE_PACKS } : {}), analyte: c.analyte, value, unit: c.unit }));
        expect(j.verdict).toBe(verdict);
        if (verdict === 'non_conformant') expect(j.rule).toEqual({ pack: c.pack, id: c.id, source: c.source });
        else expect(j.rule.id.startsWith(c.id.replace(/\.(min|max)$/u, ''))).toBe(true);
        // And what the lab records from it passes lab.result.recorded v1, verdict included.
        expect(validateEvent(recorded(c.analyte, value, c.unit, j))).toEqual({ ok: true, event: expect.anything() });
      });
    }
  }
});

describe('rule packs', () => {
  it('unconfirmed-raw-milk: says confirmed false, carries a caveat in both languages, and is not a default pack', () => {
    const pack = RULE_PACKS.find((p) => p.id === 'unconfirmed-raw-milk');
    expect(pack?.confirmed).toBe(false);
    expect(pack?.caveat?.['zh-CN']).toMatch(/核/u);
    expect(pack?.caveat?.en).toMatch(/check/u);
    expect(DEFAULT_PACKS.map((p) => p.id)).toEqual(['gb-raw-milk', 'gb-contaminants', 'gb-pathogens']);
    expect(DEFAULT_PACKS.every((p) => p.confirmed)).toBe(true);
  });

  it('unconfirmed-raw-milk: given no packs chosen, when a freezing point is judged, then it is refused as unknown', () => {
    const r = refused(judgeResult({ ...cowRaw, analyte: 'freezing_point', value: -0.52, unit: '°C' }));
    expect(r.rule).toBe('lab.analyte.unknown');
  });

  it('gives every rule a unique id, a bilingual title, and pack references that lab.result.recorded accepts', () => {
    const ids = RULE_PACKS.flatMap((p) => p.rules.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const pack of RULE_PACKS) {
      expect(pack.version).toBe('2026.1');
      for (const rule of pack.rules) {
        expect(rule.title['zh-CN'].length).toBeGreaterThan(0);
        expect(rule.title.en.length).toBeGreaterThan(0);
      }
    }
  });

  it('is frozen: a caller cannot change a limit in place', () => {
    const rule = RULE_PACKS[0]!.rules[0]!;
    expect(() => {
      (rule as { limit: number }).limit = 0;
    }).toThrow(TypeError);
  });
});

describe('species, matrices and products', () => {
  it('raw-milk.acidity.goat.max (GB 19301-2010): given goat raw milk, when acidity is 14 °T, then non-conformant, though cow milk at 14 °T is conformant', () => {
    const goat = judged(judgeResult({ ...goatRaw, analyte: 'acidity', value: 14, unit: '°T' }));
    const cow = judged(judgeResult({ ...cowRaw, analyte: 'acidity', value: 14, unit: '°T' }));
    expect(goat).toMatchObject({ verdict: 'non_conformant', rule: { id: 'raw-milk.acidity.goat.max' } });
    expect(cow).toMatchObject({ verdict: 'conformant', rule: { id: 'raw-milk.acidity.cow.min' } });
  });

  it('raw-milk.acidity.cow.min/max (GB 19301-2010): given cow raw milk, when acidity is conformant, then the nearer bound is named', () => {
    expect(judged(judgeResult({ ...cowRaw, analyte: 'acidity', value: 17, unit: '°T' })).rule.id).toBe('raw-milk.acidity.cow.max');
    expect(judged(judgeResult({ ...cowRaw, analyte: 'acidity', value: 13, unit: '°T' })).rule.id).toBe('raw-milk.acidity.cow.min');
    expect(judged(judgeResult({ ...cowRaw, analyte: 'acidity', value: 11, unit: '°T' })).rule.id).toBe('raw-milk.acidity.cow.min');
  });

  it('raw-milk.protein.min (GB 19301-2010): given camel raw milk, when protein is judged, then refused: the composition limits are for cow and goat', () => {
    const r = refused(judgeResult({ species: 'camel', matrix: 'raw_milk', analyte: 'protein', value: 3.5, unit: 'g/100g' }));
    expect(r).toMatchObject({ status: 'rule', rule: 'lab.analyte.unknown', details: { analyte: 'protein', species: 'camel' } });
    expect(r.reason['zh-CN']).toContain('骆驼');
    expect(r.reason.en).toContain('camel milk raw milk');
  });

  it('raw-milk.total-bacterial-count.max (GB 19301-2010): given camel raw milk, when the count is 2.5×10⁶ CFU/mL, then non-conformant (all species)', () => {
    const j = judged(judgeResult({ species: 'camel', matrix: 'raw_milk', analyte: 'total_bacterial_count', value: 2_500_000, unit: 'CFU/mL' }));
    expect(j).toMatchObject({ verdict: 'non_conformant', rule: { id: 'raw-milk.total-bacterial-count.max' } });
  });

  it('contaminants.melamine.max vs infant-formula.max (2011 notice No. 10): given milk powder at 1.5 mg/kg, then conformant unless it is infant formula', () => {
    const q = { species: 'cow', matrix: 'finished_product', productType: 'milk_powder', analyte: 'melamine', value: 1.5, unit: 'mg/kg' } as const;
    expect(judged(judgeResult(q))).toMatchObject({ verdict: 'conformant', rule: { id: 'contaminants.melamine.max' } });
    expect(judged(judgeResult({ ...q, infantFormula: true }))).toMatchObject({
      verdict: 'non_conformant',
      rule: { id: 'contaminants.melamine.infant-formula.max' },
      limit: { comparison: 'lte', value: 1, unit: 'mg/kg' },
    });
  });

  it('contaminants.aflatoxin-m1.max (GB 2761): given a finished UHT product, when AFM1 is 0.3 µg/kg, then conformant', () => {
    const j = judged(judgeResult({ species: 'cow', matrix: 'finished_product', productType: 'uht_milk', analyte: 'aflatoxin_m1', value: 0.3, unit: 'µg/kg' }));
    expect(j).toMatchObject({ verdict: 'conformant', rule: { id: 'contaminants.aflatoxin-m1.max', source: 'GB 2761' } });
  });

  it('pathogens.salmonella.absent (GB 29921): given raw milk, or a finished product with no product type, then refused (the rule is for finished pasteurised, fermented milk)', () => {
    expect(refused(judgeResult({ ...cowRaw, analyte: 'salmonella', value: 0, unit: 'CFU/25g' })).rule).toBe('lab.analyte.unknown');
    expect(refused(judgeResult({ species: 'cow', matrix: 'finished_product', analyte: 'salmonella', value: 0, unit: 'CFU/25g' })).rule).toBe('lab.analyte.unknown');
    expect(refused(judgeResult({ species: 'cow', matrix: 'finished_product', productType: 'cheese', analyte: 'salmonella', value: 0, unit: 'CFU/25g' })).rule).toBe(
      'lab.analyte.unknown',
    );
  });

  it('findRule / findRules: given cow raw milk, then acidity has a min and a max rule, and protein has one', () => {
    expect(findRules(DEFAULT_PACKS, { ...cowRaw, analyte: 'acidity' }).map((m) => m.rule.id)).toEqual(['raw-milk.acidity.cow.min', 'raw-milk.acidity.cow.max']);
    expect(findRule(DEFAULT_PACKS, { ...cowRaw, analyte: 'protein' })).toMatchObject({ pack: { id: 'gb-raw-milk' }, rule: { id: 'raw-milk.protein.min' } });
    expect(findRule(DEFAULT_PACKS, { ...cowRaw, analyte: 'lead' })).toBeUndefined();
  });
});

describe('refusals', () => {
  it('lab.analyte.unknown: given an analyte no pack has, then refused with a reason in both languages and the field named', () => {
    const r = refused(judgeResult({ ...cowRaw, analyte: 'lead', value: 0.01, unit: 'mg/kg', path: '' }));
    expect(r).toMatchObject({ refused: true, status: 'rule', rule: 'lab.analyte.unknown', path: '/analyte' });
    expect(r.reason['zh-CN']).toContain('lead');
    expect(r.reason.en).toContain('"lead"');
  });

  it('lab.unit.mismatch: given protein in mg/100g (the rule is g/100g), then refused naming the expected unit', () => {
    const r = refused(judgeResult({ ...cowRaw, analyte: 'protein', value: 2900, unit: 'mg/100g', path: '/results/0' }));
    expect(r).toMatchObject({ status: 'rule', rule: 'lab.unit.mismatch', path: '/results/0/unit', details: { expected: ['g/100g'], unit: 'mg/100g' } });
    expect(r.reason.en).toBe('protein must be given in g/100g, not mg/100g: convert the value to the rule\'s unit');
  });

  it('lab.unit.mismatch: given a count per mL for Salmonella (the rule is per 25 g), then refused', () => {
    const r = refused(judgeResult({ species: 'cow', matrix: 'finished_product', productType: 'pasteurised_milk', analyte: 'salmonella', value: 0, unit: 'CFU/mL' }));
    expect(r.rule).toBe('lab.unit.mismatch');
  });

  it('contaminants.aflatoxin-m1.max (GB 2761): given µ typed as Greek mu (μg/kg), then judged, and the limit carries the unit as typed', () => {
    const j = judged(judgeResult({ ...cowRaw, analyte: 'aflatoxin_m1', value: 0.6, unit: 'μg/kg' }));
    expect(j).toMatchObject({ verdict: 'non_conformant', limit: { unit: 'μg/kg', value: 0.5 } });
    expect(validateEvent(recorded('aflatoxin_m1', 0.6, 'μg/kg', j)).ok).toBe(true);
  });

  it('lab.value.invalid: given a value that is not a finite number, then refused', () => {
    expect(refused(judgeResult({ ...cowRaw, analyte: 'protein', value: Number.NaN, unit: 'g/100g' })).rule).toBe('lab.value.invalid');
    expect(refused(judgeResult({ ...cowRaw, analyte: 'protein', value: Infinity, unit: 'g/100g' })).rule).toBe('lab.value.invalid');
  });

  it('given packs chosen explicitly with none, then every analyte is unknown', () => {
    expect(refused(judgeResult({ ...cowRaw, packs: [], analyte: 'protein', value: 3, unit: 'g/100g' })).rule).toBe('lab.analyte.unknown');
  });
});
