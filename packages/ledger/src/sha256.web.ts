/**
 * SHA-256 for browsers and any runtime without node:crypto, selected by the `#sha256` import
 * condition in package.json. Synchronous (WebCrypto's digest is not), so tree code stays simple.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}
