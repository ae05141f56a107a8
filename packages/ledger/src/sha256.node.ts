/**
 * SHA-256 for Node, selected by the `#sha256` import condition in package.json. Node's one-shot
 * `crypto.hash` is several times faster than a JavaScript implementation, which is what makes a
 * full audit run at hashing speed. Browsers get sha256.web.ts; both return the same bytes.
 */
import { hash } from 'node:crypto';

export function sha256(data: Uint8Array): Uint8Array {
  const digest = hash('sha256', data, 'buffer');
  // A plain Uint8Array view, so callers (and deep-equality in tests) never see a Buffer.
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}
