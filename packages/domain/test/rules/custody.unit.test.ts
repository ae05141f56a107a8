/**
 * Custody: only what you hold, only as much as you hold. Given/When/Then.
 */
import { describe, expect, it } from 'vitest';
import { checkCustody } from '../../src/index.ts';

const subject = 'urn:milkchain:collection:xl-20261123-am';

describe('custody', () => {
  it('custody.quantity (milkchain custody): given the farm holds 1860.5 L, when it hands over exactly 1860.5 L, then accepted', () => {
    expect(checkCustody({ org: 'org_xilin', subject, holdings: { org_xilin: 1860.5 }, wanted: 1860.5, unit: 'L' })).toBeUndefined();
  });

  it('custody.quantity (milkchain custody): given the farm holds 1860.5 L, when 1860.6 L is wanted, then a conflict naming both quantities', () => {
    const r = checkCustody({ org: 'org_xilin', subject, holdings: { org_xilin: 1860.5 }, wanted: 1860.6, unit: 'L', path: '/collections/0/volumeL' });
    expect(r).toMatchObject({
      refused: true,
      status: 'conflict',
      rule: 'custody.quantity',
      path: '/collections/0/volumeL',
      details: { org: 'org_xilin', subject, held: 1860.5, wanted: 1860.6, unit: 'L' },
    });
    expect(r?.reason.en).toBe(`org_xilin holds 1860.5 L of ${subject} and cannot use 1860.6 L: give at most what you hold`);
    expect(r?.reason['zh-CN']).toContain('只持有 1860.5 L');
  });

  it('custody.not-held (milkchain custody): given another organisation holds it, when the caller wants any, then a conflict', () => {
    const r = checkCustody({ org: 'org_other', subject, holdings: { org_xilin: 100 }, wanted: 1, unit: 'L' });
    expect(r).toMatchObject({ status: 'conflict', rule: 'custody.not-held', details: { held: 0 } });
    expect(r?.reason.en).toBe(`org_other does not hold ${subject}: you can only hand over, use or ship what you hold`);
  });

  it('custody.not-held (milkchain custody): given the caller has used up all it held (0 L), when it wants more, then a conflict', () => {
    expect(checkCustody({ org: 'org_xilin', subject, holdings: { org_xilin: 0 }, wanted: 1, unit: 'L' })?.rule).toBe('custody.not-held');
  });

  it('custody.not-held (milkchain custody): given a holdings record with inherited keys, then only own entries count', () => {
    expect(checkCustody({ org: 'constructor', subject, holdings: {}, wanted: 1, unit: 'L' })?.rule).toBe('custody.not-held');
  });

  it('custody.quantity (milkchain custody): given 0.1 + 0.2 L held (a floating-point sum), when 0.3 L is wanted, then accepted', () => {
    expect(checkCustody({ org: 'org_x', subject, holdings: { org_x: 0.1 + 0.2 }, wanted: 0.3, unit: 'L' })).toBeUndefined();
    expect(checkCustody({ org: 'org_x', subject, holdings: { org_x: 0.3 }, wanted: 0.1 + 0.2, unit: 'L' })).toBeUndefined();
  });
});
