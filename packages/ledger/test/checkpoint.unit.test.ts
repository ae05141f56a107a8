import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { CheckpointError, peekCheckpoint, signCheckpoint, verifyCheckpoint } from '../src/checkpoint.ts';
import { generateOrgKey } from '../src/signatures.ts';

const payload = { origin: 'test.milkchain/ledger', treeSize: 42, rootHash: 'ab'.repeat(32), issuedAt: '2026-11-23T01:02:03.000Z' };

async function logKey() {
  const key = await generateOrgKey();
  return { ...key, jwks: { keys: [{ ...key.publicJwk, kid: key.kid, alg: 'EdDSA', use: 'sig' }] } };
}

describe('checkpoints', () => {
  it('round-trip: signed by the log key, verified against its JWKS', async () => {
    const key = await logKey();
    const jws = await signCheckpoint(payload, key.privateJwk, key.kid);
    expect(await verifyCheckpoint(jws, key.jwks)).toEqual(payload);
    expect(await verifyCheckpoint(jws, key.jwks, { expectedOrigin: payload.origin })).toEqual(payload);
    expect(peekCheckpoint(jws)).toEqual(payload);
  });

  it('refuses a changed payload with the old signature', async () => {
    const key = await logKey();
    const [h, p, s] = (await signCheckpoint(payload, key.privateJwk, key.kid)).split('.');
    const body = JSON.parse(new TextDecoder().decode(base64url.decode(p!)));
    body.treeSize = 43;
    await expect(verifyCheckpoint(`${h}.${base64url.encode(JSON.stringify(body))}.${s}`, key.jwks)).rejects.toThrow(/does not verify/);
  });

  it('refuses a checkpoint signed by another key, even under the log key id', async () => {
    const key = await logKey();
    const rogue = await generateOrgKey();
    await expect(verifyCheckpoint(await signCheckpoint(payload, rogue.privateJwk, key.kid), key.jwks)).rejects.toThrow(CheckpointError);
    await expect(verifyCheckpoint(await signCheckpoint(payload, rogue.privateJwk, rogue.kid), key.jwks)).rejects.toThrow(/not a published log key/);
  });

  it('refuses another origin and a malformed payload', async () => {
    const key = await logKey();
    const jws = await signCheckpoint(payload, key.privateJwk, key.kid);
    await expect(verifyCheckpoint(jws, key.jwks, { expectedOrigin: 'other.log' })).rejects.toThrow(/not "other.log"/);
    await expect(signCheckpoint({ ...payload, rootHash: 'XY' }, key.privateJwk, key.kid)).rejects.toThrow(/rootHash/);
    await expect(signCheckpoint({ ...payload, treeSize: -1 }, key.privateJwk, key.kid)).rejects.toThrow(/treeSize/);
    expect(() => peekCheckpoint('a.b')).toThrow(CheckpointError);
  });
});
