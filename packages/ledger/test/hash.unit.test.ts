import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, equalBytes, fromHex, toHex, utf8Decode, utf8Encode } from '../src/bytes.ts';
import { HASH_SIZE, emptyRoot, eventId, eventIdFromBytes, leafHash, nodeHash, sha256 } from '../src/hash.ts';
import { CanonicalizationError, canonicalBytes } from '../src/jcs.ts';
import { sha256 as nodeSha256 } from '../src/sha256.node.ts';
import { sha256 as webSha256 } from '../src/sha256.web.ts';

/** SHA-256 straight from node:crypto, as the reference. */
function sha(...parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

describe('sha256', () => {
  it('matches the FIPS 180-2 examples', () => {
    expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(utf8Encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('the Node and the browser implementations agree, and return plain Uint8Arrays', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const a = nodeSha256(data);
        const b = webSha256(data);
        expect(toHex(a)).toBe(toHex(b));
        expect(toHex(a)).toBe(sha(data));
        expect(Object.getPrototypeOf(a)).toBe(Uint8Array.prototype);
        expect(a.length).toBe(HASH_SIZE);
      }),
      { numRuns: 200 },
    );
    const big = new Uint8Array(100_000).map((_, i) => i * 7);
    expect(toHex(webSha256(big))).toBe(toHex(nodeSha256(big)));
  });
});

describe('RFC 6962 leaf and node hashes', () => {
  it('leafHash is SHA-256(0x00 || data), whatever the order of input lengths (reused buffer)', () => {
    // Short, then long enough to grow the internal buffer, then short again: no stale bytes.
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 1000, maxLength: 5000 })), { maxLength: 8 }), (inputs) => {
        for (const data of inputs) expect(toHex(leafHash(data))).toBe(sha(Uint8Array.of(0), data));
      }),
      { numRuns: 60 },
    );
  });

  it('nodeHash is SHA-256(0x01 || left || right), and each result is a fresh array', () => {
    const l = sha256(utf8Encode('left'));
    const r = sha256(utf8Encode('right'));
    const first = nodeHash(l, r);
    const firstHex = toHex(first);
    expect(firstHex).toBe(sha(Uint8Array.of(1), l, r));
    const second = nodeHash(r, l);
    expect(toHex(second)).toBe(sha(Uint8Array.of(1), r, l));
    expect(toHex(first)).toBe(firstHex);
    // A leaf and a node over the same 64 bytes differ (domain separation).
    expect(toHex(leafHash(concatBytes(l, r)))).not.toBe(firstHex);
  });

  it('nodeHash refuses inputs that are not 32-byte hashes', () => {
    const h = sha256(new Uint8Array(0));
    expect(() => nodeHash(h.subarray(1), h)).toThrow(TypeError);
    expect(() => nodeHash(h, new Uint8Array(33))).toThrow(TypeError);
    expect(() => nodeHash(new Uint8Array(0), new Uint8Array(0))).toThrow(TypeError);
  });

  it('an event id is the hex leaf hash of its canonical bytes', () => {
    const event = { kind: 'test', at: 1e21, data: { b: [1, 2], a: 'x' } };
    const bytes = canonicalBytes(event);
    expect(utf8Decode(bytes)).toBe('{"at":1e+21,"data":{"a":"x","b":[1,2]},"kind":"test"}');
    expect(eventIdFromBytes(bytes)).toBe(sha(Uint8Array.of(0), bytes));
    expect(eventId(event)).toBe(eventIdFromBytes(bytes));
    expect(eventId({ data: { a: 'x', b: [1, 2] }, kind: 'test', at: 1e21 })).toBe(eventId(event));
    expect(eventId({ ...event, at: 1e20 })).not.toBe(eventId(event));
    expect(() => eventId({ at: NaN })).toThrow(CanonicalizationError);
  });
});

describe('bytes', () => {
  it('hex round-trips and is lowercase', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const hex = toHex(bytes);
        expect(hex).toMatch(/^(?:[0-9a-f]{2})*$/);
        expect(hex).toBe(Buffer.from(bytes).toString('hex'));
        expect(equalBytes(fromHex(hex), bytes)).toBe(true);
        expect(equalBytes(fromHex(hex.toUpperCase()), bytes)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it.each(['0', 'abc', 'zz', 'g0', '0g', ' 0', '0x', '+1', '\u00e90', '0\u0660', '1\u0000'])('fromHex refuses %j', (hex) => {
    expect(() => fromHex(hex)).toThrow(TypeError);
  });

  it('equalBytes and concatBytes', () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(toHex(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)))).toBe('010203');
    expect(concatBytes().length).toBe(0);
  });

  it('UTF-8 decoding is strict and keeps a BOM', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(utf8Decode(utf8Encode(s))).toBe(s);
      }),
      { numRuns: 200 },
    );
    expect(utf8Decode(fromHex('efbbbf41'))).toBe('\uFEFFA');
    for (const bad of ['ff', 'c080', 'eda080', 'e282', 'f4908080']) expect(() => utf8Decode(fromHex(bad)), bad).toThrow(TypeError);
    // Encoding replaces a lone surrogate (canonicalBytes refuses it before it gets here).
    expect(toHex(utf8Encode('\uD800'))).toBe('efbfbd');
  });
});
