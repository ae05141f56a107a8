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

describe('LedgerLog id index', () => {
  async function grow(sequencer: Sequencer, from: number, count: number) {
    const prepared = Array.from({ length: count }, (_, i) => {
      const event: LedgerEvent = {
        v: 1, kind: 'milk.collected', kindVersion: 1, org: 'org_farm', subject: `urn:milkchain:collection:x${from + i}`,
        prev: null, inputs: [], occurredAt: '2026-11-23T06:00:00+08:00', data: { i: from + i },
      };
      const canonical = canonicalBytes(event);
      return { event, canonical, id: eventIdFromBytes(canonical) };
    });
    await sequencer.submit({ events: prepared, signatures: { kind: 'bulk', jws: 'x..y', ids: prepared.map((p) => p.id) } });
    return prepared.map((p) => p.id);
  }

  it('answers id -> seq from the tiles without the store, follows the log as it grows, and never trusts a prefix alone', async () => {
    const store = new MemoryLedgerStore();
    let storeLookups = 0;
    const seqOf = store.seqOf.bind(store);
    store.seqOf = (id) => {
      storeLookups++;
      return seqOf(id);
    };
    const sequencer = new Sequencer({ store, logKey: await logKeyFromJwk(await generateLogKeyJwk()), origin: 'test' });
    await sequencer.start();
    const ids = [...(await grow(sequencer, 0, 500)), ...(await grow(sequencer, 500, 200))];
    const log = new LedgerLog(store, sequencer, { expandedTileCache: 2 });
    await log.catchUpIndex();
    for (const [seq, id] of ids.entries()) expect(await log.seqOf(id)).toBe(seq);
    expect(storeLookups).toBe(0);

    // Same first 4 bytes as an indexed id, different id: the candidate is refused, the store asked.
    const lookalike = ids[42]!.slice(0, 8) + 'f'.repeat(56);
    expect(await log.seqOf(lookalike)).toBeNull();
    expect(storeLookups).toBe(1);

    // Appended later: the store answers until the index has caught up, then the index does; the
    // right-edge tile that grew is expanded again, so proofs still verify at the new size.
    const more = await grow(sequencer, 700, 100);
    expect(await log.seqOf(more[99]!)).toBe(799);
    await log.catchUpIndex();
    const before = storeLookups;
    expect(await log.seqOf(more[99]!)).toBe(799);
    expect(await log.seqOf(more[0]!)).toBe(700);
    expect(storeLookups).toBe(before);
    const all = [...ids, ...more].map(fromHex);
    const root = rootFromLeafHashes(all);
    for (const seq of [0, 511, 699, 700, 799]) {
      const proof = (await log.inclusionProof(seq, 800)).map(fromHex);
      expect(() => verifyInclusion(all[seq]!, seq, 800, proof, root)).not.toThrow();
    }
    await sequencer.stop();
  });

  it('stops growing at its capacity and leaves the rest to the store', async () => {
    const store = new MemoryLedgerStore();
    const sequencer = new Sequencer({ store, logKey: await logKeyFromJwk(await generateLogKeyJwk()), origin: 'test' });
    await sequencer.start();
    const ids = await grow(sequencer, 0, 600);
    const log = new LedgerLog(store, sequencer, { idIndexCapacity: 300 });
    await log.catchUpIndex();
    let storeLookups = 0;
    const seqOf = store.seqOf.bind(store);
    store.seqOf = (id) => {
      storeLookups++;
      return seqOf(id);
    };
    expect(await log.seqOf(ids[299]!)).toBe(299);
    expect(storeLookups).toBe(0);
    expect(await log.seqOf(ids[300]!)).toBe(300);
    expect(await log.seqOf(ids[599]!)).toBe(599);
    expect(storeLookups).toBe(2);
    await sequencer.stop();
  });
});
