import { describe, expect, it } from 'vitest';
import { canonicalBytes, eventIdFromBytes, rootFromLeafHashes, fromHex, toHex, type LedgerEvent } from '@milkchain/ledger';
import { generateLogKeyJwk, logKeyFromJwk } from '../src/keys.ts';
import { Sequencer, type PreparedSubmission } from '../src/sequencer.ts';
import { MemoryLedgerStore } from '../src/store/memory.ts';
import type { BatchWrite } from '../src/store/port.ts';

/**
 * The sequencer decides batch N+1 while batch N commits. These tests hold a commit open and
 * check what must stay true: nothing is answered before its own commit, batches are written in
 * order, and a batch decided on a batch that then fails is failed too (never written).
 */
class GatedStore extends MemoryLedgerStore {
  appended: number[] = [];
  gates: Array<{ open: () => void; fail: (e: Error) => void }> = [];
  gated = false;
  override async appendBatch(batch: BatchWrite): Promise<void> {
    if (this.gated) {
      await new Promise<void>((open, fail) => this.gates.push({ open, fail }));
    }
    await super.appendBatch(batch);
    this.appended.push(batch.firstSeq);
  }
}

let serial = 0;
function submission(subject: string, prev: string | null = null): PreparedSubmission {
  const event: LedgerEvent = {
    v: 1, kind: 'milk.collected', kindVersion: 1, org: 'org_farm', subject,
    prev, inputs: [], occurredAt: '2026-11-23T06:00:00+08:00', data: { n: serial++ },
  };
  const canonical = canonicalBytes(event);
  const id = eventIdFromBytes(canonical);
  return { events: [{ event, canonical, id }], signatures: { kind: 'each', jws: ['x..y'] } };
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setImmediate(r));
};

async function setup() {
  const store = new GatedStore();
  const logKey = await logKeyFromJwk(await generateLogKeyJwk());
  const sequencer = new Sequencer({ store, logKey, origin: 'test', maxBatch: 1 });
  await sequencer.start();
  store.gated = true;
  store.appended = []; // the empty log's first checkpoint
  return { store, sequencer };
}

describe('Sequencer pipeline', () => {
  it('decides the next batch during a commit, answers each only after its own commit, in order', async () => {
    const { store, sequencer } = await setup();
    const a = submission('urn:milkchain:collection:a');
    const b = submission('urn:milkchain:collection:a', a.events[0]!.id);
    const settled: string[] = [];
    const pa = sequencer.submit(a).then((r) => {
      settled.push('a');
      return r;
    });
    const pb = sequencer.submit(b).then((r) => {
      settled.push('b');
      return r;
    });
    await until(() => store.gates.length === 1);
    // b chains on a, which is not committed yet: it is decided on a's state, not sent, not answered.
    await new Promise((r) => setTimeout(r, 20));
    expect(store.gates).toHaveLength(1);
    expect(settled).toEqual([]);
    expect(sequencer.size).toBe(0);
    store.gates[0]!.open();
    const ra = await pa;
    expect(ra.entries[0]).toMatchObject({ seq: 0, duplicate: false });
    expect(ra.checkpoint.treeSize).toBe(1);
    await until(() => store.gates.length === 2);
    expect(settled).toEqual(['a']);
    store.gates[1]!.open();
    const rb = await pb;
    expect(rb.entries[0]).toMatchObject({ seq: 1, duplicate: false });
    expect(rb.checkpoint.rootHash).toBe(toHex(rootFromLeafHashes([a, b].map((s) => fromHex(s.events[0]!.id)))));
    expect(store.appended).toEqual([0, 1]);
    await sequencer.stop();
  });

  it('fails the batch decided on a batch whose commit fails, writes neither, and goes on from the log', async () => {
    const { store, sequencer } = await setup();
    const a = submission('urn:milkchain:collection:f');
    const b = submission('urn:milkchain:collection:f', a.events[0]!.id);
    const pa = sequencer.submit(a);
    const pb = sequencer.submit(b);
    await until(() => store.gates.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    store.gates[0]!.fail(new Error('disk full'));
    await expect(pa).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(pb).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(store.gates).toHaveLength(1);
    expect(await store.size()).toBe(0);
    expect(sequencer.size).toBe(0);

    // b's prev named an event that never committed: now it is refused, and a goes in at seq 0.
    store.gated = false;
    await expect(sequencer.submit(b)).rejects.toMatchObject({ code: 'CONFLICT' });
    const again = await sequencer.submit(a);
    expect(again.entries[0]).toMatchObject({ seq: 0, duplicate: false });
    expect(await store.size()).toBe(1);
    await sequencer.stop();
  });

  it('answers a resubmission of an event in the commit in flight as a duplicate, after that commit', async () => {
    const { store, sequencer } = await setup();
    const a = submission('urn:milkchain:collection:d');
    const first = sequencer.submit(a);
    const second = sequencer.submit(a);
    await until(() => store.gates.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    store.gates[0]!.open();
    expect((await first).entries[0]).toMatchObject({ seq: 0, duplicate: false });
    const dup = await second;
    expect(dup.entries[0]).toMatchObject({ seq: 0, duplicate: true });
    expect(dup.checkpoint.treeSize).toBe(1);
    expect(store.gates).toHaveLength(1);
    await sequencer.stop();
  });
});
