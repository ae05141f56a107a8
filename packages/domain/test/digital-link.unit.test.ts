import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildDigitalLink,
  digitalLinkForSubject,
  DigitalLinkError,
  gs1ElementString,
  keyForSubject,
  parseDigitalLink,
  subjectFor,
  subjectForDigitalLink,
  withGs1CheckDigit,
  type DigitalLinkErrorCode,
  type DigitalLinkKey,
} from '../src/index.ts';

const BASE = 'https://id.milkchain.example';
const GTIN = '06901234567892';
const SSCC = '106141411234567897';

/** The error parseDigitalLink (or `action`) throws; fails the test when it throws none. */
function refusal(action: () => unknown): DigitalLinkError {
  try {
    action();
  } catch (err) {
    if (err instanceof DigitalLinkError) return err;
    throw err;
  }
  throw new Error('expected a DigitalLinkError, nothing was thrown');
}

describe('reading the GS1 examples', () => {
  it.each<[string, DigitalLinkKey, Record<string, string>?]>([
    ['https://id.gs1.org/01/09506000134352', { type: 'gtin', gtin: '09506000134352' }],
    ['https://id.gs1.org/01/09521234543213/10/ABC123/21/12345', { type: 'gtin', gtin: '09521234543213', lot: 'ABC123', serial: '12345' }],
    ['https://id.gs1.org/01/09521234543213/10/ABC123?17=261231', { type: 'gtin', gtin: '09521234543213', lot: 'ABC123' }, { '17': '261231' }],
    ['https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426', { type: 'gtin', gtin: '09520123456788', lot: 'ABC1', serial: '12345' }, { '17': '180426' }],
    ['https://id.gs1.org/00/106141411234567897', { type: 'sscc', sscc: '106141411234567897' }],
    ['https://example.com/products/01/09521234543213', { type: 'gtin', gtin: '09521234543213' }],
    ['https://example.com/01/09506000134352/22/ABC-123/10/XYZ%2F987', { type: 'gtin', gtin: '09506000134352', cpv: 'ABC-123', lot: 'XYZ/987' }],
    ['https://id.gs1.org/01/09506000134352/21/12345', { type: 'gtin', gtin: '09506000134352', serial: '12345' }],
    ['https://id.gs1.org/01/09506000134352/10/ABC1?linkType=gs1:certificationInfo', { type: 'gtin', gtin: '09506000134352', lot: 'ABC1' }, { linkType: 'gs1:certificationInfo' }],
  ])('%s', (uri, key, attributes = {}) => {
    expect(parseDigitalLink(uri)).toEqual({ key, attributes });
  });

  it('pads GTIN-8, -12 and -13 to 14 digits', () => {
    expect(parseDigitalLink('https://id.gs1.org/01/9506000134352').key).toEqual({ type: 'gtin', gtin: '09506000134352' });
    expect(parseDigitalLink('https://id.gs1.org/01/614141000036').key).toEqual({ type: 'gtin', gtin: '00614141000036' });
    expect(parseDigitalLink('https://id.gs1.org/01/96385074').key).toEqual({ type: 'gtin', gtin: '00000096385074' });
    expect(buildDigitalLink(BASE, { type: 'gtin', gtin: '9506000134352', lot: 'A' })).toBe(`${BASE}/01/09506000134352/10/A`);
  });

  it('takes what scanners and people send: case, trailing slash, fragment, path only, spaces around', () => {
    const key = { type: 'gtin', gtin: GTIN, lot: 'L20261120A' };
    for (const uri of [
      `HTTPS://ID.MilkChain.Example/01/${GTIN}/10/L20261120A`,
      `http://id.milkchain.example/01/${GTIN}/10/L20261120A/`,
      `${BASE}/01/${GTIN}/10/L20261120A#top`,
      `/01/${GTIN}/10/L20261120A`,
      `/01/${GTIN}/10/L20261120A?17=261231`,
      ` ${BASE}/01/${GTIN}/10/L20261120A\n`,
    ]) {
      expect(parseDigitalLink(uri).key, uri).toEqual(key);
    }
  });

  it('finds the primary key from the right, so a prefix or a value that reads like an AI changes nothing', () => {
    expect(parseDigitalLink(`https://example.com/2026/01/01/01/${GTIN}/10/00/21/01`).key).toEqual({ type: 'gtin', gtin: GTIN, lot: '00', serial: '01' });
    expect(parseDigitalLink(`https://example.com/a/b/00/${SSCC}`).key).toEqual({ type: 'sscc', sscc: SSCC });
  });

  it('keeps the query string as attributes, decoded, without judging it', () => {
    expect(parseDigitalLink(`/01/${GTIN}/10/L1?17=261231&3103=000250&linkType=all&bad=%E0%A4%A`).attributes).toEqual({
      '17': '261231',
      '3103': '000250',
      linkType: 'all',
      bad: '%E0%A4%A',
    });
  });
});

