/**
 * Checkpoints: `{origin, treeSize, rootHash, issuedAt}` signed by the log key as a compact JWS
 * (EdDSA), verified against the log's published JWKS. Browser-safe.
 */
import { CompactSign, compactVerify, createLocalJWKSet, decodeProtectedHeader, base64url, type JSONWebKeySet } from 'jose';
import { utf8Decode, utf8Encode } from './bytes.ts';
import type { KeyInput } from './signatures.ts';

export interface Checkpoint {
  origin: string;
  treeSize: number;
  /** Lowercase hex, 64 characters. */
  rootHash: string;
  /** RFC 3339 UTC. */
  issuedAt: string;
}

export const CHECKPOINT_TYPE = 'milkchain-checkpoint+jws';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export async function signCheckpoint(checkpoint: Checkpoint, key: KeyInput, kid: string): Promise<string> {
  return new CompactSign(utf8Encode(JSON.stringify(parsePayload(checkpoint)))).setProtectedHeader({ alg: 'EdDSA', kid, typ: CHECKPOINT_TYPE }).sign(key as Parameters<CompactSign['sign']>[0]);
}

/**
 * The payload of a checkpoint after its signature verified against `jwks` (alg EdDSA only, the
 * right `typ`, kid found in the set). `expectedOrigin`, when given, must match. Throws
 * CheckpointError saying what failed.
 */
export async function verifyCheckpoint(jws: string, jwks: JSONWebKeySet, options: { expectedOrigin?: string } = {}): Promise<Checkpoint> {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    throw new CheckpointError('the checkpoint is not a compact JWS');
  }
  if (header.typ !== CHECKPOINT_TYPE) throw new CheckpointError(`the checkpoint's typ is ${JSON.stringify(header.typ)}, not ${CHECKPOINT_TYPE}`);
  if (typeof header.kid !== 'string' || !jwks.keys.some((k) => k.kid === header.kid)) {
    throw new CheckpointError(`the checkpoint is signed with key ${JSON.stringify(header.kid)}, which is not a published log key`);
  }
  let verified;
  try {
    verified = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
  } catch (err) {
    throw new CheckpointError(`the checkpoint's signature does not verify with log key ${header.kid}: ${(err as Error).message}`);
  }
  const payload = parsePayload(JSON.parse(utf8Decode(verified.payload)));
  if (options.expectedOrigin !== undefined && payload.origin !== options.expectedOrigin) {
    throw new CheckpointError(`the checkpoint is for log ${JSON.stringify(payload.origin)}, not ${JSON.stringify(options.expectedOrigin)}`);
  }
  return payload;
}

/** The payload of a checkpoint WITHOUT checking its signature: for display and indexing only. */
export function peekCheckpoint(jws: string): Checkpoint {
  const parts = typeof jws === 'string' ? jws.split('.') : [];
  if (parts.length !== 3) throw new CheckpointError('the checkpoint is not a compact JWS');
  let raw: unknown;
  try {
    raw = JSON.parse(utf8Decode(base64url.decode(parts[1]!)));
  } catch {
    throw new CheckpointError('the checkpoint payload is not base64url-encoded JSON');
  }
  return parsePayload(raw);
}

function parsePayload(raw: unknown): Checkpoint {
  const p = raw as Partial<Checkpoint> | null;
  if (typeof p !== 'object' || p === null) throw new CheckpointError('the checkpoint payload must be an object');
  if (typeof p.origin !== 'string' || p.origin.length === 0) throw new CheckpointError('the checkpoint payload needs an origin');
  if (typeof p.treeSize !== 'number' || !Number.isSafeInteger(p.treeSize) || p.treeSize < 0) throw new CheckpointError('the checkpoint treeSize must be a non-negative integer');
  if (typeof p.rootHash !== 'string' || !/^[0-9a-f]{64}$/.test(p.rootHash)) throw new CheckpointError('the checkpoint rootHash must be 64 lowercase hex characters');
  if (typeof p.issuedAt !== 'string' || Number.isNaN(Date.parse(p.issuedAt))) throw new CheckpointError('the checkpoint issuedAt must be an RFC 3339 time');
  return { origin: p.origin, treeSize: p.treeSize, rootHash: p.rootHash, issuedAt: p.issuedAt };
}
