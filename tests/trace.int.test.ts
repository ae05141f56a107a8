import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { LedgerEvent } from '@milkchain/ledger';
import { demoWorld } from '@milkchain/seeds';
import { runSteps } from '@milkchain/embedded';
import { api, startWorld, type World } from './support/world.ts';

/**
 * Trace over the first days of the demo world, run through the real services in one process.
 * What a trace must find is computed here from the ledger's own entries (their inputs and the
 * subjects their data names), never through the trace service's queries.
 */
let world: World;
const entries: Array<{ seq: number; id: string; event: LedgerEvent }> = [];
const REGULATOR = 'org_hohhot_samr';

beforeAll(async () => {
  world = await startWorld(inject('postgresUrl'), 'trace');
  await runSteps(world.base, world.tokens, demoWorld({ days: 3 }), undefined, () => world.composed.projected());
  await world.composed.projected();
  const { store } = world.composed.ledger;
  const size = await store.size();
  const decoder = new TextDecoder();
  for (let start = 0; start < size; start += 1000) {
    for (const e of await store.entries(start, 1000)) entries.push({ seq: e.seq, id: e.id, event: JSON.parse(decoder.decode(e.canonical)) as LedgerEvent });
  }
}, 600_000);

afterAll(async () => {
  await world?.close();
});

/** Lineage from the ledger alone: child subject → the subjects it was made from. */
function parentsFromLedger(): Map<string, Set<string>> {
  const subjectOf = new Map(entries.map((e) => [e.id, e.event.subject]));
  const parents = new Map<string, Set<string>>();
  const add = (child: string, parent: string | undefined) => {
    if (parent === undefined || parent === child) return;
    if (!parents.has(child)) parents.set(child, new Set());
    parents.get(child)!.add(parent);
  };
  for (const { event } of entries) {
    if (event.kind === 'milk.transported' || event.kind === 'lot.packed' || event.kind === 'batch.produced') {
      for (const input of event.inputs) add(event.subject, subjectOf.get(input));
    }
    if (event.kind === 'batch.produced') for (const i of (event.data as { inputs: Array<{ subject: string }> }).inputs) add(event.subject, i.subject);
  }
  return parents;
}

function ancestors(parents: Map<string, Set<string>>, subject: string): Set<string> {
  const seen = new Set<string>();
  const todo = [subject];
  while (todo.length > 0) {
    for (const p of parents.get(todo.pop()!) ?? []) {
      if (!seen.has(p)) {
        seen.add(p);
        todo.push(p);
      }
    }
  }
  return seen;
}