describe('building', () => {
  it('writes GTIN-14, qualifiers in the order 22, 10, 21, values percent-encoded', () => {
    expect(buildDigitalLink(BASE, { type: 'gtin', gtin: GTIN, serial: 'S/1', lot: 'L 1'.replace(' ', '&'), cpv: 'V' })).toBe(
      `${BASE}/01/${GTIN}/22/V/10/L%261/21/S%2F1`,
    );
    expect(buildDigitalLink(`${BASE}/`, { type: 'sscc', sscc: SSCC })).toBe(`${BASE}/00/${SSCC}`);
    expect(buildDigitalLink('https://example.com/dl/', { type: 'gtin', gtin: GTIN })).toBe(`https://example.com/dl/01/${GTIN}`);
    expect(buildDigitalLink('', { type: 'gtin', gtin: GTIN, lot: 'L1' })).toBe(`/01/${GTIN}/10/L1`);
  });

  it('encodes every character of GS1 set 82 that is not unreserved in a URI', () => {
    const link = buildDigitalLink(BASE, { type: 'gtin', gtin: GTIN, lot: `!"%&'()*+,/:;<=>?` });
    expect(link).toBe(`${BASE}/01/${GTIN}/10/%21%22%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3C%3D%3E%3F`);
    expect(parseDigitalLink(link).key).toEqual({ type: 'gtin', gtin: GTIN, lot: `!"%&'()*+,/:;<=>?` });
  });

  it('refuses an invalid key or base with the same typed errors', () => {
    expect(refusal(() => buildDigitalLink(BASE, { type: 'gtin', gtin: '06901234567893' })).code).toBe('BAD_CHECK_DIGIT');
    expect(refusal(() => buildDigitalLink(BASE, { type: 'gtin', gtin: GTIN, lot: 'L 1' })).code).toBe('BAD_VALUE');
    expect(refusal(() => buildDigitalLink(BASE, { type: 'gtin', gtin: GTIN, serial: 'x'.repeat(21) })).code).toBe('BAD_VALUE');
    expect(refusal(() => buildDigitalLink(BASE, { type: 'gtin', gtin: GTIN, lot: '..' })).code).toBe('BAD_VALUE');
    expect(refusal(() => buildDigitalLink(BASE, { type: 'sscc', sscc: '106141411234567898' })).code).toBe('BAD_CHECK_DIGIT');
    const base = refusal(() => buildDigitalLink('ftp://id.example', { type: 'sscc', sscc: SSCC }));
    expect([base.code, base.segment]).toEqual(['NOT_A_DIGITAL_LINK', 'base']);
    expect(refusal(() => buildDigitalLink(`${BASE}?x=1`, { type: 'sscc', sscc: SSCC })).code).toBe('NOT_A_DIGITAL_LINK');
  });

  it('prints the element string people read under the code', () => {
    expect(gs1ElementString({ type: 'gtin', gtin: GTIN, lot: 'L20261120A' })).toBe(`(01) ${GTIN} (10) L20261120A`);
    expect(gs1ElementString({ type: 'gtin', gtin: '9506000134352', serial: '0001', lot: 'A', cpv: 'B' })).toBe('(01) 09506000134352 (22) B (10) A (21) 0001');
    expect(gs1ElementString({ type: 'sscc', sscc: SSCC })).toBe(`(00) ${SSCC}`);
  });
});

