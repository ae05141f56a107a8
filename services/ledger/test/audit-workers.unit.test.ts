import { describe, expect, it } from 'vitest';
import {
  canonicalBytes,
  eventIdFromBytes,
  fromHex,
  generateOrgKey,
  rootFromLeafHashes,
  signCheckpoint,
  signEventId,
  signEventIds,
  toHex,
  type EventSignature,
  type LedgerEvent,
} from '@milkchain/ledger';
import { audit, type AuditEntry, type AuditReport, type AuditSource } from '../src/audit.ts';
import type { CheckpointRecord } from '../src/store/port.ts';

const OPERATOR = 'org_operator';

/**
 * A log of ~5,000 entries (several worker chunks): the farm's key registered by the operator,
 * single-signed chained events, bulk-signed events with inputs, a second key registration late
 * in the log, and checkpoints along the way.
 */
async function buildLog() {
  const log = await generateOrgKey();
  const farm = await generateOrgKey();
  const late = await generateOrgKey();
  const logKeys = [{ ...log.publicJwk, kid: log.kid }];
  const entries: AuditEntry[] = [];
  const base = { v: 1 as const, kindVersion: 1, inputs: [] as string[], occurredAt: '2026-11-23T06:00:00+08:00' };
  const add = (event: LedgerEvent, signature: EventSignature) => {
    const canonical = canonicalBytes(event);
    entries.push({ seq: entries.length, id: eventIdFromBytes(canonical), canonical, signature });
    return entries.at(-1)!.id;
  };
  const register = async (org: string, key: typeof farm) => {
    const reg: LedgerEvent = { ...base, kind: 'org.key.registered', org: OPERATOR, subject: `urn:milkchain:org:${org}:${key.kid}`, prev: null, data: { org, kid: key.kid, jwk: key.publicJwk } };
    return add(reg, await signEventId(eventIdFromBytes(canonicalBytes(reg)), log.privateJwk, log.kid));
  };
  const single = async (e: LedgerEvent, key: typeof farm) => add(e, await signEventId(eventIdFromBytes(canonicalBytes(e)), key.privateJwk, key.kid));
  await register('org_farm', farm);
  let prev: string | null = null;
  for (let i = 0; i < 40; i++) {
    prev = await single({ ...base, kind: 'milk.collected', org: 'org_farm', subject: 'urn:milkchain:collection:a', prev, data: { i } }, farm);
  }
  for (let b = 0; b < 5; b++) {
    const bulk = Array.from({ length: 1000 }, (_, i): LedgerEvent => ({ ...base, kind: 'milk.collected', org: 'org_farm', subject: `urn:milkchain:collection:b${b}-${i}`, prev: null, inputs: i % 97 === 0 ? [prev!] : [], data: { i } }));
    const ids = bulk.map((e) => eventIdFromBytes(canonicalBytes(e)));
    const sig = { jws: await signEventIds(ids, farm.privateJwk, farm.kid), ids };
    for (const e of bulk) add(e, sig);
  }
  const lateAt = entries.length;
  await register('org_late', late);
  for (let i = 0; i < 20; i++) await single({ ...base, kind: 'milk.collected', org: 'org_late', subject: `urn:milkchain:collection:late-${i}`, prev: null, data: { i } }, late);
  const checkpoint = async (list: AuditEntry[], size: number): Promise<CheckpointRecord> => {
    const rootHash = toHex(rootFromLeafHashes(list.slice(0, size).map((e) => fromHex(e.id))));
    const jws = await signCheckpoint({ origin: 'test', treeSize: size, rootHash, issuedAt: '2026-11-23T00:00:00Z' }, log.privateJwk, log.kid);
    return { treeSize: size, rootHash, issuedAt: '2026-11-23T00:00:00Z', jws };
  };
  return { farm, late, lateAt, logKeys, entries, checkpoint, single, base };
}

function memorySource(entries: AuditEntry[], checkpoints: CheckpointRecord[]): AuditSource {
  return {
    size: async () => entries.length,
    entries: async (start, limit) => entries.slice(start, start + limit),
    async *scan(start, end) {
      for (let at = start; at < end; at += 2048) yield entries.slice(at, Math.min(end, at + 2048));
    },
    checkpoints: async (from, to) => checkpoints.filter((c) => c.treeSize >= from && c.treeSize <= to),
    latestCheckpoint: async () => checkpoints.at(-1) ?? null,
  };
}

/** The report without its timing. */
async function auditWith(workers: number, entries: AuditEntry[], checkpoints: CheckpointRecord[], logKeys: object[]) {
  const { seconds, ...rest }: AuditReport = await audit(memorySource(entries, checkpoints), { logKeys: logKeys as never[], trust: 'test', operatorOrg: OPERATOR, workers, maxIssues: 1000 });
  expect(seconds).toBeGreaterThanOrEqual(0);
  return rest;
}