/** RFC 4180 fields of a CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && s[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('trace over the demo world', () => {
  it('projects every ledger entry once', async () => {
    const { rows } = await world.composed.pool.query<{ n: string; distinct_seq: string }>('SELECT count(*) AS n, count(DISTINCT seq) AS distinct_seq FROM trace_events');
    expect(Number(rows[0]!.n)).toBe(entries.length);
    expect(Number(rows[0]!.distinct_seq)).toBe(entries.length);
    const unresolved = await world.composed.pool.query('SELECT 1 FROM trace_edges WHERE parent IS NULL');
    expect(unresolved.rowCount).toBe(0);
  });

  it('traces a lot back to its farm collections and their tests', async () => {
    const parents = parentsFromLedger();
    const packed = entries.find((e) => e.event.kind === 'lot.packed')!;
    const lot = packed.event.subject;
    const expected = [...ancestors(parents, lot)].filter((s) => s.startsWith('urn:milkchain:collection:')).sort();
    expect(expected.length).toBeGreaterThan(0);

    const res = await api(world.base, 'GET', `/trace/v1/backward?subject=${encodeURIComponent(lot)}`, { token: world.tokens.get(REGULATOR) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect([...(res.body.collections as string[])].sort()).toEqual(expected);
    const nodes = res.body.nodes as Array<{ subject: string; samples: Array<{ subject: string; results: Array<{ id: string; analyte: string }> }> }>;
    expect(nodes.map((n) => n.subject).sort()).toEqual([lot, ...ancestors(parents, lot)].sort());

    // Every result recorded on a sample drawn from any node of the lineage is attached to that node.
    const lineage = new Set([lot, ...ancestors(parents, lot)]);
    const sampledFrom = new Map<string, string>();
    for (const { event } of entries) if (event.kind === 'sample.taken') sampledFrom.set(event.subject, (event.data as { sampledFrom: string }).sampledFrom);
    const expectedResults = entries.filter((e) => e.event.kind === 'lab.result.recorded' && lineage.has(sampledFrom.get(e.event.subject) ?? '')).map((e) => e.id).sort();
    expect(expectedResults.length).toBeGreaterThan(0);
    const got = nodes.flatMap((n) => n.samples.flatMap((s) => s.results.map((r) => r.id))).sort();
    expect(got).toEqual(expectedResults);
  });

  it('traces a collection forward to exactly the lots made from it, with where they are now', async () => {
    const parents = parentsFromLedger();
    const lots = [...new Set(entries.filter((e) => e.event.kind === 'lot.packed').map((e) => e.event.subject))];
    const collections = entries.filter((e) => e.event.kind === 'milk.collected').map((e) => e.event.subject);
    // A collection that went into some lot (the first day's morning milk).
    const collection = collections.find((c) => lots.some((l) => ancestors(parents, l).has(c)))!;
    expect(collection).toBeDefined();
    const expected = lots.filter((l) => ancestors(parents, l).has(collection)).sort();

    const res = await api(world.base, 'GET', `/trace/v1/forward?subject=${encodeURIComponent(collection)}`, { token: world.tokens.get(REGULATOR) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const got = res.body.lots as Array<{ subject: string; quantity: number; holdings: Record<string, number>; inTransit: Record<string, { quantity: number }>; sold: number | null }>;
    expect(got.map((l) => l.subject).sort()).toEqual(expected);
    // Packed = held now + on the way + sold + lost on the way; never more than packed.
    for (const l of got) {
      const now = Object.values(l.holdings).reduce((a, b) => a + b, 0) + Object.values(l.inTransit).reduce((a, t) => a + t.quantity, 0) + (l.sold ?? 0);
      expect(now).toBeLessThanOrEqual(l.quantity + 1e-6);
      expect(now).toBeGreaterThan(0);
    }
  });

  it('traces a farm over a date range to the lots of all its collections', async () => {
    const parents = parentsFromLedger();
    const first = entries.find((e) => e.event.kind === 'milk.collected')!.event;
    const farm = first.org;
    const mine = entries.filter((e) => e.event.kind === 'milk.collected' && e.event.org === farm).map((e) => e.event.subject);
    const lots = [...new Set(entries.filter((e) => e.event.kind === 'lot.packed').map((e) => e.event.subject))];
    const expected = lots.filter((l) => mine.some((c) => ancestors(parents, l).has(c))).sort();
    const res = await api(world.base, 'GET', `/trace/v1/forward?farm=${farm}&from=2026-11-01&to=2026-11-30`, { token: world.tokens.get(farm) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect([...(res.body.roots as string[])].sort()).toEqual([...mine].sort());
    expect((res.body.lots as Array<{ subject: string }>).map((l) => l.subject).sort()).toEqual(expected);
  });

  it('exports the FSMA 204 spreadsheet: one header row, one row per critical tracking event', async () => {
    const lot = entries.find((e) => e.event.kind === 'lot.packed')!.event.subject;
    const json = await api(world.base, 'GET', `/trace/v1/backward?subject=${encodeURIComponent(lot)}`, { token: world.tokens.get(REGULATOR) });
    const subjects = new Set([
      ...(json.body.nodes as Array<{ subject: string; samples: Array<{ subject: string }> }>).flatMap((n) => [n.subject, ...n.samples.map((s) => s.subject)]),
    ]);
    const expectedIds = entries.filter((e) => subjects.has(e.event.subject)).map((e) => e.id);

    const res = await fetch(`${world.base}/trace/v1/backward?subject=${encodeURIComponent(lot)}`, { headers: { accept: 'text/csv', authorization: `Bearer ${world.tokens.get(REGULATOR)}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parseCsv(await res.text());
    const header = rows[0]!;
    expect(header[0]).toBe('Traceability Lot Code / 追溯批次代码');
    expect(header).toContain('Reference Document Number / 参考文件编号');
    expect(header).toContain('Traceability Lot Code Source / 追溯批次代码来源');
    const ref = header.indexOf('Reference Document Number / 参考文件编号');
    const body = rows.slice(1);
    for (const r of body) expect(r).toHaveLength(header.length);
    expect(body.map((r) => r[ref])).toEqual(expectedIds);
    const packedRow = body.find((r) => r[ref] === entries.find((e) => e.event.kind === 'lot.packed')!.id)!;
    const d = entries.find((e) => e.event.kind === 'lot.packed')!.event.data as { gtin: string; lot: string; units: number };
    expect(packedRow[0]).toBe(`(01)${d.gtin}(10)${d.lot}`);
    expect(packedRow[header.indexOf('Quantity / 数量')]).toBe(String(d.units));

    const viaPath = await fetch(`${world.base}/trace/v1/backward.csv?subject=${encodeURIComponent(lot)}`, { headers: { authorization: `Bearer ${world.tokens.get(REGULATOR)}` } });
    expect(parseCsv(await viaPath.text())).toEqual(rows);
  });

  it('answers problems: 401 without a token, 400 naming the parameter, 404 for an unknown subject, 403 for another organisation', async () => {
    const token = world.tokens.get(REGULATOR);
    expect((await api(world.base, 'GET', '/trace/v1/backward?subject=urn:milkchain:lot:06901234000016:X')).status).toBe(401);
    const missing = await api(world.base, 'GET', '/trace/v1/backward', { token });
    expect(missing.status).toBe(400);
    expect(missing.type).toMatch(/problem\+json/);
    expect(JSON.stringify(missing.body)).toContain('subject');
    const badRange = await api(world.base, 'GET', '/trace/v1/forward?farm=org_x&from=2026-11-05&to=nope', { token });
    expect(badRange.status).toBe(400);
    expect(JSON.stringify(badRange.body)).toContain('"to"');
    const unknown = await api(world.base, 'GET', '/trace/v1/forward?subject=urn:milkchain:lot:06901234000016:NOPE', { token });
    expect(unknown.status).toBe(404);
    const lot = entries.find((e) => e.event.kind === 'lot.packed')!.event.subject;
    const farm = entries.find((e) => e.event.kind === 'milk.collected')!.event.org;
    const foreign = await api(world.base, 'GET', `/trace/v1/backward?subject=${encodeURIComponent(lot)}`, { token: world.tokens.get(farm) });
    expect(foreign.status).toBe(403);
    const doc = await api(world.base, 'GET', '/trace/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths as object)).toContain('/trace/v1/forward');
  });
});
