/**
 * The release gate, Given/When/Then. The required lists are written out from the brief, not read
 * from REQUIRED_TESTS.
 */
import { describe, expect, it } from 'vitest';
import { checkRelease, requiredAnalytes, type ProductType, type Species } from '../../src/index.ts';

const SOURCE = 'GB 19301-2010; GB 2761; 2011 notice No. 10; GB 29921';
const RULE: Record<string, string> = {
  protein: 'raw-milk.protein.min',
  fat: 'raw-milk.fat.min',
  total_bacterial_count: 'raw-milk.total-bacterial-count.max',
  aflatoxin_m1: 'contaminants.aflatoxin-m1.max',
  melamine: 'contaminants.melamine.max',
  staphylococcus_aureus: 'pathogens.staphylococcus-aureus.absent',
  salmonella: 'pathogens.salmonella.absent',
};
const load = 'urn:milkchain:load:saihan-20261123-01';
const batch = 'urn:milkchain:batch:HD-P1-20261123-02';
const pass = (analyte: string, subject = load) => ({ subject, analyte, verdict: 'conformant' as const, ruleId: RULE[analyte]! });
const COW_RAW = ['protein', 'fat', 'total_bacterial_count', 'aflatoxin_m1', 'melamine'];
const OTHER_RAW = ['aflatoxin_m1', 'melamine', 'total_bacterial_count'];

describe('required tests', () => {
  const cases: Array<[ProductType, Species, string[]]> = [
    ['uht_milk', 'cow', COW_RAW],
    ['cheese', 'cow', COW_RAW],
    ['pasteurised_milk', 'cow', [...COW_RAW, 'staphylococcus_aureus', 'salmonella']],
    ['yoghurt', 'cow', [...COW_RAW, 'staphylococcus_aureus', 'salmonella']],
    ['fermented_milk', 'goat', [...OTHER_RAW, 'staphylococcus_aureus', 'salmonella']],
    ['milk_tofu', 'sheep', OTHER_RAW],
    ['milk_powder', 'camel', OTHER_RAW],
    ['fermented_mare_milk', 'mare', OTHER_RAW],
    ['butter', 'yak', OTHER_RAW],
  ];
  for (const [productType, species, expected] of cases) {
    it(`release.tests-missing (${SOURCE}): given ${productType} from ${species} milk, then ${expected.join(', ')} are required`, () => {
      expect([...requiredAnalytes({ productType, species })].sort()).toEqual([...expected].sort());
    });
  }
});

describe('release gate', () => {
  it(`release.tests-missing (${SOURCE}): given pasteurised cow milk with every required test conformant, when released, then accepted`, () => {
    const results = [...COW_RAW.map((a) => pass(a)), pass('staphylococcus_aureus', batch), pass('salmonella', batch)];
    expect(checkRelease({ productType: 'pasteurised_milk', species: ['cow'], results })).toBeUndefined();
  });

  it(`release.tests-missing (${SOURCE}): given pasteurised cow milk without its Salmonella result, when released, then refused naming it`, () => {
    const results = [...COW_RAW.map((a) => pass(a)), pass('staphylococcus_aureus', batch)];
    const r = checkRelease({ productType: 'pasteurised_milk', species: ['cow'], results });
    expect(r).toMatchObject({ refused: true, status: 'rule', rule: 'release.tests-missing', source: SOURCE, details: { missing: ['salmonella'] } });
    expect(r?.reason['zh-CN']).toContain('沙门氏菌');
    expect(r?.reason.en).toContain('lacks a conformant result for Salmonella');
  });

  it(`release.non-conformant (GB 2761): given every test done but AFM1 non-conformant on a raw-milk input, when released, then refused naming it`, () => {
    const results = [...COW_RAW.filter((a) => a !== 'aflatoxin_m1').map((a) => pass(a)), { ...pass('aflatoxin_m1'), verdict: 'non_conformant' as const }];
    const r = checkRelease({ productType: 'uht_milk', species: ['cow'], results });
    expect(r).toMatchObject({
      status: 'rule',
      rule: 'release.non-conformant',
      source: 'GB 2761',
      details: { nonConformant: [{ subject: load, analyte: 'aflatoxin_m1', ruleId: 'contaminants.aflatoxin-m1.max' }] },
    });
  });

  it('release.non-conformant (GB 19301-2010): given a conformant and a non-conformant result for the same analyte on two inputs, then refused', () => {
    const results = [...COW_RAW.map((a) => pass(a)), { ...pass('protein', 'urn:milkchain:load:other-1'), verdict: 'non_conformant' as const }];
    expect(checkRelease({ productType: 'cheese', species: ['cow'], results })?.rule).toBe('release.non-conformant');
  });

  it('release.non-conformant: given a non-conformant result on an analyte that is not even required, then refused (nothing in the lineage may fail)', () => {
    const results = [...OTHER_RAW.map((a) => pass(a)), { subject: load, analyte: 'acidity', verdict: 'non_conformant' as const, ruleId: 'raw-milk.acidity.goat.max' }];
    expect(checkRelease({ productType: 'cheese', species: ['goat'], results })?.rule).toBe('release.non-conformant');
  });

  it(`release.tests-missing (${SOURCE}): given goat cheese with AFM1, melamine and count conformant, then accepted without protein or fat`, () => {
    expect(checkRelease({ productType: 'cheese', species: ['goat'], results: OTHER_RAW.map((a) => pass(a)) })).toBeUndefined();
  });

  it(`release.tests-missing (${SOURCE}): given a batch of cow and goat milk with only the goat tests, then the cow's protein and fat are missing`, () => {
    const r = checkRelease({ productType: 'cheese', species: ['goat', 'cow'], results: OTHER_RAW.map((a) => pass(a)) });
    expect(r?.details?.['missing']).toEqual(['protein', 'fat']);
  });

  it(`release.tests-missing (${SOURCE}): given a conformant result recorded under a rule of another analyte, then it does not count`, () => {
    const results = [...COW_RAW.filter((a) => a !== 'fat').map((a) => pass(a)), { subject: load, analyte: 'fat', verdict: 'conformant' as const, ruleId: 'raw-milk.protein.min' }];
    expect(checkRelease({ productType: 'uht_milk', species: ['cow'], results })?.details?.['missing']).toEqual(['fat']);
  });

  it(`release.tests-missing (${SOURCE}): given no results at all, then every required analyte is missing`, () => {
    expect(checkRelease({ productType: 'yoghurt', species: ['cow'], results: [] })?.details?.['missing']).toEqual([
      ...COW_RAW,
      'staphylococcus_aureus',
      'salmonella',
    ]);
  });

  it('release.species-unknown: given no species for the batch, then refused: the required tests cannot be known', () => {
    expect(checkRelease({ productType: 'uht_milk', species: [], results: COW_RAW.map((a) => pass(a)) })?.rule).toBe('release.species-unknown');
  });
});
