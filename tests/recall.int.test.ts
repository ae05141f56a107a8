import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { LedgerEvent } from '@milkchain/ledger';
import { AFM1_INCIDENT, demoWorld } from '@milkchain/seeds';
import { runSteps } from '@milkchain/embedded';
import { api, startWorld, type World } from './support/world.ts';

/**
 * A recall on the demo world through day 10 (the AFM1 confirmation of day 9's evening load fails
 * on day 10): started by the regulator from the failing lab result, its scope checked against the
 * lots that truly contain that load's milk, computed here from the ledger's entries (their inputs)
 * and never through the trace service; then the hold, a refused sale, signed webhook
 * notifications, each holder's acknowledgement, the closure, and every step in the ledger.
 */
let world: World;
let receiver: Server;
let hookUrl = '';
const hooks: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
const REGULATOR = 'org_hohhot_samr';
const RECALL_ID = 'RC-AFM1-TEST';

type Entry = { seq: number; id: string; event: LedgerEvent };

async function ledgerEntries(): Promise<Entry[]> {
  const { store } = world.composed.ledger;
  const size = await store.size();
  const out: Entry[] = [];
  const decoder = new TextDecoder();
  for (let start = 0; start < size; start += 1000) {
    for (const e of await store.entries(start, 1000)) out.push({ seq: e.seq, id: e.id, event: JSON.parse(decoder.decode(e.canonical)) as LedgerEvent });
  }
  return out;
}

const secretOf = (org: string) => `webhook-secret-of-${org}`;

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hooks.push({ path: req.url ?? '', headers: req.headers, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const a = receiver.address();
  hookUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  world = await startWorld(inject('postgresUrl'), 'recall');
  await runSteps(world.base, world.tokens, demoWorld({ days: AFM1_INCIDENT.day + 2 }), undefined, () => world.composed.projected());
  await world.composed.projected();
}, 900_000);

afterAll(async () => {
  await world?.close();
  await new Promise<void>((r) => receiver?.close(() => r()));
});

/** Lineage from the ledger alone: parent subject → the subjects made from it (inputs of loads, batches, lots). */
function childrenFromLedger(entries: readonly Entry[]): Map<string, Set<string>> {
  const subjectOf = new Map(entries.map((e) => [e.id, e.event.subject]));
  const children = new Map<string, Set<string>>();
  const add = (parent: string | undefined, child: string) => {
    if (parent === undefined || parent === child) return;
    if (!children.has(parent)) children.set(parent, new Set());
    children.get(parent)!.add(child);
  };
  for (const { event } of entries) {
    if (event.kind === 'milk.transported' || event.kind === 'lot.packed' || event.kind === 'batch.produced') {
      for (const input of event.inputs) add(subjectOf.get(input), event.subject);
    }
  }
  return children;
}

function descendants(children: Map<string, Set<string>>, root: string): Set<string> {
  const seen = new Set<string>();
  const todo = [root];
  while (todo.length > 0) {
    for (const c of children.get(todo.pop()!) ?? []) {
      if (!seen.has(c)) {
        seen.add(c);
        todo.push(c);
      }
    }
  }
  return seen;
}

