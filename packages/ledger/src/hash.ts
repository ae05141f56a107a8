/**
 * The RFC 6962 / RFC 9162 hashes, and event ids.
 *
 * An event's id IS its RFC 6962 leaf hash: SHA-256(0x00 || RFC 8785 bytes). One hash names the
 * event, links it into every chain that points to it (`prev`, `inputs`) and is its leaf in the
 * log, so a proof of inclusion of the id is a proof of inclusion of exactly those bytes. The
 * 0x00 / 0x01 prefixes keep leaves and interior nodes apart (no second-preimage splicing).
 */
import { sha256 as digest } from '#sha256';
import { toHex } from './bytes.ts';
import { canonicalBytes } from './jcs.ts';

export const HASH_SIZE = 32;

/** SHA-256; synchronous in every runtime (node:crypto in Node, @noble/hashes elsewhere). */
export function sha256(data: Uint8Array): Uint8Array {
  return digest(data);
}

// Reused input buffers: hashing is synchronous and neither implementation keeps its input, so
// one buffer per prefix saves an allocation and a copy per hash on the audit's hot path.
let leafInput = new Uint8Array(1024);
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

/** RFC 6962 leaf hash: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Uint8Array {
  if (data.length + 1 > leafInput.length) {
    leafInput = new Uint8Array(2 ** Math.ceil(Math.log2(data.length + 1)));
  }
  leafInput[0] = 0x00;
  leafInput.set(data, 1);
  return digest(leafInput.subarray(0, data.length + 1));
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right), both children 32-byte hashes. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new TypeError(`nodeHash takes two ${HASH_SIZE}-byte hashes, got ${left.length} and ${right.length} bytes`);
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return digest(nodeInput);
}

/** The root of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return digest(new Uint8Array(0));
}

/** Lowercase hex id of an event: the leaf hash of its RFC 8785 form. Throws CanonicalizationError. */
export function eventId(event: unknown): string {
  return eventIdFromBytes(canonicalBytes(event));
}

/** Lowercase hex id of an event given its canonical bytes (as stored and as signed over). */
export function eventIdFromBytes(canonical: Uint8Array): string {
  return toHex(leafHash(canonical));
}