describe('the qualifier path of AI 01: [22] [10] [21], each optional, in that order, once', () => {
  const at = (path: string) => () => parseDigitalLink(`${BASE}/01/${GTIN}${path}`);
  it.each([
    ['', {}],
    ['/22/A', { cpv: 'A' }],
    ['/10/B', { lot: 'B' }],
    ['/21/C', { serial: 'C' }],
    ['/22/A/10/B', { cpv: 'A', lot: 'B' }],
    ['/22/A/21/C', { cpv: 'A', serial: 'C' }],
    ['/10/B/21/C', { lot: 'B', serial: 'C' }],
    ['/22/A/10/B/21/C', { cpv: 'A', lot: 'B', serial: 'C' }],
  ])('accepts 01%s', (path, qualifiers) => {
    expect(at(path)().key).toEqual({ type: 'gtin', gtin: GTIN, ...qualifiers });
  });

  it.each<[string, DigitalLinkErrorCode, string]>([
    ['/10/B/22/A', 'QUALIFIER_ORDER', '22'],
    ['/21/C/10/B', 'QUALIFIER_ORDER', '10'],
    ['/21/C/22/A', 'QUALIFIER_ORDER', '22'],
    ['/22/A/21/C/10/B', 'QUALIFIER_ORDER', '10'],
    ['/10/B/10/B', 'QUALIFIER_ORDER', '10'],
    ['/21/C/21/D', 'QUALIFIER_ORDER', '21'],
    ['/17/261231', 'QUALIFIER_NOT_ALLOWED', '17'],
    ['/10/B/254/X', 'QUALIFIER_NOT_ALLOWED', '254'],
    ['/lot/B', 'QUALIFIER_NOT_ALLOWED', 'lot'],
    ['/00/106141411234567897', 'QUALIFIER_NOT_ALLOWED', '00'],
    ['/10/B/01/06901234567892', 'QUALIFIER_NOT_ALLOWED', '01'],
    ['/235/TPX1', 'UNSUPPORTED_QUALIFIER', '235'],
  ])('refuses 01%s with %s naming %s', (path, code, segment) => {
    const err = refusal(at(path));
    expect([err.code, err.segment]).toEqual([code, segment]);
    expect(err.message).toContain(segment);
  });

  it('allows no qualifier after an SSCC', () => {
    const err = refusal(() => parseDigitalLink(`${BASE}/00/${SSCC}/10/B`));
    expect([err.code, err.segment]).toEqual(['QUALIFIER_NOT_ALLOWED', '10']);
  });
});