describe('a recall on the demo world, from the failing AFM1 result', () => {
  let result: Entry;
  let expectedLots: string[];
  let holders: string[];

  it('the regulator starts it from the lab result; its scope is exactly the lots made from the failing load', async () => {
    const before = await ledgerEntries();
    result = before.find((e) => e.event.kind === 'lab.result.recorded' && e.event.subject.endsWith('-AFM1') && (e.event.data as { verdict: string }).verdict === 'non_conformant')!;
    expect(result, 'the AFM1 confirmation result').toBeDefined();
    const sample = before.find((e) => e.event.kind === 'sample.taken' && e.event.subject === result.event.subject)!;
    const load = (sample.event.data as { sampledFrom: string }).sampledFrom;
    expectedLots = [...descendants(childrenFromLedger(before), load)].filter((s) => s.startsWith('urn:milkchain:lot:')).sort();
    expect(expectedLots.length).toBeGreaterThan(0);

    // Every organisation subscribes a webhook before the recall starts.
    for (const [org, token] of world.tokens) {
      if (org.includes('#')) continue;
      const r = await api(world.base, 'POST', '/trace/v1/subscriptions', { token, body: { url: `${hookUrl}/${org}`, secret: secretOf(org) } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }

    // A caller cannot name the scope: the server computes it.
    const named = await api(world.base, 'POST', '/trace/v1/recalls', {
      token: world.tokens.get(REGULATOR),
      body: { level: 'I', cause: 'chemical_residue', description: 'x', action: 'stop_sale_and_return', root: result.id, lots: [{ gtin: '06901234000016', lot: 'X' }] },
    });
    expect(named.status).toBe(400);

    const started = await api(world.base, 'POST', '/trace/v1/recalls', {
      token: world.tokens.get(REGULATOR),
      headers: { prefer: 'wait=20' },
      body: {
        recallId: RECALL_ID,
        level: 'I',
        cause: 'chemical_residue',
        description: '黄曲霉毒素M1确证超标（0.62 µg/kg，限量0.5，GB 2761）。\nAflatoxin M1 confirmed above the limit.',
        action: 'stop_sale_and_return',
        root: result.id,
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    await world.composed.projected();

    const entries = await ledgerEntries();
    const initiated = entries.find((e) => e.event.kind === 'recall.initiated')!;
    expect(initiated.event.org).toBe(REGULATOR);
    const data = initiated.event.data as { root: string; lots: Array<{ gtin: string; lot: string }> };
    expect(data.root).toBe(`urn:milkchain:event:${result.id}`);
    expect(data.lots.map((l) => `urn:milkchain:lot:${l.gtin}:${l.lot}`).sort()).toEqual(expectedLots);

    const view = await api(world.base, 'GET', `/trace/v1/recalls/${RECALL_ID}`, { token: world.tokens.get(REGULATOR) });
    expect(view.status).toBe(200);
    const lots = view.body.lots as Array<{ subject: string; status: string }>;
    expect(lots.map((l) => l.subject).sort()).toEqual(expectedLots);
    holders = (view.body.holders as Array<{ org: string; acknowledged: boolean }>).map((h) => h.org);
    expect(holders.length).toBeGreaterThan(0);
    expect(view.body).toMatchObject({ status: 'open', initiator: REGULATOR, acknowledged: 0 });
  });

  it('holds every lot in scope: recalled in the trace, on hold for the custody services, and a sale is refused', async () => {
    const { rows } = await world.composed.pool.query<{ subject: string; status: string; recalled: boolean }>('SELECT subject, status, recalled FROM trace_nodes WHERE subject = ANY($1::text[])', [expectedLots]);
    expect(rows.length).toBe(expectedLots.length);
    for (const r of rows) expect(r, r.subject).toMatchObject({ status: 'recalled', recalled: true });
    const custody = await world.composed.pool.query<{ subject: string; status: string; reason: string }>(
      `SELECT subject, status, state->'data'->'hold'->>'reason' AS reason FROM custody_objects WHERE service = 'logistics' AND subject = ANY($1::text[])`,
      [expectedLots],
    );
    expect(custody.rows.length).toBe(expectedLots.length);
    for (const r of custody.rows) expect(r, r.subject).toMatchObject({ status: 'held', reason: 'recall' });

    const [gtin, lot] = expectedLots[0]!.split(':').slice(3);
    const shop = 'org_qingcheng_mart';
    const sale = await api(world.base, 'POST', '/logistics/v1/sales', { token: world.tokens.get(shop) ?? world.tokens.get(`${shop}#retailer`), body: { gtin, lot, units: 1 } });
    expect(sale.status, JSON.stringify(sale.body)).toBe(409);
    expect(sale.body.rule).toBe('lot.on-hold');
  });

  it('notifies every holder through its webhook, with a valid HMAC over the body and a bilingual message', async () => {
    const got = await until('a notification for every holder', () => {
      const initiated = hooks.filter((h) => h.headers['x-milkchain-event'] === 'recall.initiated');
      return initiated.length >= holders.length ? initiated : undefined;
    });
    expect(got.map((h) => h.path.slice(1)).sort()).toEqual([...holders].sort());
    for (const h of got) {
      const org = h.path.slice(1);
      const expected = `sha256=${createHmac('sha256', secretOf(org)).update(h.body, 'utf8').digest('hex')}`;
      expect(h.headers['x-milkchain-signature']).toBe(expected);
      const body = JSON.parse(h.body) as { recallId: string; to: string; message: { 'zh-CN': string; en: string }; recall: { lots: Array<{ gtin: string; lot: string }> } };
      expect(body).toMatchObject({ recallId: RECALL_ID, to: org });
      expect(body.message['zh-CN']).toMatch(/召回/);
      expect(body.message.en).toMatch(/Recall/);
      expect(body.recall.lots.map((l) => `urn:milkchain:lot:${l.gtin}:${l.lot}`).sort()).toEqual(expectedLots);
    }
    // Nobody else was told.
    expect(hooks.filter((h) => h.headers['x-milkchain-event'] === 'recall.initiated').length).toBe(holders.length);
  });

  it('refuses to close while holders have not acknowledged; each holder acknowledges with a comment; the initiator closes it', async () => {
    const early = await api(world.base, 'POST', `/trace/v1/recalls/${RECALL_ID}/close`, { token: world.tokens.get(REGULATOR), body: { summary: '召回完成 done' } });
    expect(early.status, JSON.stringify(early.body)).toBe(409);
    expect(early.body.rule).toBe('recall.unacknowledged');

    const outsider = await api(world.base, 'POST', `/trace/v1/recalls/${RECALL_ID}/acknowledgements`, { token: world.tokens.get('org_caoyuan_coldchain'), body: { comment: 'x' } });
    if (!holders.includes('org_caoyuan_coldchain')) expect(outsider.status).toBe(409);

    for (const org of holders) {
      const r = await api(world.base, 'POST', `/trace/v1/recalls/${RECALL_ID}/acknowledgements`, {
        token: world.tokens.get(org),
        headers: { prefer: 'wait=20' },
        body: { comment: `${org} 已下架封存 taken off sale` },
      });
      expect(r.status, `${org}: ${JSON.stringify(r.body)}`).toBe(201);
    }
    await world.composed.projected();
    const view = await api(world.base, 'GET', `/trace/v1/recalls/${RECALL_ID}`, { token: world.tokens.get(REGULATOR) });
    expect(view.body.pending).toEqual([]);
    for (const h of view.body.holders as Array<{ org: string; acknowledged: boolean; note: string }>) expect(h).toMatchObject({ acknowledged: true, note: `${h.org} 已下架封存 taken off sale` });

    const closed = await api(world.base, 'POST', `/trace/v1/recalls/${RECALL_ID}/close`, {
      token: world.tokens.get(REGULATOR),
      headers: { prefer: 'wait=20' },
      body: { summary: '召回完成，回收产品已无害化处理。\nRecall complete.' },
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    await world.composed.projected();
    const after = await api(world.base, 'GET', `/trace/v1/recalls/${RECALL_ID}`, { token: world.tokens.get(REGULATOR) });
    expect(after.body.status).toBe('closed');
    const list = await api(world.base, 'GET', '/trace/v1/recalls?status=closed', { token: world.tokens.get(REGULATOR) });
    expect((list.body.recalls as Array<{ recallId: string }>).map((r) => r.recallId)).toContain(RECALL_ID);
  });

  it('every step is an event in the ledger, signed by the organisation that acted', async () => {
    const entries = (await ledgerEntries()).filter((e) => e.event.subject === `urn:milkchain:recall:${RECALL_ID}`);
    expect(entries.map((e) => e.event.kind)).toEqual(['recall.initiated', ...holders.map(() => 'recall.acknowledged'), 'recall.closed']);
    expect(entries[0]!.event.org).toBe(REGULATOR);
    expect(entries.slice(1, -1).map((e) => e.event.org).sort()).toEqual([...holders].sort());
    expect(entries.at(-1)!.event.org).toBe(REGULATOR);
    // The chain of the recall's subject links each step to the one before.
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.event.prev).toBe(entries[i - 1]!.id);
    const view = await api(world.base, 'GET', `/trace/v1/recalls/${RECALL_ID}`, { token: world.tokens.get(REGULATOR) });
    expect((view.body.events as Array<{ id: string }>).map((e) => e.id)).toEqual(entries.map((e) => e.id));
  });
});
