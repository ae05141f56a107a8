import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8Decode, utf8Encode } from '../src/bytes.ts';
import { CanonicalizationError, canonicalBytes, canonicalize } from '../src/jcs.ts';

const VECTORS = new URL('./vectors/jcs/', import.meta.url);

function readVector(folder: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`${folder}/${name}`, VECTORS)));
}

/** outhex files: space/newline separated two-digit hex bytes. */
function parseOutHex(text: string): Uint8Array {
  const tokens = text.split(/\s+/).filter((t) => t.length > 0);
  for (const t of tokens) if (!/^[0-9a-f]{2}$/i.test(t)) throw new Error(`bad outhex token ${JSON.stringify(t)}`);
  return Uint8Array.from(tokens, (t) => parseInt(t, 16));
}

const inputNames = readdirSync(new URL('input/', VECTORS))
  .filter((name) => name.endsWith('.json'))
  .sort();

/** The float64 whose IEEE 754 bits are `hex` (16 hex digits, big-endian). */
function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

/** Asserts that canonicalize throws a CanonicalizationError at `path`; returns the error. */
function expectRefused(value: unknown, path: string): CanonicalizationError {
  let caught: unknown;
  try {
    canonicalize(value);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CanonicalizationError);
  const error = caught as CanonicalizationError;
  expect(error.path).toBe(path);
  expect(error.name).toBe('CanonicalizationError');
  expect(error.message).toBe(`${path}: ${error.reason}`);
  // canonicalBytes refuses exactly the same values.
  expect(() => canonicalBytes(value)).toThrow(CanonicalizationError);
  return error;
}

