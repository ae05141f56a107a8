import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { verifyReceipt, type LedgerEvent } from '@milkchain/ledger';
import { audit, storeSource } from '@milkchain/ledger-service';
import { demoWorld } from '@milkchain/seeds';
import { runSteps } from '@milkchain/embedded';
import { api, startWorld, type World } from './support/world.ts';

/**
 * The chain of custody in one process, through the HTTP APIs: the first days of the demo world
 * (farm → collector → processor → lab → packing → shipment → shop), then what must hold: every
 * step sequenced, every service's projection equal to the ledger, the audit clean.
 */
let world: World;
let events = 0;

beforeAll(async () => {
  world = await startWorld(inject('postgresUrl'), 'chain');
  events = await runSteps(world.base, world.tokens, demoWorld({ days: 3 }), undefined, () => world.composed.projected());
}, 600_000);

afterAll(async () => {
  await world?.close();
});

describe('a full chain through the services', () => {
  it('sequences every step and the projections agree with the ledger', async () => {
    expect(events).toBeGreaterThan(100);
    const { store } = world.composed.ledger;
    const size = await store.size();
    const { rows } = await world.composed.pool.query<{ service: string; n: string; pending: string }>(
      `SELECT service, count(*) AS n, count(*) FILTER (WHERE status <> 'sequenced') AS pending FROM custody_events GROUP BY service ORDER BY service`,
    );
    expect(rows.map((r) => r.service)).toEqual(['farm', 'lab', 'logistics', 'processor', 'trace']); // trace: the recall write path's projection
    for (const r of rows) {
      expect(Number(r.pending), r.service).toBe(0);
      expect(Number(r.n), r.service).toBe(size);
    }
    // Every object's head is the ledger's head for its subject.
    const objects = await world.composed.pool.query<{ service: string; subject: string; head: string }>('SELECT service, subject, head FROM custody_objects');
    const heads = await store.heads([...new Set(objects.rows.map((o) => o.subject))]);
    for (const o of objects.rows) expect(o.head, `${o.service} ${o.subject}`).toBe(heads.get(o.subject));
  });

  it('passes the audit', async () => {
    const { store, logKey } = world.composed.ledger;
    const report = await audit(storeSource(store), { logKeys: [logKey.publicJwk], trust: 'pinned', operatorOrg: 'org_milkchain' });
    expect(report.ok, JSON.stringify(report.issues.slice(0, 3))).toBe(true);
    expect(report.entries).toBe(await store.size());
  });

  it('answers Prefer: wait with receipts that verify offline', async () => {
    const token = world.tokens.get('org_tumed_left_pasture')!;
    const res = await api(world.base, 'POST', '/farm/v1/animals', {
      token,
      headers: { prefer: 'wait=10' },
      body: { earTag: '215012100099001', species: 'cow', breed: '荷斯坦牛 Holstein', sex: 'female', birthDate: '2023-03-01', herd: 'TM-H01', origin: 'born_on_farm' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const [created] = res.body.events as Array<{ id: string; receipt: Record<string, unknown> }>;
    const jwks = await api(world.base, 'GET', '/.well-known/jwks.json');
    const orgKeys = await api(world.base, 'GET', '/ledger/v1/keys');
    const verdict = await verifyReceipt(created!.receipt as never, {
      logKeys: jwks.body as never,
      orgKeys: orgKeys.body as never,
    });
    expect(verdict.ok, JSON.stringify(verdict.checks)).toBe(true);
    expect((created!.receipt.event as LedgerEvent).subject).toBe('urn:milkchain:animal:215012100099001');
  });

  it('refuses a collection warmer than the cooling rule allows, naming the rule, and writes nothing', async () => {
    const token = world.tokens.get('org_tumed_left_pasture')!;
    const before = await world.composed.pool.query<{ n: string }>('SELECT count(*) AS n FROM bus_outbox');
    const now = new Date();
    const res = await api(world.base, 'POST', '/farm/v1/collections', {
      token,
      body: {
        collectionId: `warm-${now.getTime()}`,
        species: 'cow',
        volumeL: 800,
        tankTemperatureC: 7.2,
        milkingWindow: { start: new Date(now.getTime() - 3 * 3600_000).toISOString(), end: new Date(now.getTime() - 2.5 * 3600_000).toISOString() },
        animalsExcluded: [],
        handoverSlipNo: 'JJD-TEST-0001',
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.type).toContain('application/problem+json');
    expect(String(res.body.rule)).toMatch(/^raw-milk\./);
    const after = await world.composed.pool.query<{ n: string }>('SELECT count(*) AS n FROM bus_outbox');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('refuses a command from a role that may not make it (403)', async () => {
    const farmToken = world.tokens.get('org_tumed_left_pasture')!;
    const res = await api(world.base, 'POST', '/processor/v1/batches', { token: farmToken, body: {} });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });

  it('lists the caller’s own objects and hides other organisations’', async () => {
    const farm = world.tokens.get('org_tumed_left_pasture')!;
    const mine = await api(world.base, 'GET', '/farm/v1/objects?type=collection&limit=5', { token: farm });
    expect(mine.status).toBe(200);
    const objects = mine.body.objects as Array<{ org: string; subject: string }>;
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect(o.org).toBe('org_tumed_left_pasture');
    const other = await api(world.base, 'GET', `/farm/v1/objects/${encodeURIComponent(objects[0]!.subject)}`, { token: world.tokens.get('org_nmg_dairy_lab')! });
    expect(other.status).toBe(404);
  });

  it('serves an OpenAPI 3.1 document for every service', async () => {
    for (const s of ['farm', 'processor', 'lab', 'logistics', 'identity']) {
      const doc = await api(world.base, 'GET', `/${s}/openapi.json`);
      expect(doc.status, s).toBe(200);
      expect(doc.body.openapi, s).toBe('3.1.0');
      expect(Object.keys(doc.body.paths as object).length, s).toBeGreaterThan(1);
    }
  });
});
