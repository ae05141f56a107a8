/**
 * Event signatures: a detached compact JWS (RFC 7515 appendix F) with protected header
 * `{"alg":"EdDSA","kid":...}` over the event id as ASCII, or, for a bulk submission, one JWS over
 * the JSON list of the ids (`["<id>","<id>",...]`, exactly as JSON.stringify writes it). Stored
 * and served beside the event, never inside it.
 *
 * Browser-safe: jose on WebCrypto, no Node APIs.
 */
import { CompactSign, base64url, compactVerify, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { utf8Decode, utf8Encode } from './bytes.ts';
import { sha256 } from './hash.ts';

/** A single signature, or a bulk one with the ids it covers (in the order they were signed). */
export type EventSignature = string | { jws: string; ids: string[] };

/** Anything jose can sign or verify with; a JWK is imported once and cached. */
export type KeyInput = CryptoKey | KeyObject | JWK | Uint8Array;

/** A signature is malformed or does not verify. The message says which. */
export class SignatureError extends Error {
  override name = 'SignatureError';
}

const EVENT_ID = /^[0-9a-f]{64}$/;

export async function signEventId(id: string, key: KeyInput, kid: string): Promise<string> {
  if (!EVENT_ID.test(id)) throw new SignatureError(`not an event id: ${JSON.stringify(id)}`);
  return detach(await new CompactSign(utf8Encode(id)).setProtectedHeader({ alg: 'EdDSA', kid }).sign(await toKey(key)));
}

/** One signature over the JSON list of `ids`: a bulk submission's single signature. */
export async function signEventIds(ids: readonly string[], key: KeyInput, kid: string): Promise<string> {
  if (ids.length === 0) throw new SignatureError('a bulk signature needs at least one event id');
  for (const id of ids) if (!EVENT_ID.test(id)) throw new SignatureError(`not an event id: ${JSON.stringify(id)}`);
  return detach(await new CompactSign(utf8Encode(JSON.stringify(ids))).setProtectedHeader({ alg: 'EdDSA', kid }).sign(await toKey(key)));
}

/**
 * The kid of a detached event signature, after checking its shape: three parts, an empty payload,
 * a protected header with exactly alg "EdDSA" and a string kid (no `crit`, no `b64`, no `jwk`).
 */
export function signatureKid(jws: string): string {
  const header = detachedHeader(jws);
  return header.kid;
}

/**
 * Checks `signature` over event `id` with the public key `key`. For a bulk signature, `id` must be
 * one of the ids it covers, and the JWS must verify over their JSON list. Throws SignatureError.
 */
export async function verifyEventSignature(id: string, signature: EventSignature, key: KeyInput): Promise<void> {
  const jws = typeof signature === 'string' ? signature : signature.jws;
  detachedHeader(jws);
  let payload: string;
  if (typeof signature === 'string') payload = id;
  else {
    if (!signature.ids.includes(id)) throw new SignatureError(`the bulk signature does not cover event ${id}`);
    payload = JSON.stringify(signature.ids);
  }
  await verifyDetached(jws, payload, key);
}

/** Verifies a bulk signature over its ids once; callers then only check membership. */
export async function verifyBulkSignature(signature: { jws: string; ids: string[] }, key: KeyInput): Promise<void> {
  detachedHeader(signature.jws);
  await verifyDetached(signature.jws, JSON.stringify(signature.ids), key);
}

async function verifyDetached(jws: string, payload: string, key: KeyInput): Promise<void> {
  const [header, , sig] = jws.split('.');
  try {
    await compactVerify(`${header}.${base64url.encode(payload)}.${sig}`, await toKey(key), { algorithms: ['EdDSA'] });
  } catch (err) {
    throw new SignatureError(`the signature does not verify: ${(err as Error).message}`);
  }
}

function detachedHeader(jws: string): { alg: 'EdDSA'; kid: string } {
  if (typeof jws !== 'string') throw new SignatureError('a signature must be a compact JWS string');
  const parts = jws.split('.');
  if (parts.length !== 3) throw new SignatureError('a compact JWS has three dot-separated parts');
  if (parts[1] !== '') throw new SignatureError('the JWS must be detached (RFC 7515 appendix F): its payload part must be empty');
  if (!/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[2]!)) throw new SignatureError('the header and signature must be base64url');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(utf8Decode(base64url.decode(parts[0]!))) as Record<string, unknown>;
  } catch {
    throw new SignatureError('the protected header is not base64url-encoded JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SignatureError('the protected header must be a JSON object');
  if (header.alg !== 'EdDSA') throw new SignatureError(`the protected header must say "alg":"EdDSA"; it says ${JSON.stringify(header.alg)}`);
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 128) throw new SignatureError('the protected header must carry the signing key id as "kid"');
  const extra = Object.keys(header).filter((k) => k !== 'alg' && k !== 'kid');
  if (extra.length > 0) throw new SignatureError(`the protected header may carry only alg and kid; it also has ${extra.join(', ')}`);
  return header as { alg: 'EdDSA'; kid: string };
}

function detach(compact: string): string {
  const [header, , sig] = compact.split('.');
  return `${header}..${sig}`;
}

const imported = new Map<string, Promise<CryptoKey | Uint8Array>>();

async function toKey(key: KeyInput): Promise<CryptoKey | KeyObject | Uint8Array> {
  if (key instanceof Uint8Array || !isJwk(key)) return key as CryptoKey | KeyObject | Uint8Array;
  const cacheKey = `${key.kty}|${key.crv}|${key.x}|${key.d ?? ''}`;
  let found = imported.get(cacheKey);
  if (!found) {
    found = importJWK(key, 'EdDSA') as Promise<CryptoKey | Uint8Array>;
    if (imported.size > 10_000) imported.clear();
    imported.set(cacheKey, found);
    found.catch(() => imported.delete(cacheKey));
  }
  return found;
}

function isJwk(key: unknown): key is JWK {
  return typeof key === 'object' && key !== null && typeof (key as JWK).kty === 'string' && !('type' in key && 'algorithm' in key);
}

/** RFC 7638 thumbprint of an Ed25519 public JWK (SHA-256, base64url): the kid of every key here. */
export function ed25519Thumbprint(jwk: { x: string }): string {
  if (typeof jwk.x !== 'string') throw new SignatureError('an Ed25519 JWK needs "x"');
  return base64url.encode(sha256(utf8Encode(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`)));
}

export interface OrgKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
}

/** A fresh Ed25519 key pair for an organisation, kid = RFC 7638 thumbprint. */
export async function generateOrgKey(): Promise<OrgKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const publicJwk = { kty: 'OKP' as const, crv: 'Ed25519' as const, x: privateJwk.x! };
  return { kid: ed25519Thumbprint(publicJwk), privateJwk, publicJwk };
}
