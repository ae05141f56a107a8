// Secrets at rest: password and client-secret hashes (scrypt), and organisations' private
// signing keys sealed with AES-256-GCM under the key-encryption key. Nothing here logs.
import { createCipheriv, createDecipheriv, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'jose';

const scryptAsync = promisify(scrypt) as (password: string | Buffer, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB per hash, the OWASP minimum for scrypt). */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;
// Node refuses more than 32 MiB by default; 128 * N * r is exactly that, so leave headroom.
const MAXMEM = 128 * SCRYPT.N * SCRYPT.r * 2;

/** `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>`: the parameters travel with the hash. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLength);
  const hash = await scryptAsync(secret.normalize('NFC'), salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: MAXMEM });
  return ['scrypt', Math.log2(SCRYPT.N), SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Constant-time comparison of `secret` with a stored hash; a malformed hash never matches. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (!(logN >= 10 && logN <= 20 && r >= 1 && r <= 32 && p >= 1 && p <= 4 && expected.length >= 16)) return false;
  const actual = await scryptAsync(secret.normalize('NFC'), salt, expected.length, { N: 2 ** logN, r, p, maxmem: 128 * 2 ** logN * r * 2 });
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;
/**
 * Spends the same time as checking a real hash, so that an unknown user name and a wrong
 * password cannot be told apart by how long the answer takes.
 */
export async function burnSecretCheck(secret: string): Promise<false> {
  dummy ??= hashSecret(randomBytes(16).toString('hex'));
  await verifySecret(secret, await dummy);
  return false;
}

/** The key-encryption key: exactly 32 bytes, given as base64url. */
export function parseKeyEncryptionKey(text: string): Buffer {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(text)) throw new Error('the key-encryption key must be base64url');
  const key = Buffer.from(text, 'base64url');
  if (key.length !== 32) throw new Error(`the key-encryption key must be 32 bytes (base64url, 43 characters); it is ${key.length} bytes`);
  return key;
}

const SEAL_VERSION = 1;
const aad = (org: string, kid: string) => Buffer.from(`milkchain:org-key:${org}:${kid}`, 'utf8');

/**
 * Seals a private JWK: `version (1 byte) || IV (12 random bytes) || ciphertext || GCM tag (16)`.
 * The AAD binds the sealed key to its organisation and kid, so a sealed key copied to another
 * row does not open.
 */
export function sealPrivateJwk(jwk: JWK, kek: Buffer, org: string, kid: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(aad(org, kid));
  const body = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(SEAL_VERSION), iv, body, cipher.getAuthTag()]);
}

/** Opens what `sealPrivateJwk` sealed; throws when the key, org, kid or bytes are not the same. */
export function openPrivateJwk(sealed: Uint8Array, kek: Buffer, org: string, kid: string): JWK {
  const bytes = Buffer.from(sealed);
  if (bytes.length < 1 + 12 + 16 + 1 || bytes[0] !== SEAL_VERSION) throw new Error('not a sealed key of a known version');
  const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(1, 13));
  decipher.setAAD(aad(org, kid));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  const plain = Buffer.concat([decipher.update(bytes.subarray(13, bytes.length - 16)), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as JWK;
}