describe('refusals', () => {
  it.each<[string, DigitalLinkErrorCode, string | undefined]>([
    [`${BASE}/01/06901234567893/10/L1`, 'BAD_CHECK_DIGIT', '06901234567893'],
    [`${BASE}/00/106141411234567898`, 'BAD_CHECK_DIGIT', '106141411234567898'],
    [`${BASE}/01/0690123456789/10/L1`, 'BAD_CHECK_DIGIT', '0690123456789'],
    [`${BASE}/01/069012345678/10/L1`, 'BAD_CHECK_DIGIT', '069012345678'],
    [`${BASE}/01/069012345678921`, 'BAD_VALUE', '069012345678921'],
    [`${BASE}/01/0690123456789X`, 'BAD_VALUE', '0690123456789X'],
    [`${BASE}/01/123456789`, 'BAD_VALUE', '123456789'],
    [`${BASE}/00/10614141123456789`, 'BAD_VALUE', '10614141123456789'],
    [`${BASE}/01/${GTIN}/10/ABCDEFGHIJKLMNOPQRSTU`, 'BAD_VALUE', 'ABCDEFGHIJKLMNOPQRSTU'],
    [`${BASE}/01/${GTIN}/10/A%20B`, 'BAD_VALUE', 'A%20B'],
    [`${BASE}/01/${GTIN}/10/%E5%A5%B6`, 'BAD_VALUE', '%E5%A5%B6'], // 奶: not in GS1 set 82
    [`${BASE}/01/${GTIN}/21/A%ZZ`, 'BAD_VALUE', 'A%ZZ'],
    [`${BASE}/01/${GTIN}/10//21/X`, 'BAD_VALUE', ''],
    [`${BASE}/01/${GTIN}/10/%2E%2E`, 'BAD_VALUE', '%2E%2E'],
    [`${BASE}/414/6901234000047`, 'UNKNOWN_PRIMARY_KEY', '414'],
    [`${BASE}/8004/0614141ABC`, 'UNKNOWN_PRIMARY_KEY', '8004'],
    [`${BASE}/02/${GTIN}`, 'UNKNOWN_PRIMARY_KEY', '02'],
    [`${BASE}/gtin/${GTIN}`, 'NOT_A_DIGITAL_LINK', undefined],
    [`${BASE}/`, 'NOT_A_DIGITAL_LINK', undefined],
    [`${BASE}/01/${GTIN}/10`, 'NOT_A_DIGITAL_LINK', undefined],
    [`ftp://id.example/01/${GTIN}`, 'NOT_A_DIGITAL_LINK', undefined],
    [`01/${GTIN}`, 'NOT_A_DIGITAL_LINK', undefined],
    ['', 'NOT_A_DIGITAL_LINK', undefined],
  ])('%s → %s', (uri, code, segment) => {
    const err = refusal(() => parseDigitalLink(uri));
    expect(err.code).toBe(code);
    expect(err.segment).toBe(segment);
  });

  it('refuses a link far longer than any GS1 Digital Link before reading it', () => {
    expect(refusal(() => parseDigitalLink(`${BASE}/01/${GTIN}/10/${'A'.repeat(3000)}`)).code).toBe('NOT_A_DIGITAL_LINK');
  });

  it('names the segment at fault in Chinese first, then English', () => {
    const err = refusal(() => parseDigitalLink(`${BASE}/01/06901234567893/10/L1`));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('DigitalLinkError');
    expect(err.messages['zh-CN']).toBe('GTIN「06901234567893」的校验位不正确');
    expect(err.messages.en).toBe('GTIN "06901234567893" has a wrong check digit');
    expect(err.message).toBe(`${err.messages['zh-CN']} / ${err.messages.en}`);
    const order = refusal(() => parseDigitalLink(`/01/${GTIN}/21/S1/10/L1`));
    expect(order.messages['zh-CN']).toMatch(/^限定符顺序错误：「10」应在「21」之前/);
    expect(order.messages.en).toMatch(/^qualifiers out of order: "10" must come before "21"/);
  });
});

