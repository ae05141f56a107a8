import { isGln13, isGtin14, isSscc18, ROLES } from '@milkchain/domain';
import { describe, expect, it } from 'vitest';
import {
  gln,
  gtin,
  isUscc,
  makeUscc,
  organisationCodeCheckChar,
  sscc,
  usccCheckChar,
  WORLD_ORGS,
  WORLD_PRODUCTS,
} from '../src/orgs.ts';

describe('统一社会信用代码 check character (GB 32100-2015)', () => {
  // Codes published by the issuing authorities (and used as examples by other validators).
  it.each(['91350500676532779B', '91310110666007217T', '91350100M000100Y43', '91370100780603055K', '91510100350611266D'])(
    'given the published code %s, then its check character and its organisation code check (GB 11714) match',
    (code) => {
      expect(usccCheckChar(code.slice(0, 17))).toBe(code[17]);
      expect(organisationCodeCheckChar(code.slice(8, 16))).toBe(code[16]);
      expect(isUscc(code)).toBe(true);
    },
  );

  // Codes issued in early pilot regions before the standard, known not to follow it: the
  // computed character is the standard's, not the one printed.
  it.each([
    ['91350100M0001TGQXM', '1'],
    ['91350211M0000XUF46', 'R'],
    ['91350203M0001FUE2P', 'J'],
  ])('given the pre-standard pilot code %s, then the standard check character is %s', (code, expected) => {
    expect(usccCheckChar(code.slice(0, 17))).toBe(expected);
    expect(isUscc(code)).toBe(false);
  });

  it('given a code with one character changed, a letter outside the set, or the wrong length, then it is refused', () => {
    expect(isUscc('91350500676532779C')).toBe(false);
    expect(isUscc('91350500676532770B')).toBe(false);
    expect(isUscc('9135050067653277IB')).toBe(false); // I is not a code character
    expect(isUscc('9135050067653277B')).toBe(false);
    expect(isUscc('9A350500676532779B')).toBe(false); // positions 3–8 are a division code
    expect(() => usccCheckChar('9135050067653277O')).toThrow(RangeError);
  });

  it('given an organisation code check of 10 or 11, then it is X or 0', () => {
    const bodies = Array.from({ length: 400 }, (_, i) => String(i).padStart(8, '0'));
    const x = bodies.find((b) => organisationCodeCheckChar(b) === 'X');
    const zero = bodies.find((b) => organisationCodeCheckChar(b) === '0');
    expect(x).toBeDefined();
    expect(zero).toBeDefined();
    const sum = (b: string) => [...b].reduce((s, c, i) => s + Number(c) * [3, 7, 9, 10, 5, 8, 4, 2][i]!, 0);
    expect(sum(x!) % 11).toBe(1);
    expect(sum(zero!) % 11).toBe(0);
  });

  it('makeUscc builds codes that validate', () => {
    const code = makeUscc('93', '150626', 'MA0WXQ05');
    expect(code).toHaveLength(18);
    expect(isUscc(code)).toBe(true);
  });
});

describe('the demo organisations', () => {
  it('have unique ids, valid roles, valid 统一社会信用代码 and GLNs, bilingual names and at least one user', () => {
    const ids = WORLD_ORGS.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(WORLD_ORGS.map((o) => o.uscc)).size).toBe(WORLD_ORGS.length);
    for (const org of WORLD_ORGS) {
      expect(org.id).toMatch(/^org_[a-z0-9_-]{2,60}$/);
      expect(org.roles.every((r) => (ROLES as readonly string[]).includes(r))).toBe(true);
      expect(isUscc(org.uscc), org.uscc).toBe(true);
      if (org.gln !== undefined) expect(isGln13(org.gln), org.gln).toBe(true);
      expect(org.name['zh-CN']).not.toBe('');
      expect(org.name.en).not.toBe('');
      expect(org.region.code).toMatch(/^15[0-9]{4}$/);
      expect(org.users.length).toBeGreaterThan(0);
      for (const u of org.users) expect(u.roles.every((r) => org.roles.includes(r))).toBe(true);
      expect([...org.users[0]!.roles].sort(), `${org.id}: the first user may act in every role`).toEqual([...org.roles].sort());
    }
  });

  it('cover the chain: farms in three counties, a camel cooperative, a workshop, collector, processor, two labs, carrier, two shops, a regulator', () => {
    const has = (role: string) => WORLD_ORGS.filter((o) => o.roles.includes(role as never));
    const counties = has('farm').map((o) => o.region.name);
    for (const place of ['土默特左旗', '和林格尔县', '托克托县']) expect(counties.some((c) => c.includes(place))).toBe(true);
    expect(has('farm').some((o) => o.name['zh-CN'].includes('驼'))).toBe(true);
    const workshop = has('workshop')[0]!;
    expect(workshop.region.name).toContain('乌审旗');
    expect(workshop.licences.map((l) => l.type)).toEqual(['workshop_registration']);
    const collector = WORLD_ORGS.find((o) => o.roles.length === 1 && o.roles[0] === 'collector')!;
    expect(collector.licences.map((l) => l.type).sort()).toEqual(['raw_milk_purchase', 'raw_milk_transport']);
    const processor = has('processor')[0]!;
    expect(processor.region.name).toContain('呼和浩特');
    expect(processor.licences[0]?.number).toMatch(/^SC[0-9]{14}$/);
    expect(has('lab')).toHaveLength(2);
    expect(has('lab').some((o) => o.accreditations?.some((a) => a.scheme === 'CMA'))).toBe(true);
    expect(has('logistics')).toHaveLength(1);
    expect(has('retailer').map((o) => o.region.name).join()).toMatch(/呼和浩特.*鄂尔多斯/);
    expect(has('regulator')[0]?.name['zh-CN']).toContain('市场监督管理');
  });

  it('sell products with valid GTIN-14s, the workshop under the deployment prefix, one of camel milk', () => {
    expect(new Set(WORLD_PRODUCTS.map((p) => p.gtin)).size).toBe(WORLD_PRODUCTS.length);
    for (const p of WORLD_PRODUCTS) expect(isGtin14(p.gtin), p.gtin).toBe(true);
    expect(WORLD_PRODUCTS.filter((p) => p.productType === 'milk_tofu' || p.productType === 'milk_skin').every((p) => p.gtin.startsWith('06909876'))).toBe(true);
    expect(WORLD_PRODUCTS.some((p) => p.species === 'camel')).toBe(true);
  });

  it('GS1 key builders pad and check', () => {
    expect(gln('6901234', 1)).toBe('6901234000016');
    expect(isGtin14(gtin('6909876', 20001))).toBe(true);
    expect(isSscc18(sscc('6901234', 1))).toBe(true);
    expect(sscc('6901234', 1)).toBe('069012340000000016'); // extension 0, prefix, serial reference, check digit
  });
});