/** Compares by UTF-16 code units, written out (not Array.prototype.sort's default). */
function compareUtf16(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : -1;
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

describe('RFC 8785 reference vectors (cyberphone/json-canonicalization testdata)', () => {
  it('finds the vector files', () => {
    expect(inputNames.length).toBeGreaterThan(0);
    for (const name of inputNames) {
      expect(readdirSync(new URL('output/', VECTORS))).toContain(name);
      expect(readdirSync(new URL('outhex/', VECTORS))).toContain(name.replace(/\.json$/, '.txt'));
    }
  });

  it.each(inputNames)('%s canonicalizes to output/ and outhex/ bytes', (name) => {
    const input: unknown = JSON.parse(utf8Decode(readVector('input', name)));
    const expected = readVector('output', name);
    const expectedHex = parseOutHex(utf8Decode(readVector('outhex', name.replace(/\.json$/, '.txt'))));
    // The two expected forms agree with each other (guards against a truncated copy).
    expect(toHex(expectedHex)).toBe(toHex(expected));

    const bytes = canonicalBytes(input);
    expect(toHex(bytes)).toBe(toHex(expected));
    expect(canonicalize(input)).toBe(utf8Decode(expected));
    // The canonical form is a fixed point.
    expect(canonicalize(JSON.parse(utf8Decode(expected)))).toBe(utf8Decode(expected));
  });
});

describe('number serialisation (ECMAScript Number::toString)', () => {
  it.each([
    [1e21, '1e+21'],
    [1e20, '100000000000000000000'],
    [123e20, '1.23e+22'],
    [1e-7, '1e-7'],
    [1e-6, '0.000001'],
    [1.5e-7, '1.5e-7'],
    [-0, '0'],
    [0, '0'],
    [5e-324, '5e-324'],
    [-5e-324, '-5e-324'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1.0, '1'],
    [-1.5, '-1.5'],
    [100, '100'],
    [4.5, '4.5'],
    [2e-3, '0.002'],
    [1e30, '1e+30'],
  ])('%s serialises as %s', (value, text) => {
    expect(canonicalize(value)).toBe(text);
    expect(canonicalize([value])).toBe(`[${text}]`);
  });

  // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('RFC 8785 Appendix B: %s serialises as %s', (bits, text) => {
    expect(canonicalize(fromBits(bits))).toBe(text);
  });

  it.each([
    ['7fffffffffffffff', 'NaN'],
    ['7ff0000000000000', 'Infinity'],
    ['fff0000000000000', '-Infinity'],
  ])('RFC 8785 Appendix B: %s (%s) is refused', (bits, name) => {
    const error = expectRefused(fromBits(bits), '$');
    expect(error.reason).toContain(name);
  });

  it('round-trips every finite double: parsing the text gives back the same value', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = canonicalize(x);
        expect(Object.is(JSON.parse(text), x === 0 ? 0 : x)).toBe(true);
        expect(text).toMatch(/^-?(0|[1-9][0-9]*)(\.[0-9]+)?(e[+-][1-9][0-9]*)?$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('strings', () => {
  it('escapes only what JSON requires, in the ECMAScript spelling', () => {
    expect(canonicalize('\u0000\u0008\t\n\u000b\f\r\u001f "\\/')).toBe('"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f \\"\\\\/"');
    expect(canonicalize('\u007f\u0080\u2028\u2029\u20ac')).toBe('"\u007f\u0080\u2028\u2029\u20ac"');
  });

  it('keeps well-formed surrogate pairs as one 4-byte UTF-8 character', () => {
    expect(canonicalize('\uD83D\uDE00')).toBe('"\uD83D\uDE00"');
    expect(toHex(canonicalBytes('\uD83D\uDE00'))).toBe('22f09f988022');
    expect(toHex(canonicalBytes({ '\u20ac': '\u00f6' }))).toBe('7b22e282ac223a22c3b6227d');
  });

  it.each([
    ['\uD800', 'high surrogate alone'],
    ['\uDC00', 'low surrogate alone'],
    ['a\uD83D', 'high surrogate at the end'],
    ['\uDE00\uD83D', 'reversed pair'],
    ['x\uDBFFy', 'high surrogate in the middle'],
  ])('refuses a lone surrogate in a string value (%j: %s)', (s) => {
    expectRefused(s, '$');
    expectRefused({ a: [1, s] }, '$.a[1]');
  });

  it('refuses a lone surrogate in a member name, naming the member', () => {
    const error = expectRefused({ ok: 1, 'bad\uD800': 2 }, '$["bad\\ud800"]');
    expect(error.reason).toContain('member name');
  });

  it('refuses exactly the strings with a lone surrogate (arbitrary UTF-16)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (s) => {
        if (hasLoneSurrogate(s)) {
          expect(() => canonicalize(s)).toThrow(CanonicalizationError);
          expect(() => canonicalize({ [s]: 0 })).toThrow(CanonicalizationError);
        } else {
          expect(JSON.parse(canonicalize(s))).toBe(s);
          expect(utf8Decode(canonicalBytes(s))).toBe(canonicalize(s));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('member ordering by UTF-16 code units', () => {
  it('sorts by code units, not code points nor locale', () => {
    // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FB33 even though its code point is larger.
    const value = { '\uFB33': 1, '\uD83D\uDE00': 2, b: 3, B: 4, a: 5, '': 6, '10': 7, '9': 8, '\u00e9': 9, e: 10 };
    expect(canonicalize(value)).toBe('{"":6,"10":7,"9":8,"B":4,"a":5,"b":3,"e":10,"\u00e9":9,"\uD83D\uDE00":2,"\uFB33":1}');
  });

  it('does not depend on insertion order', () => {
    const a = { z: 1, y: { q: 1, p: 2 }, x: [3, { d: 4, c: 5 }] };
    const b = { x: [3, { c: 5, d: 4 }], y: { p: 2, q: 1 }, z: 1 };
    expect(canonicalize(a)).toBe('{"x":[3,{"c":5,"d":4}],"y":{"p":2,"q":1},"z":1}');
    expect(canonicalize(b)).toBe(canonicalize(a));
  });

  it('emits members in UTF-16 order for arbitrary names', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.integer()), (record) => {
        const keys = Object.keys(record).sort(compareUtf16);
        const expected = `{${keys.map((k) => `${JSON.stringify(k)}:${record[k]!}`).join(',')}}`;
        expect(canonicalize(record)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('values that are not I-JSON are refused', () => {
  it('refuses non-finite numbers', () => {
    expectRefused(NaN, '$');
    expectRefused(Infinity, '$');
    expectRefused(-Infinity, '$');
    expectRefused({ n: { m: [0, 1, NaN] } }, '$.n.m[2]');
  });

  it('refuses undefined, where JSON.stringify would drop or coerce it', () => {
    expect(JSON.stringify({ a: undefined })).toBe('{}');
    expectRefused(undefined, '$');
    expectRefused({ a: undefined }, '$.a');
    expectRefused([1, undefined], '$[1]');
    // A hole in a sparse array reads as undefined.
    // eslint-disable-next-line no-sparse-arrays
    expectRefused([1, , 3], '$[1]');
  });

  it('refuses functions, bigint and symbols', () => {
    expectRefused(() => 1, '$');
    expectRefused({ f: function named() {} }, '$.f');
    expectRefused(10n, '$');
    expectRefused({ 'not an identifier': [2n] }, '$["not an identifier"][0]');
    expectRefused(Symbol('s'), '$');
    expectRefused({ [Symbol('k')]: 1, a: 1 }, '$');
  });

  it('refuses objects that are not plain JSON objects or arrays', () => {
    expectRefused(new Date(0), '$');
    expectRefused({ m: new Map([[1, 2]]) }, '$.m');
    expectRefused(new Set([1]), '$');
    expectRefused(new Uint8Array([1]), '$');
    expectRefused(new (class Point { x = 1; })(), '$');
    expectRefused(new (class MyArray extends Array<number> {})(), '$');
    expectRefused(new String('s'), '$');
    expectRefused(new Number(1), '$');
  });

  it('ignores toJSON (it is a function member, so the object is refused)', () => {
    expectRefused({ toJSON: () => 'x' }, '$.toJSON');
  });

  it('refuses cycles but accepts shared (acyclic) references', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expectRefused(cyclic, '$.self.back');
    const arr: unknown[] = [];
    arr.push(arr);
    expectRefused(arr, '$[0]');

    const shared = { v: 1 };
    expect(canonicalize({ a: shared, b: [shared, shared] })).toBe('{"a":{"v":1},"b":[{"v":1},{"v":1}]}');
  });
});

describe('plain values and nesting', () => {
  it('serialises literals and empty containers', () => {
    expect(canonicalize(null)).toBe('null');
    expect(canonicalize(true)).toBe('true');
    expect(canonicalize(false)).toBe('false');
    expect(canonicalize('')).toBe('""');
    expect(canonicalize([])).toBe('[]');
    expect(canonicalize({})).toBe('{}');
    expect(canonicalize(Object.create(null))).toBe('{}');
    const bare = Object.create(null) as Record<string, unknown>;
    bare.b = 1;
    bare.a = [null];
    expect(canonicalize(bare)).toBe('{"a":[null],"b":1}');
  });

  it('serialises deeply nested structures without whitespace', () => {
    const value = {
      outer: [{ z: [[], {}], a: { '\n': [1e21, -0, 'x'] } }, [[[true]]]],
      empty: '',
    };
    expect(canonicalize(value)).toBe('{"empty":"","outer":[{"a":{"\\n":[1e+21,0,"x"]},"z":[[],{}]},[[[true]]]]}');
    let deep: unknown = 0;
    for (let i = 0; i < 500; i++) deep = i % 2 === 0 ? [deep] : { k: deep };
    const text = canonicalize(deep);
    expect(text.length).toBe(1 + 250 * 2 + 250 * 6);
    expect(canonicalize(JSON.parse(text))).toBe(text);
  });

  it('is a fixed point and a faithful encoding for arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'grapheme', maxDepth: 4 }), (value) => {
        const text = canonicalize(value);
        expect(text).not.toMatch(/^\s|\s$/);
        const reparsed: unknown = JSON.parse(text);
        expect(reparsed).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalize(reparsed)).toBe(text);
        expect(toHex(canonicalBytes(value))).toBe(toHex(utf8Encode(text)));
      }),
      { numRuns: 300 },
    );
  });
});
