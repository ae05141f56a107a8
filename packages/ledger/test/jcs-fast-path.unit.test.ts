import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalizationError, canonicalize } from '../src/jcs.ts';

/**
 * canonicalize has a fast path (a sorted copy written by JSON.stringify) and a general
 * serializer. These cases are where the two could part: names that JSON.stringify would not
 * write in insertion order, names a plain object cannot hold, nesting deeper than the fast path
 * goes. Each is checked against a plain reference implementation of RFC 8785's ordering.
 */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const names = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${names.map((n) => `${JSON.stringify(n)}:${reference((value as Record<string, unknown>)[n])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('canonicalize fast path', () => {
  it('orders array-index member names by code units, not numerically', () => {
    const value = { '10': 1, '2': 2, a: 3, '1': 4, '01': 5, '4294967295': 6, '-1': 7 };
    expect(canonicalize(value)).toBe('{"-1":7,"01":5,"1":4,"10":1,"2":2,"4294967295":6,"a":3}');
    expect(canonicalize(value)).toBe(reference(value));
  });

  it('keeps a member named __proto__ (as JSON.parse makes it)', () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":[1,2]},"a":0}') as unknown;
    expect(canonicalize(value)).toBe('{"__proto__":{"x":[1,2]},"a":0,"b":1}');
  });

  it('serialises nesting deeper than the fast path goes, and still refuses cycles', () => {
    let deep: unknown = { z: 1, a: 'x' };
    for (let i = 0; i < 200; i++) deep = i % 2 ? [deep] : { k: deep, b: i };
    expect(canonicalize(deep)).toBe(reference(deep));
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { inner: cyclic };
    expect(() => canonicalize(cyclic)).toThrow(CanonicalizationError);
  });

  it('refuses what the fast path bails on with the general path error and its path', () => {
    expect(() => canonicalize({ a: { '10': [1, '\uD800'] } })).toThrow(/^\$\.a\["10"\]\[1\]: string contains a lone surrogate$/);
    expect(() => canonicalize({ a: [1, undefined] })).toThrow(/\$\.a\[1\]/);
    expect(() => canonicalize({ n: Number.NaN })).toThrow(/\$\.n: NaN is not a JSON number/);
  });

  it('agrees with the reference for arbitrary JSON values, including array-index names', () => {
    const key = fc.oneof(fc.string(), fc.nat({ max: 5000 }).map(String), fc.constantFrom('__proto__', '01', '-0', '1e3'));
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { maxDepth: 4 },
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 6 }).map((d) => JSON.parse(JSON.stringify(d)) as unknown),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalize(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });
});
