import { describe, expect, it } from 'vitest';
import { toHex, utf8Encode } from '../src/bytes.ts';
import { signCheckpoint } from '../src/checkpoint.ts';
import type { LedgerEvent } from '../src/event.ts';
import { eventIdFromBytes } from '../src/hash.ts';
import { canonicalBytes } from '../src/jcs.ts';
import { rootFromLeafHashes } from '../src/merkle.ts';
import { LogAuditor, type AuditorEntry } from '../src/auditor.ts';
import { fromHex } from '../src/bytes.ts';
import { generateOrgKey, signEventId, signEventIds, type EventSignature } from '../src/signatures.ts';

const OPERATOR = 'org_operator';

/** A small valid log: a key registration by the operator, then a farm's chained and bulk events. */
async function buildLog() {
  const log = await generateOrgKey();
  const farm = await generateOrgKey();
  const logKeys = { keys: [{ ...log.publicJwk, kid: log.kid }] };
  const entries: AuditorEntry[] = [];
  const add = (event: LedgerEvent, signature: EventSignature) => {
    const canonical = canonicalBytes(event);
    entries.push({ seq: entries.length, id: eventIdFromBytes(canonical), canonical, signature });
    return entries.at(-1)!.id;
  };
  const base = { v: 1 as const, kindVersion: 1, inputs: [] as string[], occurredAt: '2026-11-23T06:00:00+08:00' };
  const reg: LedgerEvent = { ...base, kind: 'org.key.registered', org: OPERATOR, subject: 'urn:milkchain:org:org_farm', prev: null, data: { org: 'org_farm', kid: farm.kid, jwk: farm.publicJwk } };
  add(reg, await signEventId(eventIdFromBytes(canonicalBytes(reg)), log.privateJwk, log.kid));
  let prev: string | null = null;
  for (let i = 0; i < 5; i++) {
    const e: LedgerEvent = { ...base, kind: 'milk.collected', org: 'org_farm', subject: 'urn:milkchain:collection:a', prev, data: { i } };
    prev = add(e, await signEventId(eventIdFromBytes(canonicalBytes(e)), farm.privateJwk, farm.kid));
  }
  const bulk = Array.from({ length: 300 }, (_, i): LedgerEvent => ({ ...base, kind: 'milk.collected', org: 'org_farm', subject: `urn:milkchain:collection:b${i}`, prev: null, inputs: i > 0 ? [prev!] : [], data: { i } }));
  const ids = bulk.map((e) => eventIdFromBytes(canonicalBytes(e)));
  const bulkSig = { jws: await signEventIds(ids, farm.privateJwk, farm.kid), ids };
  for (const e of bulk) add(e, bulkSig);
  const checkpoint = async (size: number, key = log) =>
    signCheckpoint({ origin: 'test', treeSize: size, rootHash: toHex(rootFromLeafHashes(entries.slice(0, size).map((e) => fromHex(e.id)))), issuedAt: '2026-11-23T00:00:00Z' }, key.privateJwk, log.kid);
  return { log, farm, logKeys, entries, checkpoint };
}

async function run(entries: AuditorEntry[], logKeys: { keys: object[] }, checkpoints: Array<[number, string]> = []) {
  const auditor = new LogAuditor({ logKeys: logKeys as never, operatorOrg: OPERATOR });
  const due = [...checkpoints];
  for (const e of entries) {
    await auditor.addEntry(e);
    while (due.length > 0 && due[0]![0] === auditor.size) await auditor.checkCheckpoint(due.shift()![1]);
  }
  await auditor.finish();
  return auditor;
}

const sorted = (a: LogAuditor) => [...a.issues].sort((x, y) => (x.seq ?? Infinity) - (y.seq ?? Infinity));

