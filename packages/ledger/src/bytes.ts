/**
 * Byte helpers that behave the same in Node and in browsers (no Buffer).
 */

const HEX_DIGITS = '0123456789abcdef';
const BYTE_TO_HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!);

/** Nibble value of each ASCII code, or -1 for anything that is not a hex digit. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[65 + i] = 10 + i;
  HEX_VALUE[97 + i] = 10 + i;
}

/** Lowercase hex, two digits per byte. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i]!];
  return out;
}

/**
 * Decodes hex (either case). Throws a `TypeError` on an odd length or any character that is not
 * a hex digit: ids and hashes arrive from outside, and a lenient decoder would give two spellings
 * to one value.
 */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new TypeError(`hex string has odd length ${hex.length}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const c1 = hex.charCodeAt(2 * i);
    const c2 = hex.charCodeAt(2 * i + 1);
    const hi = c1 < 128 ? HEX_VALUE[c1]! : -1;
    const lo = c2 < 128 ? HEX_VALUE[c2]! : -1;
    if (hi < 0 || lo < 0) throw new TypeError(`not a hex digit at position ${hi < 0 ? 2 * i : 2 * i + 1}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Byte-wise equality. Not constant time: everything compared here is public (hashes, ids). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 encoding. Lone surrogates become U+FFFD (TextEncoder's rule); canonicalBytes refuses them first. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Strict UTF-8 decoding: throws a `TypeError` on malformed input instead of substituting U+FFFD,
 * and keeps a leading BOM as a character, so that decoding is one-to-one and a decoded string
 * can stand in for its bytes in comparisons.
 */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
