import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { validateEpcisDocument, EPCIS_CONTEXT_URL } from '@milkchain/epcis';
import { demoWorld, ORG, worldOrg } from '@milkchain/seeds';
import { runSteps } from '@milkchain/embedded';
import { api, startWorld, type World } from './support/world.ts';

/**
 * EPCIS over HTTP on the demo world's first days, through the real services in one process:
 * every subject's export validates against the official schema (ajv, through packages/epcis);
 * GS1's example documents are refused as packages/epcis decides; a partner's document is
 * captured (202, then success with the custody command ids), and the same document again is a 409.
 */
let world: World;
const REGULATOR = ORG.regulator;
const SHOP = ORG.shopHohhot;
const EXAMPLES = path.resolve(import.meta.dirname, '../packages/epcis/standards/examples');

beforeAll(async () => {
  world = await startWorld(inject('postgresUrl'), 'epcis');
  await runSteps(world.base, world.tokens, demoWorld({ days: 3 }), undefined, () => world.composed.projected());
  await world.composed.projected();
}, 600_000);

afterAll(async () => {
  await world?.close();
});

async function getDoc(pathAndQuery: string, token = world.tokens.get(REGULATOR)!) {
  const res = await fetch(world.base + pathAndQuery, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, unknown> };
}

async function awaitCapture(location: string, token: string): Promise<Record<string, unknown>> {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await api(world.base, 'GET', location, { token });
    expect(res.status).toBe(200);
    if (res.body.status !== 'running') return res.body;
    if (Date.now() > until) throw new Error(`capture still running: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('EPCIS export', () => {
  it('exports every subject of the demo world as an EPCISDocument that validates against the EPCIS 2.0 schema', async () => {
    const { rows } = await world.composed.pool.query<{ subject: string; type: string }>('SELECT subject, type FROM trace_nodes ORDER BY subject');
    expect(rows.length).toBeGreaterThan(50);
    const types = new Set<string>();
    let events = 0;
    for (const { subject, type } of rows) {
      const res = await getDoc(`/trace/v1/epcis?subject=${encodeURIComponent(subject)}`);
      expect(res.status, `${subject}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
      expect(res.type).toMatch(/^application\/ld\+json/);
      const check = validateEpcisDocument(res.body);
      expect(check, subject).toEqual({ ok: true });
      const list = (res.body.epcisBody as { eventList: Array<Record<string, unknown>> }).eventList;
      // The subject's own events are in it (animals are not exported: their kinds carry no product).
      if (type !== 'animal') expect(list.some((e) => e['milkchain:subject'] === subject), subject).toBe(true);
      // Log order.
      const seqs = list.map((e) => e['milkchain:seq'] as number);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      types.add(type);
      events += list.length;
    }
    expect([...types]).toEqual(expect.arrayContaining(['collection', 'load', 'batch', 'lot', 'sample', 'shipment']));
    expect(events).toBeGreaterThan(rows.length);
  }, 300_000);

  it('serves a lot by its GS1 keys: the lot, its batch and loads down to the farm collections, with the lab results', async () => {
    const { rows } = await world.composed.pool.query<{ gtin: string; lot: string; subject: string }>(`SELECT gtin, lot, subject FROM trace_nodes WHERE type = 'lot' ORDER BY created_at LIMIT 1`);
    const l = rows[0]!;
    const res = await getDoc(`/trace/v1/epcis/01/${l.gtin}/10/${encodeURIComponent(l.lot)}`);
    expect(res.status).toBe(200);
    const kinds = new Set((res.body.epcisBody as { eventList: Array<Record<string, unknown>> }).eventList.map((e) => e['milkchain:kind']));
    expect([...kinds]).toEqual(expect.arrayContaining(['lot.packed', 'batch.produced', 'milk.received', 'milk.transported', 'milk.collected', 'lab.result.recorded']));
  });

  it('needs a token, refuses other organisations\' subjects to a farm, and names unknown subjects', async () => {
    const { rows } = await world.composed.pool.query<{ subject: string }>(`SELECT subject FROM trace_nodes WHERE type = 'lot' ORDER BY created_at LIMIT 1`);
    const subject = encodeURIComponent(rows[0]!.subject);
    expect((await fetch(`${world.base}/trace/v1/epcis?subject=${subject}`)).status).toBe(401);
    expect((await getDoc(`/trace/v1/epcis?subject=${subject}`, world.tokens.get(ORG.farmTogtoh)!)).status).toBe(403);
    expect((await getDoc(`/trace/v1/epcis?subject=urn:milkchain:lot:06901234000016:NOPE`)).status).toBe(404);
    expect((await getDoc(`/trace/v1/epcis?subject=not-a-urn`)).status).toBe(400);
    expect((await getDoc(`/trace/v1/epcis/01/06901234000017/10/X`)).status).toBe(400);
  });
});