/** Audits on this thread and with 1 and 2 workers; all three reports must be identical. */
async function sameEverywhere(entries: AuditEntry[], checkpoints: CheckpointRecord[], logKeys: object[]) {
  const sequential = await auditWith(0, entries, checkpoints, logKeys);
  expect(await auditWith(1, entries, checkpoints, logKeys)).toEqual(sequential);
  expect(await auditWith(2, entries, checkpoints, logKeys)).toEqual(sequential);
  return sequential;
}

describe('audit on worker threads', () => {
  it('reports exactly what the sequential audit reports, on a good log and on tampered ones', async () => {
    const w = await buildLog();
    const withCheckpoints = async (list: AuditEntry[]) => [await w.checkpoint(list, 3000), await w.checkpoint(list, list.length)];
    const renumber = (list: AuditEntry[]) => list.map((e, seq) => ({ ...e, seq }));

    const good = await sameEverywhere(w.entries, await withCheckpoints(w.entries), w.logKeys);
    expect(good.ok).toBe(true);
    expect(good.entries).toBe(w.entries.length);
    expect(good.checkpoints).toBe(2);

    // A changed byte (checkpoints signed over the original log).
    const changed = w.entries.slice();
    const bytes = changed[2500]!.canonical.slice();
    bytes[bytes.length - 3] = '7'.charCodeAt(0);
    changed[2500] = { ...changed[2500]!, canonical: bytes };
    const r1 = await sameEverywhere(changed, await withCheckpoints(w.entries), w.logKeys);
    expect(r1.issues[0]).toMatchObject({ seq: 2500, check: 'event-hash' });

    // A forked chain: a second event with the same prev as entry 10 (whose prev is entry 9).
    const forked = w.entries.slice();
    const fork = await w.single({ ...w.base, kind: 'milk.collected', org: 'org_farm', subject: 'urn:milkchain:collection:a', prev: w.entries[9]!.id, data: { fork: true } }, w.farm);
    const forkEntry = w.entries.pop()!;
    expect(forkEntry.id).toBe(fork);
    forked.splice(4000, 0, forkEntry);
    const forkedLog = renumber(forked);
    const r2 = await sameEverywhere(forkedLog, await withCheckpoints(forkedLog), w.logKeys);
    expect(r2.issues.map((i) => [i.seq, i.check])).toContainEqual([4000, 'chain']);

    // A wrong signature: a single one changed, and a bulk entry given another bulk's signature.
    const wrong = w.entries.slice();
    const sig = wrong[20]!.signature as string;
    wrong[20] = { ...wrong[20]!, signature: sig.slice(0, -6) + (sig.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA') };
    wrong[3500] = { ...wrong[3500]!, signature: wrong[100]!.signature };
    const r3 = await sameEverywhere(wrong, await withCheckpoints(wrong), w.logKeys);
    expect(r3.issues.filter((i) => i.check === 'signature').map((i) => i.seq)).toEqual([20, 3500]);

    // A key used before its registration: the late org's first event moved to the front.
    const early = w.entries.slice();
    const [moved] = early.splice(w.lateAt + 1, 1);
    early.splice(1, 0, moved!);
    const earlyLog = renumber(early);
    const r4 = await sameEverywhere(earlyLog, await withCheckpoints(earlyLog), w.logKeys);
    expect(r4.issues.filter((i) => i.check === 'signature')).toEqual([expect.objectContaining({ seq: 1, detail: expect.stringContaining('had not registered') })]);

    // A key "registered" by someone other than the operator: workers learn the kid's key from it,
    // but the log never registered it, so the events it signs are refused all the same.
    const rogue = await generateOrgKey();
    const rogueLog = w.entries.slice(0, 2100);
    const reg: LedgerEvent = { ...w.base, kind: 'org.key.registered', org: 'org_farm', subject: 'urn:milkchain:org:org_rogue', prev: null, data: { org: 'org_rogue', kid: rogue.kid, jwk: rogue.publicJwk } };
    await w.single(reg, w.farm);
    rogueLog.push(w.entries.pop()!);
    for (let i = 0; i < 3; i++) {
      await w.single({ ...w.base, kind: 'milk.collected', org: 'org_rogue', subject: `urn:milkchain:collection:rogue-${i}`, prev: null, data: { i } }, rogue);
      rogueLog.push(w.entries.pop()!);
    }
    const rogueRenumbered = renumber(rogueLog);
    const r5 = await sameEverywhere(rogueRenumbered, await withCheckpoints(rogueRenumbered), w.logKeys);
    expect(r5.issues.filter((i) => i.check === 'signature').map((i) => i.seq)).toEqual([2101, 2102, 2103]);
  }, 120_000);
});