describe('LogAuditor', () => {
  it('accepts a valid log, learns its keys and rebuilds its root', async () => {
    const w = await buildLog();
    const a = await run(w.entries, w.logKeys, [[6, await w.checkpoint(6)], [w.entries.length, await w.checkpoint(w.entries.length)]]);
    expect(a.issues).toEqual([]);
    expect(a.size).toBe(306);
    expect(a.keysByKid().get(w.farm.kid)).toMatchObject({ org: 'org_farm', seq: 0 });
    expect(toHex(a.root())).toBe(toHex(rootFromLeafHashes(w.entries.map((e) => fromHex(e.id)))));
    expect(a.drainCompletedTiles()).toHaveLength(1); // 306 leaves: one full level-0 tile
    expect(a.currentTiles().map((t) => [t.tileLevel, t.tileIndex, t.hashes.length / 32])).toEqual([[0, 1, 50], [1, 0, 1]]);
  });

  it('a changed byte: event-hash at that entry', async () => {
    const w = await buildLog();
    const bytes = w.entries[3]!.canonical.slice();
    bytes[bytes.length - 3] = '7'.charCodeAt(0);
    w.entries[3] = { ...w.entries[3]!, canonical: bytes };
    expect(sorted(await run(w.entries, w.logKeys))[0]).toMatchObject({ seq: 3, check: 'event-hash' });
  });

  it('non-canonical bytes with a matching id: canonical-form', async () => {
    const w = await buildLog();
    const text = new TextDecoder().decode(w.entries[2]!.canonical).replace('{', '{ ');
    const canonical = utf8Encode(text);
    w.entries[2] = { ...w.entries[2]!, canonical, id: eventIdFromBytes(canonical) };
    expect(sorted(await run(w.entries, w.logKeys)).map((i) => [i.seq, i.check])).toContainEqual([2, 'canonical-form']);
  });

  it('a deleted entry: sequence; swapped entries: chain; repeated entry: duplicate', async () => {
    const w = await buildLog();
    expect(sorted(await run(w.entries.filter((e) => e.seq !== 3), w.logKeys))[0]).toMatchObject({ seq: 3, check: 'sequence' });
    const swapped = w.entries.slice();
    [swapped[2], swapped[3]] = [{ ...swapped[3]!, seq: 2 }, { ...swapped[2]!, seq: 3 }];
    expect(sorted(await run(swapped, w.logKeys))[0]).toMatchObject({ seq: 2, check: 'chain' });
    const repeated = [...w.entries, { ...w.entries[10]!, seq: w.entries.length }];
    expect(sorted(await run(repeated, w.logKeys)).map((i) => i.check)).toContain('duplicate');
  });

  it('an input that is not earlier in the log: inputs', async () => {
    const w = await buildLog();
    const moved = [w.entries[0]!, ...w.entries.slice(6, 8), ...w.entries.slice(1, 6)].map((e, seq) => ({ ...e, seq }));
    expect(sorted(await run(moved, w.logKeys)).map((i) => [i.seq, i.check])).toContainEqual([2, 'inputs']);
  });

  it('a changed signature, a key that was never registered, a bulk signature that does not cover the entry', async () => {
    const w = await buildLog();
    const sig = w.entries[4]!.signature as string;
    const bad = [...w.entries];
    bad[4] = { ...bad[4]!, signature: sig.slice(0, -6) + (sig.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA') };
    expect(sorted(await run(bad, w.logKeys))[0]).toMatchObject({ seq: 4, check: 'signature' });

    const rogue = await generateOrgKey();
    const forged = [...w.entries];
    forged[5] = { ...forged[5]!, signature: await signEventId(forged[5]!.id, rogue.privateJwk, rogue.kid) };
    expect(sorted(await run(forged, w.logKeys))[0]).toMatchObject({ seq: 5, check: 'signature' });

    const uncovered = [...w.entries];
    const other = w.entries[1]!;
    uncovered[1] = { ...other, signature: w.entries[100]!.signature };
    expect(sorted(await run(uncovered, w.logKeys))[0]).toMatchObject({ seq: 1, check: 'signature' });
  });

  it('a key registration not signed by a log key is refused, and later signatures with that key too', async () => {
    const w = await buildLog();
    const fakeLog = { keys: [{ ...(await generateOrgKey()).publicJwk, kid: w.log.kid }] };
    const checks = sorted(await run(w.entries, fakeLog)).map((i) => [i.seq, i.check]);
    expect(checks[0]).toEqual([0, 'signature']);
  });

  it('a forged checkpoint: checkpoint-signature; a wrong root: checkpoint-root', async () => {
    const w = await buildLog();
    const rogue = await generateOrgKey();
    const a = await run(w.entries, w.logKeys, [[6, await w.checkpoint(6, rogue)]]);
    expect(sorted(a)[0]).toMatchObject({ seq: 5, check: 'checkpoint-signature' });
    const good = await w.checkpoint(6);
    const b = await run(w.entries.slice(0, 7), w.logKeys, [[7, good]]);
    expect(b.issues.map((i) => i.check)).toEqual(['checkpoint-root']);
  });
});
