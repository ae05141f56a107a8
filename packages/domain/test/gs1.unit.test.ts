import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  gs1CheckDigit,
  hasValidGs1CheckDigit,
  isGln13,
  isGtin14,
  isSscc18,
  toGtin14,
  withGs1CheckDigit,
} from '../src/index.ts';

const digits = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));

describe('GS1 check digits', () => {
  it.each([
    ['400638133393', 1], // EAN-13 4006381333931
    ['590123412345', 7], // EAN-13 5901234123457
    ['978030640615', 7], // ISBN-13 9780306406157
    ['0690123400001', 6],
    ['00690123400000001', 8],
    ['000000000000', 0],
  ])('the check digit of %s is %i', (body, digit) => {
    expect(gs1CheckDigit(body)).toBe(digit);
  });

  it('validates keys by length and check digit', () => {
    expect(isGtin14('06901234000016')).toBe(true);
    expect(isGtin14('06901234000017')).toBe(false);
    expect(isGtin14('6901234000016')).toBe(false); // a GTIN-13 is not a GTIN-14
    expect(isGln13('6901234000047')).toBe(true);
    expect(isGln13('6901234000048')).toBe(false);
    expect(isSscc18('006901234000000018')).toBe(true);
    expect(isSscc18('006901234000000019')).toBe(false);
    expect(isSscc18('00690123400000001x')).toBe(false);
  });

  it('pads shorter GTINs to 14 digits', () => {
    expect(toGtin14('4006381333931')).toBe('04006381333931');
    expect(toGtin14('96385074')).toBe('00000096385074'); // GTIN-8
    expect(toGtin14('4006381333932')).toBeUndefined();
    expect(toGtin14('123')).toBeUndefined();
  });

  it('refuses a body that is not digits', () => {
    expect(() => gs1CheckDigit('')).toThrow(RangeError);
    expect(() => gs1CheckDigit('12a')).toThrow(RangeError);
  });

  it('accepts every key it completes', () => {
    fc.assert(fc.property(digits(1, 30), (body) => hasValidGs1CheckDigit(withGs1CheckDigit(body))));
  });

  it('catches every single-digit error', () => {
    fc.assert(
      fc.property(digits(12, 17), fc.nat(), fc.integer({ min: 1, max: 9 }), (body, at, delta) => {
        const code = withGs1CheckDigit(body);
        const i = at % code.length;
        const changed = code.slice(0, i) + String((Number(code[i]) + delta) % 10) + code.slice(i + 1);
        return !hasValidGs1CheckDigit(changed);
      }),
    );
  });

  it('catches swapped neighbours unless they differ by 5', () => {
    fc.assert(
      fc.property(digits(12, 17), fc.nat(), (body, at) => {
        const code = withGs1CheckDigit(body);
        const i = at % (code.length - 1);
        const [a, b] = [Number(code[i]), Number(code[i + 1])];
        fc.pre(a !== b && Math.abs(a - b) !== 5);
        const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
        return !hasValidGs1CheckDigit(swapped);
      }),
    );
  });
});
