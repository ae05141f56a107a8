import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, isCanonicalJson } from '../src/jcs.ts';

describe('isCanonicalJson', () => {
  it('accepts RFC 8785 text', () => {
    for (const text of ['{}', '[]', '{"a":1,"b":[true,null,"x"]}', '{"10":1,"9":2}', '{"\\u0000":1,"a\\n":"é"}', '1e+21', '"€"', '{"a":{"b":{"c":-1.5e-7}}}']) {
      expect(isCanonicalJson(text), text).toBe(canonicalize(JSON.parse(text)) === text);
      expect(isCanonicalJson(text), text).toBe(true);
    }
  });

  it('refuses every other spelling of the same JSON', () => {
    for (const text of [
      '{"b":1,"a":2}', // member order
      '{"9":1,"10":2}', // integer-like names, JavaScript order but not RFC 8785 order
      '{ "a":1}', // whitespace
      '[1.0]', // number form
      '[-0]',
      '["\\u0041"]', // needless escape
      '["\\ud800"]', // lone surrogate
      '{"a":1,"a":2}', // duplicate name
      '{"a":1', // not JSON
      '',
    ]) {
      expect(isCanonicalJson(text), text).toBe(false);
    }
  });

  it('agrees with canonicalize on random JSON, in canonical and shuffled form', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalize(value);
        expect(isCanonicalJson(canonical)).toBe(true);
        const plain = JSON.stringify(value);
        expect(isCanonicalJson(plain)).toBe(plain === canonical);
      }),
      { numRuns: 500 },
    );
  });
});