describe('EPCIS capture', () => {
  it('refuses each of the five GS1 example documents with 422, naming the event and the field, in Chinese and English', async () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.jsonld')).sort();
    expect(files).toHaveLength(5);
    const pointers: Record<string, string[]> = {};
    for (const f of files) {
      const res = await api(world.base, 'POST', '/epcis/v2/capture', { token: world.tokens.get(SHOP), raw: readFileSync(path.join(EXAMPLES, f), 'utf8'), headers: { 'content-type': 'application/ld+json' } });
      expect(res.status, `${f}: ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.type).toMatch(/^application\/problem\+json/);
      const problems = res.body.problems as Array<{ path: string; index: number; reason: { 'zh-CN': string; en: string } }>;
      for (const p of problems) {
        expect(p.reason['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
        expect(p.reason.en.length).toBeGreaterThan(10);
      }
      pointers[f] = problems.map((p) => p.path);
    }
    expect(pointers).toEqual({
      'Example_9.6.1-ObjectEvent.jsonld': ['/epcisBody/eventList/0/epcList/0', '/epcisBody/eventList/1/epcList/0'],
      'Example_9.6.3-AggregationEvent.jsonld': ['/epcisBody/eventList/0/childEPCs/0'],
      'Example_9.6.4-TransformationEvent.jsonld': ['/epcisBody/eventList/0/outputEPCList/0'],
      'Example_9.6.4-TransformationEventWithDigitalLink.jsonld': ['/epcisBody/eventList/0/outputEPCList/0'],
      'SensorDataExample1.jsonld': ['/epcisBody/eventList/0/bizStep'],
    });
  });

  it('answers 400 naming the pointer for a document the schema refuses', async () => {
    const res = await api(world.base, 'POST', '/epcis/v2/capture', {
      token: world.tokens.get(SHOP),
      body: { '@context': [EPCIS_CONTEXT_URL], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: 'yesterday', epcisBody: { eventList: [] } },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.problems)).toContain('/creationDate');
  });

  it("captures a shop's sale of a lot it holds: 202 with a capture id, then success with the custody command; the same document again is a 409", async () => {
    const { rows } = await world.composed.pool.query<{ gtin: string; lot: string; subject: string; units: number }>(
      `SELECT gtin, lot, subject, (state->'holdings'->>$1)::int AS units FROM trace_nodes WHERE type = 'lot' AND status <> 'held' AND (state->'holdings'->>$1)::int > 1 ORDER BY created_at LIMIT 1`,
      [SHOP],
    );
    const held = rows[0]!;
    const now = new Date(Date.now() - 60_000 + 8 * 3_600_000).toISOString().replace(/\.\d+Z$/, '+08:00');
    const doc = {
      '@context': [EPCIS_CONTEXT_URL],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: now,
      epcisBody: {
        eventList: [
          {
            type: 'ObjectEvent',
            eventID: `urn:uuid:${crypto.randomUUID()}`,
            eventTime: now,
            eventTimeZoneOffset: '+08:00',
            action: 'OBSERVE',
            bizStep: 'https://ref.gs1.org/cbv/BizStep-retail_selling',
            disposition: 'retail_sold',
            quantityList: [{ epcClass: `https://id.gs1.org/01/${held.gtin}/10/${encodeURIComponent(held.lot)}`, quantity: 1 }],
            bizLocation: { id: `https://id.gs1.org/414/${worldOrg(SHOP).gln}` },
          },
        ],
      },
    };
    const token = world.tokens.get(SHOP)!;
    const first = await api(world.base, 'POST', '/epcis/v2/capture', { token, body: doc });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body.location).toBe(`/epcis/v2/capture/${String(first.body.captureID)}`);
    const done = await awaitCapture(String(first.body.location), token);
    expect(done.status, JSON.stringify(done)).toBe('success');
    const results = done.results as Array<{ service: string; command: string; events: string[] }>;
    expect(results).toHaveLength(1);
    expect(results[0]!.service).toBe('logistics');
    expect(results[0]!.events).toHaveLength(1);
    // The sale is in the ledger, signed by the shop's organisation.
    const receipt = await api(world.base, 'GET', `/ledger/v1/events/${results[0]!.events[0]}`);
    expect(receipt.status).toBe(200);
    expect((receipt.body.event as { kind: string; org: string; subject: string }).kind).toBe('lot.sold');
    expect((receipt.body.event as { org: string }).org).toBe(SHOP);

    const again = await api(world.base, 'POST', '/epcis/v2/capture', { token, body: doc });
    expect(again.status).toBe(409);
    expect(again.body.eventIds).toEqual([doc.epcisBody.eventList[0]!.eventID]);

    // Another organisation does not see the capture.
    expect((await api(world.base, 'GET', String(first.body.location), { token: world.tokens.get(ORG.farmTogtoh) })).status).toBe(404);
  });

  it('records a capture the custody service refuses as failed, with the problem, and gives its eventIDs back', async () => {
    const now = new Date(Date.now() - 60_000 + 8 * 3_600_000).toISOString().replace(/\.\d+Z$/, '+08:00');
    const eventID = `urn:uuid:${crypto.randomUUID()}`;
    // The shop sells units of a lot that does not exist.
    const doc = {
      '@context': [EPCIS_CONTEXT_URL],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: now,
      epcisBody: {
        eventList: [
          {
            type: 'ObjectEvent',
            eventID,
            eventTime: now,
            eventTimeZoneOffset: '+08:00',
            action: 'OBSERVE',
            bizStep: 'retail_selling',
            quantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000016/10/NOSUCHLOT', quantity: 1 }],
            bizLocation: { id: `https://id.gs1.org/414/${worldOrg(SHOP).gln}` },
          },
        ],
      },
    };
    const token = world.tokens.get(SHOP)!;
    const first = await api(world.base, 'POST', '/epcis/v2/capture', { token, body: doc });
    expect(first.status).toBe(202);
    const done = await awaitCapture(String(first.body.location), token);
    expect(done.status).toBe('failed');
    expect((done.problem as { status: number }).status).toBeGreaterThanOrEqual(400);
    const { rowCount } = await world.composed.pool.query('SELECT 1 FROM epcis_captured_events WHERE event_id = $1', [eventID]);
    expect(rowCount).toBe(0);
  });
});
