import { describe, expect, it } from 'vitest';
import { canonicalBytes, eventIdFromBytes, fromHex, rootFromLeafHashes, toHex, verifyConsistency, verifyInclusion, type LedgerEvent } from '@milkchain/ledger';
import { generateLogKeyJwk, logKeyFromJwk } from '../src/keys.ts';
import { LedgerLog } from '../src/log.ts';
import { Sequencer } from '../src/sequencer.ts';
import { MemoryLedgerStore } from '../src/store/memory.ts';

/**
 * Proofs are served from stored tiles (and, for full tiles, from their cached interior hashes).
 * Over a log that spans several full tiles, every proof must verify against the root of the
 * leaves, whether the tile is met for the first time or comes from the cache.
 */
describe('LedgerLog proofs from tiles', () => {
  it('serves inclusion and consistency proofs that verify, across full and partial tiles', async () => {
    const store = new MemoryLedgerStore();
    const logKey = await logKeyFromJwk(await generateLogKeyJwk());
    const sequencer = new Sequencer({ store, logKey, origin: 'test' });
    await sequencer.start();
    const ids: string[] = [];
    for (let b = 0; b < 7; b++) {
      const events = Array.from({ length: 100 }, (_, i): LedgerEvent => ({
        v: 1, kind: 'milk.collected', kindVersion: 1, org: 'org_farm', subject: `urn:milkchain:collection:c${b}-${i}`,
        prev: null, inputs: [], occurredAt: '2026-11-23T06:00:00+08:00', data: { i },
      }));
      const prepared = events.map((event) => {
        const canonical = canonicalBytes(event);
        return { event, canonical, id: eventIdFromBytes(canonical) };
      });
      ids.push(...prepared.map((p) => p.id));
      await sequencer.submit({ events: prepared, signatures: { kind: 'bulk', jws: 'x..y', ids: prepared.map((p) => p.id) } });
    }
    const size = sequencer.checkpoint.treeSize;
    expect(size).toBe(700);
    const leaves = ids.map(fromHex);
    const root = rootFromLeafHashes(leaves);
    expect(sequencer.checkpoint.rootHash).toBe(toHex(root));

    const log = new LedgerLog(store, sequencer, { expandedTileCache: 2 });
    for (const pass of [1, 2]) {
      for (const seq of [0, 1, 127, 255, 256, 300, 511, 512, 600, 699]) {
        const proof = (await log.inclusionProof(seq, size)).map(fromHex);
        expect(() => verifyInclusion(leaves[seq]!, seq, size, proof, root), `pass ${pass} seq ${seq}`).not.toThrow();
      }
      for (const [from, to] of [[1, 700], [256, 700], [300, 512], [512, 513], [257, 699]] as const) {
        const proof = (await log.consistencyProof(from, to)).map(fromHex);
        expect(() => verifyConsistency(from, to, proof, rootFromLeafHashes(leaves.slice(0, from)), rootFromLeafHashes(leaves.slice(0, to)))).not.toThrow();
      }
    }
    const older = 513;
    const proof = (await log.inclusionProof(400, older)).map(fromHex);
    expect(() => verifyInclusion(leaves[400]!, 400, older, proof, rootFromLeafHashes(leaves.slice(0, older)))).not.toThrow();
    await sequencer.stop();
  });
});
