import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { StoreConflictError, type BatchWrite, type EntryWrite, type LedgerStore } from '../src/store/port.ts';

/**
 * The behaviour every LedgerStore implementation must have (docs/ledger-store-contract.md).
 * Run by test/store.memory.unit.test.ts and test/store.postgres.int.test.ts.
 */
export function ledgerStoreContract(name: string, makeStore: () => Promise<LedgerStore>) {
  const id = () => randomBytes(32).toString('hex');
  const entry = (seq: number, over: Partial<EntryWrite> = {}): EntryWrite => ({
    seq,
    id: id(),
    subject: `urn:milkchain:collection:c${seq}`,
    kind: 'milk.collected',
    org: 'org_farm',
    prev: null,
    canonical: new TextEncoder().encode(`{"n":${seq},"s":"牛奶"}`),
    signature: `eyJhbGciOiJFZERTQSJ9..sig${seq}`,
    bulkId: null,
    ...over,
  });
  const batch = (firstSeq: number, entries: EntryWrite[], over: Partial<BatchWrite> = {}): BatchWrite => ({
    firstSeq,
    entries,
    bulkSignatures: [],
    tiles: [{ tileLevel: 0, tileIndex: 0, hashes: randomBytes(32 * (firstSeq + entries.length)) }],
    checkpoint: { treeSize: firstSeq + entries.length, rootHash: id(), issuedAt: new Date().toISOString(), jws: `cp${firstSeq + entries.length}` },
    orgKeys: [],
    ...over,
  });

  describe(`LedgerStore contract: ${name}`, () => {
    let store: LedgerStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('starts empty', async () => {
      expect(await store.size()).toBe(0);
      expect(await store.latestCheckpoint()).toBeNull();
      expect(await store.entries(0, 10)).toEqual([]);
      expect(await store.entryById(id())).toBeNull();
    });

    it('returns what was appended, byte for byte, in seq order', async () => {
      const es = [entry(0), entry(1, { prev: null, signature: null, bulkId: 0 }), entry(2)];
      const bulk = { id: 0, jws: 'bulk-jws', ids: [es[1]!.id] };
      await store.appendBatch(batch(0, es, { bulkSignatures: [bulk] }));
      expect(await store.size()).toBe(3);
      const got = await store.entries(0, 10);
      expect(got.map((e) => e.id)).toEqual(es.map((e) => e.id));
      expect(Buffer.from(got[0]!.canonical).toString('utf8')).toBe('{"n":0,"s":"牛奶"}');
      expect(got[1]!.bulkId).toBe(0);
      expect(await store.bulkSignature(0)).toEqual(bulk);
      expect((await store.entryById(es[2]!.id))?.seq).toBe(2);
      expect(await store.entries(1, 1)).toHaveLength(1);
      const seqs = await store.seqsOf([es[0]!.id, es[2]!.id, id()]);
      expect([...seqs.entries()].sort()).toEqual([[es[0]!.id, 0], [es[2]!.id, 2]].sort());
    });

    it('looks up one seq by id, and scans a range in order with bulk signatures resolved and shared', async () => {
      const es = [entry(0), entry(1, { signature: null, bulkId: 1 }), entry(2, { signature: null, bulkId: 1 }), entry(3, { signature: null, bulkId: 9 }), entry(4)];
      const bulk = { id: 1, jws: 'bulk-jws', ids: [es[1]!.id, es[2]!.id] };
      await store.appendBatch(batch(0, es.slice(0, 3), { bulkSignatures: [bulk] }));
      await store.appendBatch(batch(3, es.slice(3)));
      expect(await store.seqOf(es[2]!.id)).toBe(2);
      expect(await store.seqOf(id())).toBeNull();

      const scanned = [];
      for await (const chunk of store.scanEntries(1, 5)) scanned.push(...chunk);
      expect(scanned.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(scanned.map((e) => e.id)).toEqual(es.slice(1).map((e) => e.id));
      expect(Buffer.from(scanned[0]!.canonical).toString('utf8')).toBe('{"n":1,"s":"牛奶"}');
      expect(scanned[0]!.bulk).toEqual({ jws: 'bulk-jws', ids: bulk.ids });
      // One object per bulk signature: a verifier checks it once for all the entries it covers.
      expect(scanned[1]!.bulk).toBe(scanned[0]!.bulk);
      // Bulk id 9 was never stored: resolved to null, for the reader to report.
      expect(scanned[2]).toMatchObject({ bulkId: 9, bulk: null, signature: null });
      expect(scanned[3]).toMatchObject({ seq: 4, signature: es[4]!.signature, bulkId: null, bulk: null });
      let none = 0;
      for await (const chunk of store.scanEntries(5, 10)) none += chunk.length;
      expect(none).toBe(0);
    });

    it('scans a long range across chunks, and lets a reader stop early', async () => {
      const es = Array.from({ length: 2600 }, (_, i) => entry(i));
      await store.appendBatch(batch(0, es));
      let seqs: number[] = [];
      for await (const chunk of store.scanEntries(0, 2600)) seqs = seqs.concat(chunk.map((e) => e.seq));
      expect(seqs).toEqual(es.map((e) => e.seq));
      for await (const chunk of store.scanEntries(0, 2600)) {
        expect(chunk[0]!.seq).toBe(0);
        break;
      }
      // The store is still usable after a reader stopped in the middle of a scan.
      expect(await store.seqOf(es[2599]!.id)).toBe(2599);
      expect(await store.size()).toBe(2600);
    });

    it('keeps its own copy of the bytes: changing the caller buffer later changes nothing', async () => {
      const e = entry(0);
      await store.appendBatch(batch(0, [e]));
      e.canonical[0] = 0x5b;
      expect((await store.entryById(e.id))?.canonical[0]).toBe(0x7b);
    });

    it('tracks each subject head as its latest entry', async () => {
      const a0 = entry(0, { subject: 'urn:milkchain:lot:a' });
      const a1 = entry(1, { subject: 'urn:milkchain:lot:a', prev: a0.id });
      const b0 = entry(2, { subject: 'urn:milkchain:lot:b' });
      await store.appendBatch(batch(0, [a0, a1]));
      await store.appendBatch(batch(2, [b0]));
      const heads = await store.heads(['urn:milkchain:lot:a', 'urn:milkchain:lot:b', 'urn:milkchain:lot:none']);
      expect(heads.get('urn:milkchain:lot:a')).toBe(a1.id);
      expect(heads.get('urn:milkchain:lot:b')).toBe(b0.id);
      expect(heads.has('urn:milkchain:lot:none')).toBe(false);
    });

    it('keeps every checkpoint and answers ranges of them', async () => {
      await store.appendBatch(batch(0, [entry(0)]));
      await store.appendBatch(batch(1, [entry(1), entry(2)]));
      expect((await store.latestCheckpoint())?.treeSize).toBe(3);
      expect((await store.checkpoints(0, 10, 10)).map((c) => c.treeSize)).toEqual([1, 3]);
      expect((await store.checkpoints(2, 3, 10)).map((c) => c.treeSize)).toEqual([3]);
    });

    it('upserts tiles: a later write of the same tile replaces it', async () => {
      const t1 = randomBytes(32);
      const t2 = Buffer.concat([t1, randomBytes(32)]);
      await store.appendBatch(batch(0, [entry(0)], { tiles: [{ tileLevel: 0, tileIndex: 0, hashes: t1 }] }));
      await store.appendBatch(batch(1, [entry(1)], { tiles: [{ tileLevel: 0, tileIndex: 0, hashes: t2 }, { tileLevel: 1, tileIndex: 7, hashes: t1 }] }));
      const tiles = await store.tiles([{ tileLevel: 0, tileIndex: 0 }, { tileLevel: 1, tileIndex: 7 }, { tileLevel: 2, tileIndex: 0 }]);
      expect(Buffer.from(tiles.get('0/0')!)).toEqual(t2);
      expect(Buffer.from(tiles.get('1/7')!)).toEqual(t1);
      expect(tiles.has('2/0')).toBe(false);
    });

    it('MUST refuse a batch that does not start at the current size, and change nothing', async () => {
      await store.appendBatch(batch(0, [entry(0)]));
      await expect(store.appendBatch(batch(5, [entry(5)]))).rejects.toBeInstanceOf(StoreConflictError);
      await expect(store.appendBatch(batch(0, [entry(0)]))).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.size()).toBe(1);
      expect((await store.latestCheckpoint())?.treeSize).toBe(1);
    });

    it('MUST refuse a batch with an id already in the log, and apply none of it', async () => {
      const e0 = entry(0);
      await store.appendBatch(batch(0, [e0]));
      const tilesBefore = await store.tiles([{ tileLevel: 0, tileIndex: 0 }]);
      const bad = batch(1, [entry(1), entry(2, { id: e0.id })], { orgKeys: [{ kid: 'k', org: 'org_x', jwk: { kty: 'OKP' }, seq: 1 }] });
      await expect(store.appendBatch(bad)).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.size()).toBe(1);
      expect((await store.latestCheckpoint())?.treeSize).toBe(1);
      expect(await store.orgKey('k')).toBeNull();
      expect(await store.tiles([{ tileLevel: 0, tileIndex: 0 }])).toEqual(tilesBefore);
    });

    it('MUST refuse a batch that repeats an id within itself', async () => {
      const e = entry(0);
      await expect(store.appendBatch(batch(0, [e, { ...entry(1), id: e.id }]))).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.size()).toBe(0);
    });

    it('lets exactly one of two concurrent batches at the same seq win', async () => {
      const results = await Promise.allSettled([store.appendBatch(batch(0, [entry(0)])), store.appendBatch(batch(0, [entry(0)]))]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(StoreConflictError);
      expect(await store.size()).toBe(1);
    });

    it('stores org keys with the seq of their registration', async () => {
      const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'abc' };
      await store.appendBatch(batch(0, [entry(0)], { orgKeys: [{ kid: 'kid1', org: 'org_farm', jwk, seq: 0 }] }));
      expect(await store.orgKey('kid1')).toEqual({ kid: 'kid1', org: 'org_farm', jwk, seq: 0 });
      expect(await store.orgKeys()).toHaveLength(1);
    });

    it('adds log keys idempotently', async () => {
      const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'abc' };
      await store.addLogKey('lk', jwk);
      await store.addLogKey('lk', jwk);
      expect(await store.logKeys()).toEqual([{ ...jwk, kid: 'lk' }]);
    });
  });
}
