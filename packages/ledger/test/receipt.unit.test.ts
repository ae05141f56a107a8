import { describe, expect, it } from 'vitest';
import { toHex } from '../src/bytes.ts';
import { signCheckpoint } from '../src/checkpoint.ts';
import type { LedgerEvent } from '../src/event.ts';
import { eventId, leafHash } from '../src/hash.ts';
import { canonicalBytes } from '../src/jcs.ts';
import { inclusionProof } from '../src/merkle.ts';
import { verifyReceipt, type Receipt } from '../src/receipt.ts';
import { generateOrgKey, signEventId } from '../src/signatures.ts';
import { TiledTree, nodeFromTile, tileForNode, tileKey } from '../src/tiles.ts';

const event = (i: number): LedgerEvent => ({
  v: 1,
  kind: 'milk.collected',
  kindVersion: 1,
  org: 'org_farm',
  subject: `urn:milkchain:collection:c${i}`,
  prev: null,
  inputs: [],
  occurredAt: '2026-11-23T06:10:00+08:00',
  data: { volumeL: 100 + i },
});

async function world(size = 13) {
  const log = await generateOrgKey();
  const farm = await generateOrgKey();
  const events = Array.from({ length: size }, (_, i) => event(i));
  const tree = TiledTree.empty();
  const tiles = new Map<string, Uint8Array>();
  for (const w of tree.append(events.map((e) => leafHash(canonicalBytes(e))))) tiles.set(tileKey(w.tileLevel, w.tileIndex), w.hashes);
  const node = (level: number, index: number) => {
    const { tileLevel, tileIndex } = tileForNode(level, index);
    return nodeFromTile(tiles.get(tileKey(tileLevel, tileIndex))!, level, index);
  };
  const checkpoint = await signCheckpoint({ origin: 'test', treeSize: size, rootHash: toHex(tree.root()), issuedAt: new Date().toISOString() }, log.privateJwk, log.kid);
  const receipt = async (seq: number): Promise<Receipt> => ({
    v: 1,
    seq,
    id: eventId(events[seq]!),
    event: events[seq]!,
    signature: await signEventId(eventId(events[seq]!), farm.privateJwk, farm.kid),
    inclusionProof: { leafIndex: seq, treeSize: size, hashes: inclusionProof(seq, size, node).map(toHex) },
    checkpoint,
  });
  const trust = {
    logKeys: { keys: [{ ...log.publicJwk, kid: log.kid }] },
    orgKeys: { keys: [{ ...farm.publicJwk, kid: farm.kid, org: 'org_farm' }] },
  };
  return { receipt, trust, farm, log };
}

const failed = (r: { checks: Array<{ name: string; ok: boolean }> }) => r.checks.filter((c) => !c.ok).map((c) => c.name);

describe('verifyReceipt', () => {
  it('accepts a receipt for every entry, offline', async () => {
    const w = await world();
    for (let seq = 0; seq < 13; seq++) {
      const report = await verifyReceipt(await w.receipt(seq), w.trust);
      expect(report.ok, JSON.stringify(report.checks)).toBe(true);
      expect(report.checks.map((c) => c.name)).toEqual(['envelope', 'event-hash', 'signature', 'checkpoint-signature', 'inclusion']);
    }
  });

  it('names what fails: a changed event', async () => {
    const w = await world();
    const r = await w.receipt(4);
    (r.event.data as { volumeL: number }).volumeL = 9999;
    expect(failed(await verifyReceipt(r, w.trust))).toEqual(['event-hash', 'signature', 'inclusion']);
  });

  it('names what fails: a changed proof hash, index or tree size', async () => {
    const w = await world();
    const r = await w.receipt(5);
    r.inclusionProof.hashes[1] = 'ff'.repeat(32);
    expect(failed(await verifyReceipt(r, w.trust))).toEqual(['inclusion']);
    const r2 = await w.receipt(5);
    r2.inclusionProof.leafIndex = 6;
    expect(failed(await verifyReceipt(r2, w.trust))).toEqual(['inclusion']);
  });

  it('names what fails: a key of another organisation, or an unknown key', async () => {
    const w = await world();
    const r = await w.receipt(2);
    const trust = { ...w.trust, orgKeys: { keys: [{ ...w.farm.publicJwk, kid: w.farm.kid, org: 'org_other' }] } };
    expect(failed(await verifyReceipt(r, trust))).toEqual(['signature']);
    expect(failed(await verifyReceipt(r, { ...w.trust, orgKeys: { keys: [] } }))).toEqual(['signature']);
  });

  it('names what fails: a checkpoint not signed by the log', async () => {
    const w = await world();
    const r = await w.receipt(0);
    expect(failed(await verifyReceipt(r, { ...w.trust, logKeys: { keys: [] } }))).toEqual(['checkpoint-signature', 'inclusion']);
  });
});
