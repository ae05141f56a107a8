import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { eventId } from '../src/hash.ts';
import {
  SignatureError,
  ed25519Thumbprint,
  generateOrgKey,
  signEventId,
  signEventIds,
  signatureKid,
  verifyBulkSignature,
  verifyEventSignature,
} from '../src/signatures.ts';
import { calculateJwkThumbprint } from 'jose';

const ids = Array.from({ length: 5 }, (_, i) => eventId({ n: i }));
const header = (jws: string) => JSON.parse(new TextDecoder().decode(base64url.decode(jws.split('.')[0]!))) as Record<string, unknown>;
const forge = (h: Record<string, unknown>, sig: string) => `${base64url.encode(JSON.stringify(h))}..${sig}`;

describe('event signatures', () => {
  it('is a detached compact JWS with exactly {alg: EdDSA, kid}', async () => {
    const key = await generateOrgKey();
    const jws = await signEventId(ids[0]!, key.privateJwk, key.kid);
    expect(jws.split('.')).toHaveLength(3);
    expect(jws.split('.')[1]).toBe('');
    expect(header(jws)).toEqual({ alg: 'EdDSA', kid: key.kid });
    expect(signatureKid(jws)).toBe(key.kid);
    await expect(verifyEventSignature(ids[0]!, jws, key.publicJwk)).resolves.toBeUndefined();
  });

  it('the kid is the RFC 7638 thumbprint', async () => {
    const key = await generateOrgKey();
    expect(key.kid).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    expect(ed25519Thumbprint(key.publicJwk)).toBe(key.kid);
    expect(key.publicJwk).not.toHaveProperty('d');
  });

  it('refuses another id, another key, and any changed character of the signature', async () => {
    const key = await generateOrgKey();
    const other = await generateOrgKey();
    const jws = await signEventId(ids[0]!, key.privateJwk, key.kid);
    await expect(verifyEventSignature(ids[1]!, jws, key.publicJwk)).rejects.toThrow(SignatureError);
    await expect(verifyEventSignature(ids[0]!, jws, other.publicJwk)).rejects.toThrow(SignatureError);
    const sig = jws.split('.')[2]!;
    for (const at of [0, 10, 40, sig.length - 2]) {
      const flipped = sig.slice(0, at) + (sig[at] === 'A' ? 'B' : 'A') + sig.slice(at + 1);
      await expect(verifyEventSignature(ids[0]!, `${jws.split('.')[0]}..${flipped}`, key.publicJwk)).rejects.toThrow(SignatureError);
    }
  });

  it('refuses attached payloads, other algorithms and extra header members', async () => {
    const key = await generateOrgKey();
    const jws = await signEventId(ids[0]!, key.privateJwk, key.kid);
    const [h, , s] = jws.split('.');
    expect(() => signatureKid(`${h}.${base64url.encode(ids[0]!)}.${s}`)).toThrow(/detached/);
    expect(() => signatureKid(forge({ alg: 'none', kid: key.kid }, s!))).toThrow(/EdDSA/);
    expect(() => signatureKid(forge({ alg: 'HS256', kid: key.kid }, s!))).toThrow(/EdDSA/);
    expect(() => signatureKid(forge({ alg: 'EdDSA' }, s!))).toThrow(/kid/);
    expect(() => signatureKid(forge({ alg: 'EdDSA', kid: key.kid, b64: false, crit: ['b64'] }, s!))).toThrow(/only alg and kid/);
    expect(() => signatureKid('not a jws')).toThrow(SignatureError);
    await expect(verifyEventSignature(ids[0]!, forge({ alg: 'none', kid: key.kid }, ''), key.publicJwk)).rejects.toThrow(SignatureError);
  });

  it('a bulk signature covers exactly its list of ids, in order', async () => {
    const key = await generateOrgKey();
    const jws = await signEventIds(ids, key.privateJwk, key.kid);
    for (const id of ids) await expect(verifyEventSignature(id, { jws, ids }, key.publicJwk)).resolves.toBeUndefined();
    await verifyBulkSignature({ jws, ids }, key.publicJwk);
    const outsider = eventId({ n: 99 });
    await expect(verifyEventSignature(outsider, { jws, ids }, key.publicJwk)).rejects.toThrow(/does not cover/);
    // Claiming the signature covers one more id, or a reordered list, breaks it.
    await expect(verifyEventSignature(outsider, { jws, ids: [...ids, outsider] }, key.publicJwk)).rejects.toThrow(SignatureError);
    await expect(verifyBulkSignature({ jws, ids: [...ids].reverse() }, key.publicJwk)).rejects.toThrow(SignatureError);
  });

  it('refuses to sign something that is not an event id', async () => {
    const key = await generateOrgKey();
    await expect(signEventId('ABC', key.privateJwk, key.kid)).rejects.toThrow(SignatureError);
    await expect(signEventIds([], key.privateJwk, key.kid)).rejects.toThrow(SignatureError);
  });
});