describe('subjects', () => {
  it('maps lot and shipment subjects to links and back', () => {
    const lot = subjectFor('lot', GTIN, 'L20261120A');
    const shipment = subjectFor('shipment', SSCC);
    expect(digitalLinkForSubject(BASE, lot)).toBe(`${BASE}/01/${GTIN}/10/L20261120A`);
    expect(digitalLinkForSubject(BASE, lot, '0001')).toBe(`${BASE}/01/${GTIN}/10/L20261120A/21/0001`);
    expect(digitalLinkForSubject(BASE, shipment)).toBe(`${BASE}/00/${SSCC}`);
    expect(subjectForDigitalLink(parseDigitalLink(`${BASE}/01/${GTIN}/10/L20261120A`).key)).toBe(lot);
    expect(subjectForDigitalLink(parseDigitalLink(`${BASE}/01/${GTIN}/10/L20261120A/21/0001`).key)).toBe(lot); // a unit resolves to its lot
    expect(subjectForDigitalLink(parseDigitalLink(`${BASE}/00/${SSCC}`).key)).toBe(shipment);
    expect(keyForSubject(lot, '7')).toEqual({ type: 'gtin', gtin: GTIN, lot: 'L20261120A', serial: '7' });
  });

  it('names no subject for a product, a variant, an invalid key, or a lot no subject can carry', () => {
    expect(subjectForDigitalLink({ type: 'gtin', gtin: GTIN })).toBeUndefined();
    expect(subjectForDigitalLink({ type: 'gtin', gtin: GTIN, serial: 'S1' })).toBeUndefined();
    expect(subjectForDigitalLink({ type: 'gtin', gtin: GTIN, cpv: 'V', lot: 'L1' })).toBeUndefined();
    expect(subjectForDigitalLink({ type: 'gtin', gtin: '06901234567893', lot: 'L1' })).toBeUndefined();
    expect(subjectForDigitalLink({ type: 'gtin', gtin: GTIN, lot: 'L/1' })).toBeUndefined();
    expect(subjectForDigitalLink({ type: 'gtin', gtin: '9506000134352', lot: 'L1' })).toBe(subjectFor('lot', '09506000134352', 'L1'));
  });

  it('has no link for subjects without a GS1 key', () => {
    expect(() => digitalLinkForSubject(BASE, subjectFor('collection', 'org_farm', 'c1'))).toThrow(RangeError);
    expect(() => digitalLinkForSubject(BASE, subjectFor('shipment', SSCC), '1')).toThrow(RangeError);
    expect(keyForSubject('urn:other:lot:1:2')).toBeUndefined();
  });
});

describe('properties', () => {
  const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
  const CSET82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
  const value = fc
    .array(fc.constantFrom(...CSET82), { minLength: 1, maxLength: 20 })
    .map((c) => c.join(''))
    .filter((v) => v !== '.' && v !== '..');
  const gtinKey = fc.record(
    { gtin: digits(13).map(withGs1CheckDigit), cpv: value, lot: value, serial: value },
    { requiredKeys: ['gtin'] },
  ).map((k) => ({ type: 'gtin' as const, ...k }));
  const ssccKey = digits(17).map((d) => ({ type: 'sscc' as const, sscc: withGs1CheckDigit(d) }));
  const bases = fc.constantFrom(BASE, `${BASE}/`, 'http://EXAMPLE.com/dl', '');

  it('parse(build(key)) is key', () => {
    fc.assert(
      fc.property(bases, fc.oneof(gtinKey, ssccKey), (base, key) => {
        expect(parseDigitalLink(buildDigitalLink(base, key)).key).toEqual(key);
      }),
      { numRuns: 500 },
    );
  });

  it('any single-digit change in the GTIN or SSCC is refused as a bad check digit', () => {
    fc.assert(
      fc.property(fc.oneof(gtinKey, ssccKey), fc.nat(), fc.integer({ min: 1, max: 9 }), (key, at, delta) => {
        const link = buildDigitalLink(BASE, key);
        const code = key.type === 'gtin' ? key.gtin : key.sscc;
        const start = link.indexOf(`/${code}`) + 1;
        const i = start + (at % code.length);
        const changed = link.slice(0, i) + String((Number(link[i]) + delta) % 10) + link.slice(i + 1);
        expect(refusal(() => parseDigitalLink(changed)).code).toBe('BAD_CHECK_DIGIT');
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the custody subjects for every lot a subject can carry', () => {
    const subjectLot = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/).filter((v) => v !== '.' && v !== '..');
    fc.assert(
      fc.property(digits(13).map(withGs1CheckDigit), subjectLot, (gtin, lot) => {
        const subject = subjectFor('lot', gtin, lot);
        expect(subjectForDigitalLink(parseDigitalLink(digitalLinkForSubject(BASE, subject)).key)).toBe(subject);
      }),
    );
  });
});
