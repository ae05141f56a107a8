import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixtureEvent } from '@milkchain/domain/testing';
import { eventId, fromHex, verifyConsistency, verifyInclusion, verifyReceipt, peekCheckpoint, verifyCheckpoint, type LedgerEvent, type Receipt } from '@milkchain/ledger';
import { createTestDatabase } from '@milkchain/store/testing';
import { startTestLedger, TEST_ADMIN_TOKEN, type TestLedger, type TestOrg } from '../src/testing/index.ts';

let ledger: TestLedger;
let farm: TestOrg;
let dairy: TestOrg;

beforeAll(async () => {
  ledger = await startTestLedger({ databaseUrl: await createTestDatabase(inject('postgresUrl'), 'api') });
  farm = await ledger.registerOrg('org_demo_farm');
  dairy = await ledger.registerOrg('org_demo_dairy');
});
afterAll(() => ledger.close());

const subject = (kind = 'collection') => `urn:milkchain:${kind}:${randomUUID()}`;
function collection(over: Partial<LedgerEvent> = {}): LedgerEvent {
  return { ...fixtureEvent('milk.collected'), org: farm.org, subject: subject(), prev: null, inputs: [], ...over } as LedgerEvent;
}

async function submit(events: LedgerEvent[], signatures: string[], headers: Record<string, string> = {}) {
  const res = await fetch(`${ledger.url}/ledger/v1/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ events, signatures }),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, unknown> };
}
const signed = async (org: TestOrg, events: LedgerEvent[]) => Promise.all(events.map((e) => org.sign(eventId(e))));

async function trust() {
  const logKeys = (await ledger.jwks()) as { keys: never[] };
  const orgKeys = (await (await fetch(`${ledger.url}/ledger/v1/keys`)).json()) as { keys: never[] };
  return { logKeys, orgKeys };
}

/** Every refusal must change nothing: same size, same checkpoint. */
async function expectNothingWritten(action: () => Promise<{ status: number; type: string; body: Record<string, unknown> }>, status: number) {
  const before = await ledger.store.size();
  const cp = (await ledger.store.latestCheckpoint())?.treeSize;
  const res = await action();
  expect(res.status).toBe(status);
  expect(res.type).toContain('application/problem+json');
  expect(await ledger.store.size()).toBe(before);
  expect((await ledger.store.latestCheckpoint())?.treeSize).toBe(cp);
  return res.body;
}

describe('POST /ledger/v1/submissions', () => {
  it('answers 202 with ids and a status URL, and the status URL serves a receipt that verifies', async () => {
    const e = collection();
    const res = await submit([e], await signed(farm, [e]));
    expect(res.status).toBe(202);
    const events = res.body.events as Array<{ id: string; status: string }>;
    expect(events[0]!.id).toBe(eventId(e));
    const receipt = (await (await fetch(`${ledger.url}${res.body.status as string}`)).json()) as Receipt;
    expect(receipt.event).toEqual(e);
    const report = await verifyReceipt(receipt, await trust());
    expect(report.ok, JSON.stringify(report)).toBe(true);
  });

  it('with Prefer: wait answers 201 with receipts that verify offline', async () => {
    const e = collection();
    const res = await submit([e], await signed(farm, [e]), { prefer: 'wait=5' });
    expect(res.status).toBe(201);
    const [receipt] = res.body.receipts as Receipt[];
    expect((await verifyReceipt(receipt!, await trust())).ok).toBe(true);
  });

  it('admits a bulk submission signed once over the JSON list of ids', async () => {
    const events = Array.from({ length: 50 }, () => collection());
    const res = await submit(events, [await farm.signBulk(events.map(eventId))], { prefer: 'wait=10' });
    expect(res.status).toBe(201);
    const receipts = res.body.receipts as Receipt[];
    expect(receipts).toHaveLength(50);
    const t = await trust();
    for (const r of receipts) expect((await verifyReceipt(r, t)).ok).toBe(true);
    const seqs = receipts.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('answers a duplicate with the existing receipt and never logs it twice', async () => {
    const e = collection();
    const sig = await signed(farm, [e]);
    const first = await submit([e], sig, { prefer: 'wait=5' });
    const size = await ledger.store.size();
    const again = await submit([e], sig);
    expect(again.status).toBe(200);
    expect((again.body.receipts as Receipt[])[0]!.seq).toBe((first.body.receipts as Receipt[])[0]!.seq);
    expect(await ledger.store.size()).toBe(size);
  });

  it('chains events on a subject and refuses a stale prev with 409, writing nothing', async () => {
    const first = collection();
    await submit([first], await signed(farm, [first]), { prefer: 'wait=5' });
    const second = collection({ subject: first.subject, prev: eventId(first), occurredAt: '2026-11-23T07:00:00+08:00' });
    expect((await submit([second], await signed(farm, [second]))).status).toBe(202);
    const stale = collection({ subject: first.subject, prev: eventId(first), occurredAt: '2026-11-23T08:00:00+08:00' });
    const sig = await signed(farm, [stale]);
    const body = await expectNothingWritten(() => submit([stale], sig), 409);
    expect(body.code).toBe('CONFLICT');
    expect(String(body.detail)).toContain('prev');
  });

  it('lets exactly one of many concurrent submissions on the same subject through: no fork', async () => {
    const root = collection();
    await submit([root], await signed(farm, [root]), { prefer: 'wait=5' });
    const rivals = Array.from({ length: 12 }, (_, i) =>
      collection({ subject: root.subject, prev: eventId(root), occurredAt: `2026-11-23T09:${String(i).padStart(2, '0')}:00+08:00` }),
    );
    const results = await Promise.all(rivals.map(async (e) => submit([e], await signed(farm, [e]))));
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(11);
    const heads = await ledger.store.heads([root.subject]);
    const winner = rivals[results.findIndex((r) => r.status === 202)]!;
    expect(heads.get(root.subject)).toBe(eventId(winner));
  });

  it('admits a transformation whose inputs are in the log, and refuses an unknown input with 422', async () => {
    const milk = collection();
    await submit([milk], await signed(farm, [milk]), { prefer: 'wait=5' });
    const batch = { ...fixtureEvent('batch.produced'), org: dairy.org, subject: subject('batch'), prev: null, inputs: [eventId(milk)] } as LedgerEvent;
    expect((await submit([batch], await signed(dairy, [batch]))).status).toBe(202);
    const orphan = { ...batch, subject: subject('batch'), inputs: ['ab'.repeat(32)] };
    const sig = await signed(dairy, [orphan]);
    const body = await expectNothingWritten(() => submit([orphan], sig), 422);
    expect(body.pointer).toBe('/events/0/inputs/0');
  });

  it('refuses a whole submission when one event in it is refused', async () => {
    const ok = collection();
    const bad = collection({ prev: 'cd'.repeat(32) });
    const sigs = await signed(farm, [ok, bad]);
    await expectNothingWritten(() => submit([ok, bad], sigs), 409);
    expect(await ledger.store.entryById(eventId(ok))).toBeNull();
  });

  describe('bad input gets a problem+json 4xx that names the field, and writes nothing', () => {
    const raw = (body: string, contentType = 'application/json') => async () => {
      const res = await fetch(`${ledger.url}/ledger/v1/submissions`, { method: 'POST', headers: { 'content-type': contentType }, body });
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, unknown> };
    };
    const paths = (body: Record<string, unknown>) => (body.problems as Array<{ path: string }>).map((p) => p.path);

    it('malformed JSON', async () => {
      const body = await expectNothingWritten(raw('{"events": [}'), 400);
      expect(body.code).toBe('MALFORMED_JSON');
    });
    it('wrong type', async () => {
      expect(paths(await expectNothingWritten(raw('{"events": "milk", "signatures": []}'), 400))).toContain('/events');
    });
    it('unknown kind', async () => {
      const e = collection({ kind: 'milk.teleported' });
      expect(paths(await expectNothingWritten(async () => submit([e], await signed(farm, [e])), 400))).toContain('/events/0/kind');
    });
    it('invalid data field', async () => {
      const e = collection();
      const broken = { ...e, data: { ...e.data, volumeL: -5 } };
      const problems = paths(await expectNothingWritten(async () => submit([broken], await signed(farm, [broken])), 400));
      expect(problems).toContain('/events/0/data/volumeL');
    });
    it('bad signature', async () => {
      const e = collection();
      const other = collection();
      expect(paths(await expectNothingWritten(async () => submit([e], await signed(farm, [other])), 400))).toContain('/signatures/0');
    });
    it("another organisation's key", async () => {
      const e = collection();
      const body = await expectNothingWritten(async () => submit([e], await signed(dairy, [e])), 400);
      expect(JSON.stringify(body.problems)).toContain('belongs to org_demo_dairy');
    });
    it('a signature count that matches neither form', async () => {
      const es = [collection(), collection()];
      expect(paths(await expectNothingWritten(async () => submit(es, []), 400))).toContain('/signatures');
    });
    it('oversized body', async () => {
      const body = await expectNothingWritten(raw(JSON.stringify({ events: [], signatures: [], pad: 'x'.repeat(9 * 1024 * 1024) })), 413);
      expect(body.code).toBe('PAYLOAD_TOO_LARGE');
    });
    it('too many events', async () => {
      const events = Array.from({ length: 1001 }, () => ({}));
      expect(paths(await expectNothingWritten(raw(JSON.stringify({ events, signatures: [] })), 400))).toContain('/events');
    });
    it('not JSON at all', async () => {
      await expectNothingWritten(raw('events=1', 'application/x-www-form-urlencoded'), 415);
    });
    it('the operator-only kind from outside', async () => {
      const e = { ...fixtureEvent('org.key.registered'), org: farm.org } as LedgerEvent;
      expect(paths(await expectNothingWritten(async () => submit([e], await signed(farm, [e])), 400))).toContain('/events/0/kind');
    });
  });
});

describe('reads', () => {
  it('serves entries in log order with their signatures', async () => {
    const res = (await (await fetch(`${ledger.url}/ledger/v1/entries?start=0&limit=1000`)).json()) as {
      entries: Array<{ seq: number; id: string; event: LedgerEvent; signature: unknown }>;
      bulkSignatures: Record<string, string[]>;
    };
    expect(res.entries.length).toBe(await ledger.store.size());
    res.entries.forEach((e, i) => {
      expect(e.seq).toBe(i);
      expect(eventId(e.event)).toBe(e.id);
    });
    const bulk = res.entries.find((e) => typeof e.signature === 'object') as { id: string; signature: { bulk: string } } | undefined;
    expect(bulk).toBeDefined();
    expect(res.bulkSignatures[bulk!.signature.bulk]).toContain(bulk!.id);
  });

  it('serves a signed checkpoint and proofs that verify against it', async () => {
    const cp = (await (await fetch(`${ledger.url}/ledger/v1/checkpoint`)).json()) as { checkpoint: string; treeSize: number; rootHash: string };
    const payload = await verifyCheckpoint(cp.checkpoint, (await ledger.jwks()) as { keys: never[] });
    expect(payload.treeSize).toBe(cp.treeSize);
    const entries = await ledger.store.entries(0, cp.treeSize);
    for (const e of [entries[0]!, entries[Math.floor(entries.length / 2)]!, entries.at(-1)!]) {
      const proof = (await (await fetch(`${ledger.url}/ledger/v1/proofs/inclusion?id=${e.id}&treeSize=${cp.treeSize}`)).json()) as { leafIndex: number; hashes: string[] };
      expect(proof.leafIndex).toBe(e.seq);
      expect(() => verifyInclusion(fromHex(e.id), e.seq, cp.treeSize, proof.hashes.map(fromHex), fromHex(cp.rootHash))).not.toThrow();
    }
    const older = (await ledger.store.checkpoints(1, cp.treeSize, 1000))[1]!;
    const consistency = (await (await fetch(`${ledger.url}/ledger/v1/proofs/consistency?from=${older.treeSize}&to=${cp.treeSize}`)).json()) as { hashes: string[] };
    expect(peekCheckpoint(older.jws).rootHash).toBe(older.rootHash);
    expect(() => verifyConsistency(older.treeSize, cp.treeSize, consistency.hashes.map(fromHex), fromHex(older.rootHash), fromHex(cp.rootHash))).not.toThrow();
  });

  it('answers unknown ids with 404 and bad parameters with 400, as problem+json', async () => {
    const missing = await fetch(`${ledger.url}/ledger/v1/events/${'0'.repeat(64)}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${ledger.url}/ledger/v1/events/nothex`)).status).toBe(400);
    expect((await fetch(`${ledger.url}/ledger/v1/entries?limit=5000`)).status).toBe(400);
    expect((await fetch(`${ledger.url}/ledger/v1/proofs/consistency?from=9&to=2`)).status).toBe(400);
  });
});

describe('POST /ledger/v1/orgs/{org}/keys', () => {
  const post = (org: string, body: unknown, token?: string) =>
    fetch(`${ledger.url}/ledger/v1/orgs/${org}/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('needs the admin token', async () => {
    expect((await post('org_x1', { jwk: farm.publicJwk })).status).toBe(401);
    expect((await post('org_x1', { jwk: farm.publicJwk }, 'wrong-token-wrong-token')).status).toBe(403);
  });
  it('refuses private key material, naming the field', async () => {
    const res = await post('org_x2', { jwk: farm.privateJwk }, TEST_ADMIN_TOKEN);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('/jwk/d');
  });
  it('records the registration in the log, and answers a repeat with the same key', async () => {
    const entries = await ledger.store.entries(0, 10_000);
    const registration = entries.find((e) => e.kind === 'org.key.registered' && e.subject === 'urn:milkchain:org:org_demo_farm');
    expect(registration).toBeDefined();
    const again = await post('org_demo_farm', { jwk: farm.publicJwk }, TEST_ADMIN_TOKEN);
    expect(again.status).toBe(200);
    expect((await post('org_someone_else', { jwk: farm.publicJwk }, TEST_ADMIN_TOKEN)).status).toBe(409);
  });
});
