/**
 * Mass balance at production, Given/When/Then. The yields are written out from the brief's
 * table, not read from YIELDS, so a wrong number there fails here.
 */
import { describe, expect, it } from 'vitest';
import { checkMassBalance, PRODUCT_NAMES, YIELDS, type ProductType } from '../../src/index.ts';

const SOURCE = 'milkchain YIELDS';
/** Output allowed from 1000 L of milk, in the unit given. */
const FROM_1000_L: Array<[ProductType, number, 'L' | 'kg']> = [
  ['pasteurised_milk', 1000, 'L'],
  ['uht_milk', 1000, 'L'],
  ['yoghurt', 1100, 'L'],
  ['fermented_milk', 1100, 'L'],
  ['cheese', 150, 'kg'],
  ['milk_tofu', 200, 'kg'],
  ['milk_skin', 120, 'kg'],
  ['milk_powder', 150, 'kg'],
  ['butter', 60, 'kg'],
  ['cream', 200, 'L'],
  ['fermented_mare_milk', 1000, 'L'],
  ['other', 1000, 'L'],
];

describe('mass balance', () => {
  it('has a yield with its basis in both languages for every product type', () => {
    expect(Object.keys(YIELDS).sort()).toEqual(Object.keys(PRODUCT_NAMES).sort());
    for (const y of Object.values(YIELDS)) {
      expect(y.basis['zh-CN'].length).toBeGreaterThan(0);
      expect(y.basis.en.length).toBeGreaterThan(0);
    }
  });

  for (const [product, max, unit] of FROM_1000_L) {
    it(`mass-balance.yield (${SOURCE}): given 1000 L of milk, when ${max} ${unit} of ${product} is declared, then accepted (exactly the limit)`, () => {
      expect(checkMassBalance({ productType: product, inputs: [{ value: 600, unit: 'L' }, { value: 400, unit: 'L' }], output: { value: max, unit } })).toBeUndefined();
    });
    it(`mass-balance.yield (${SOURCE}): given 1000 L of milk, when ${max + 0.1} ${unit} of ${product} is declared, then refused`, () => {
      const r = checkMassBalance({ productType: product, inputs: [{ value: 1000, unit: 'L' }], output: { value: max + 0.1, unit }, path: '/output' });
      expect(r).toMatchObject({ refused: true, status: 'rule', rule: 'mass-balance.yield', path: '/output', details: { inputL: 1000, max } });
      expect(r?.reason.en).toContain(`1000 L of milk makes at most ${max} ${unit} of ${PRODUCT_NAMES[product].en}`);
      expect(r?.reason['zh-CN']).toContain('请核对投入与产出数量');
    });
  }

  it(`mass-balance.yield (${SOURCE}): given cheese, when 1 kg comes from 10 L (the usual yield), then accepted`, () => {
    expect(checkMassBalance({ productType: 'cheese', inputs: [{ value: 10, unit: 'L' }], output: { value: 1, unit: 'kg' } })).toBeUndefined();
  });

  it(`mass-balance.yield (${SOURCE}): given milk weighed in kg and t (1 L ≈ 1.03 kg), when 1000 L of pasteurised milk is declared, then accepted, and 1001 L refused`, () => {
    const inputs = [{ value: 515, unit: 'kg' }, { value: 0.515, unit: 't' }];
    expect(checkMassBalance({ productType: 'pasteurised_milk', inputs, output: { value: 1000, unit: 'L' } })).toBeUndefined();
    expect(checkMassBalance({ productType: 'pasteurised_milk', inputs, output: { value: 1001, unit: 'L' } })?.rule).toBe('mass-balance.yield');
  });

  it(`mass-balance.yield (${SOURCE}): given 1000 L of milk, when pasteurised milk is declared as 1030 kg or 1000000 mL, then accepted`, () => {
    expect(checkMassBalance({ productType: 'pasteurised_milk', inputs: [{ value: 1000, unit: 'L' }], output: { value: 1030, unit: 'kg' } })).toBeUndefined();
    expect(checkMassBalance({ productType: 'pasteurised_milk', inputs: [{ value: 1000, unit: 'L' }], output: { value: 1_000_000, unit: 'mL' } })).toBeUndefined();
  });

  it(`mass-balance.yield (${SOURCE}): given 2000 L of milk, when milk tofu is declared as 400000 g or 0.4 t, then accepted, and 0.41 t refused`, () => {
    const inputs = [{ value: 2000, unit: 'L' }];
    expect(checkMassBalance({ productType: 'milk_tofu', inputs, output: { value: 400_000, unit: 'g' } })).toBeUndefined();
    expect(checkMassBalance({ productType: 'milk_tofu', inputs, output: { value: 0.4, unit: 't' } })).toBeUndefined();
    expect(checkMassBalance({ productType: 'milk_tofu', inputs, output: { value: 0.41, unit: 't' } })?.rule).toBe('mass-balance.yield');
  });

  it('mass-balance.unit: given a cheese output in litres, then refused: cheese is weighed', () => {
    const r = checkMassBalance({ productType: 'cheese', inputs: [{ value: 1000, unit: 'L' }], output: { value: 10, unit: 'L' }, path: '/output' });
    expect(r).toMatchObject({ status: 'rule', rule: 'mass-balance.unit', path: '/output', details: { unit: 'L', allowed: ['kg', 'g', 't'] } });
    expect(r?.reason.en).toBe('cheese output must be given in kg, g, t, not L');
  });

  it('mass-balance.unit: given an output counted in units, then refused with the reason that it cannot be balanced', () => {
    const r = checkMassBalance({ productType: 'yoghurt', inputs: [{ value: 1000, unit: 'L' }], output: { value: 4000, unit: 'unit' } });
    expect(r?.rule).toBe('mass-balance.unit');
    expect(r?.reason['zh-CN']).toContain('无法做物料平衡');
    expect(r?.reason.en).toContain('give the yoghurt output as a mass or volume');
  });

  it('mass-balance.unit: given an input counted in units, then refused naming the input', () => {
    const r = checkMassBalance({ productType: 'cheese', inputs: [{ value: 100, unit: 'L' }, { value: 3, unit: 'unit' }], output: { value: 1, unit: 'kg' } });
    expect(r).toMatchObject({ rule: 'mass-balance.unit', details: { input: 1, unit: 'unit' } });
  });

  it(`mass-balance.yield (${SOURCE}): given no inputs at all, when anything is declared, then refused`, () => {
    expect(checkMassBalance({ productType: 'other', inputs: [], output: { value: 1, unit: 'kg' } })?.rule).toBe('mass-balance.yield');
  });

  it(`mass-balance.yield (${SOURCE}): given 200 L of cream (an input that is a product), when 120 kg of butter is declared, then accepted, and 120.1 kg refused`, () => {
    const inputs = [{ value: 200, unit: 'L', productType: 'cream' as const }];
    expect(checkMassBalance({ productType: 'butter', inputs, output: { value: 120, unit: 'kg' } })).toBeUndefined();
    const r = checkMassBalance({ productType: 'butter', inputs, output: { value: 120.1, unit: 'kg' } });
    expect(r).toMatchObject({ rule: 'mass-balance.yield', details: { max: 120 } });
    expect(r?.reason.en).toMatch(/^These inputs make at most 120 kg of butter/u);
  });

  it(`mass-balance.yield (${SOURCE}): given pasteurised milk from another batch, when yoghurt is made from it, then it counts as milk`, () => {
    const inputs = [{ value: 1000, unit: 'L', productType: 'pasteurised_milk' as const }];
    expect(checkMassBalance({ productType: 'yoghurt', inputs, output: { value: 1100, unit: 'L' } })).toBeUndefined();
    expect(checkMassBalance({ productType: 'yoghurt', inputs, output: { value: 1101, unit: 'L' } })?.rule).toBe('mass-balance.yield');
  });

  it(`mass-balance.yield (${SOURCE}): given two cheese batches blended into one, then the output may be their sum and no more`, () => {
    const inputs = [{ value: 40, unit: 'kg', productType: 'cheese' as const }, { value: 10_000, unit: 'L' }];
    expect(checkMassBalance({ productType: 'cheese', inputs, output: { value: 1540, unit: 'kg' } })).toBeUndefined();
    expect(checkMassBalance({ productType: 'cheese', inputs, output: { value: 1541, unit: 'kg' } })?.rule).toBe('mass-balance.yield');
  });

  it('mass-balance.unknown-input: given milk powder as the input of cheese (no yield known), then refused asking for the milk it came from', () => {
    const r = checkMassBalance({ productType: 'cheese', inputs: [{ value: 100, unit: 'L' }, { value: 25, unit: 'kg', productType: 'milk_powder' }], output: { value: 1, unit: 'kg' } });
    expect(r).toMatchObject({ status: 'rule', rule: 'mass-balance.unknown-input', details: { input: 1, inputProductType: 'milk_powder' } });
    expect(r?.reason.en).toBe('No yield is known for making cheese from milk powder, so the quantities cannot be balanced: record the milk it was made from as the input');
  });
});
