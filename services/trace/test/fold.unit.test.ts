import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '@milkchain/ledger';
import { foldEntry, moreToLoad, nodeFromState, nodeRow, NODE_COLUMNS, statusOf, traceNeeds, type TraceEdge, type TraceEntry, type TraceNode } from '../src/lineage/fold.ts';
import { fsmaRows, FSMA_HEADER, toCsv } from '../src/lineage/fsma.ts';
import { lotOfUnit } from '../src/lineage/queries.ts';

/** Given entries, folded in order the way the projector does (load by needs, then by touches). */
function given(events: LedgerEvent[]): { nodes: Map<string, TraceNode>; edges: TraceEdge[]; ids: string[] } {
  const nodes = new Map<string, TraceNode>();
  const subjectOf = new Map<string, string>();
  const edges: TraceEdge[] = [];
  const ids: string[] = [];
  events.forEach((event, seq) => {
    const id = `${seq}`.padStart(64, '0');
    ids.push(id);
    const needs = traceNeeds(event);
    const loaded = new Map<string, TraceNode>();
    for (const s of needs.subjects) if (nodes.has(s)) loaded.set(s, nodes.get(s)!);
    for (const h of needs.heads ?? []) for (const n of nodes.values()) if (n.object.head === h) loaded.set(n.object.subject, n);
    for (const s of moreToLoad(event, loaded)) if (nodes.has(s)) loaded.set(s, nodes.get(s)!);
    const folded = foldEntry(loaded, { seq, id, event } satisfies TraceEntry, (i) => subjectOf.get(i));
    for (const n of folded.nodes) nodes.set(n.object.subject, n);
    edges.push(...folded.edges);
    subjectOf.set(id, event.subject);
  });
  return { nodes, edges, ids };
}

const at = (h: number) => `2026-11-23T${String(h).padStart(2, '0')}:00:00+08:00`;
const ev = (kind: string, org: string, subject: string, hour: number, data: Record<string, unknown>, inputs: string[] = []): LedgerEvent => ({
  v: 1,
  kind,
  kindVersion: 1,
  org,
  subject,
  prev: null,
  inputs,
  occurredAt: at(hour),
  data,
});
const id = (n: number) => `${n}`.padStart(64, '0');
const place = (org: string, gln?: string) => ({ org, ...(gln ? { gln } : {}), name: `${org} site` });

const C1 = 'urn:milkchain:collection:org_farm_a:c1';
const C2 = 'urn:milkchain:collection:org_farm_b:c2';
const LOAD = 'urn:milkchain:load:org_coll:l1';
const BATCH = 'urn:milkchain:batch:org_plant:b1';
const LOT = 'urn:milkchain:lot:06901234000016:L1';
const SAMPLE = 'urn:milkchain:sample:org_lab:s1';
const SHIP = 'urn:milkchain:shipment:006901234000000018';

const chain: LedgerEvent[] = [
  ev('milk.collected', 'org_farm_a', C1, 6, { species: 'cow', volumeL: 1000, tankTemperatureC: 3.5, milkingWindow: { start: at(4), end: at(5) }, animalsExcluded: [], handoverSlipNo: 'S1' }),
  ev('milk.collected', 'org_farm_b', C2, 6, { species: 'cow', volumeL: 500, tankTemperatureC: 3.6, milkingWindow: { start: at(4), end: at(5) }, animalsExcluded: [], handoverSlipNo: 'S2' }),
  ev('milk.transported', 'org_coll', LOAD, 7, { vehicle: { plate: 'A', permitNo: 'P' }, handoverSlipNo: 'S1', volumeL: 1500, loadedAt: at(7), loadingTemperatureC: 3.8, destination: place('org_plant', '6901234000016'), readings: [] }, [id(0), id(1)]),
  ev('milk.received', 'org_plant', LOAD, 8, { handoverSlipNo: 'S1', volumeL: 1495, temperatureC: 4.2, sealIntact: true, decision: 'accepted' }),
  ev('sample.taken', 'org_lab', SAMPLE, 8, { sampleId: 's1', sampledFrom: LOAD, matrix: 'raw_milk', purpose: 'intake', quantity: { value: 250, unit: 'mL' }, temperatureC: 4 }, [id(3)]),
  ev('batch.produced', 'org_plant', BATCH, 10, { batchId: 'b1', productType: 'pasteurised_milk', productName: '鲜牛奶 Fresh milk', inputs: [{ subject: LOAD, quantity: { value: 1495, unit: 'L' } }], steps: [], output: { value: 1450, unit: 'L' } }, [id(3)]),
  ev('lot.packed', 'org_plant', LOT, 12, { gtin: '06901234000016', lot: 'L1', units: 1000, unitSize: { value: 1, unit: 'L' }, productionDate: '2026-11-23', bestBefore: '2026-11-30' }, [id(5)]),
  ev('shipment.dispatched', 'org_plant', SHIP, 14, { sscc: '006901234000000018', lots: [{ gtin: '06901234000016', lot: 'L1', quantity: 400 }], from: place('org_plant', '6901234000016'), to: place('org_shop', '6901234000023') }, [id(6)]),
];

describe('the lineage fold', () => {
  it('links a load to its collections by their event ids, with the litres taken from each', () => {
    const { edges, ids } = given(chain.slice(0, 3));
    expect(edges).toEqual([
      { eventId: ids[2], ord: 0, child: LOAD, parent: C1, parentEvent: id(0), rel: 'input', quantity: 1000, unit: 'L' },
      { eventId: ids[2], ord: 1, child: LOAD, parent: C2, parentEvent: id(1), rel: 'input', quantity: 500, unit: 'L' },
    ]);
  });

  it('links batch ← load, lot ← batch, sample ← load and shipment ← lot', () => {
    const { edges } = given(chain);
    const links = edges.map((e) => `${e.parent} -${e.rel}-> ${e.child}`);
    expect(links).toEqual(
      expect.arrayContaining([`${LOAD} -sample-> ${SAMPLE}`, `${LOAD} -input-> ${BATCH}`, `${BATCH} -input-> ${LOT}`, `${LOT} -shipment-> ${SHIP}`]),
    );
    const packed = edges.find((e) => e.child === LOT)!;
    expect([packed.quantity, packed.unit]).toEqual([1000, 'L']);
  });

  it('keeps where a lot is now: packed 1000, 400 on the way to the shop', () => {
    const { nodes } = given(chain);
    const lot = nodes.get(LOT)!;
    expect(lot.object.holdings).toEqual({ org_plant: 600 });
    expect(lot.object.data.inTransit).toEqual({ [SHIP]: { from: 'org_plant', to: 'org_shop', quantity: 400 } });
    expect(lot.product).toBe('鲜牛奶 Fresh milk');
    expect(lot.createdAt).toBe(at(12));
    expect(nodes.get(C1)!.object.holdings).toEqual({ org_farm_a: 0 });
    expect(statusOf(nodes.get(C1)!)).toBe('closed');
  });

  it('leaves a link whose input event is not projected yet without a parent, naming the event', () => {
    const { edges } = given([chain[2]!]);
    expect(edges.map((e) => [e.parent, e.parentEvent])).toEqual([
      [undefined, id(0)],
      [undefined, id(1)],
    ]);
  });

  it('marks a held lot held, a released one released, a recalled one recalled', () => {
    const held = ev('lot.held', 'org_plant', LOT, 15, { gtin: '06901234000016', lot: 'L1', reason: 'pending_results' });
    const released = ev('lot.released', 'org_plant', LOT, 16, { gtin: '06901234000016', lot: 'L1' });
    const recall = ev('recall.initiated', 'org_plant', 'urn:milkchain:recall:RC-1', 17, {
      recallId: 'RC-1',
      level: 'I',
      cause: 'chemical_residue',
      description: 'x',
      root: C1,
      lots: [{ gtin: '06901234000016', lot: 'L1' }],
      action: 'destroy',
    });
    expect(statusOf(given([...chain, held]).nodes.get(LOT)!)).toBe('held');
    expect(statusOf(given([...chain, held, released]).nodes.get(LOT)!)).toBe('released');
    expect(statusOf(given([...chain, held, released, recall]).nodes.get(LOT)!)).toBe('recalled');
  });

  it('stores a node so that it reads back the same', () => {
    const { nodes } = given(chain);
    const lot = nodes.get(LOT)!;
    const row = nodeRow(lot);
    expect(row).toHaveLength(NODE_COLUMNS.length);
    expect(nodeFromState(JSON.parse(row.at(-1) as string))).toEqual(lot);
    expect(row[NODE_COLUMNS.indexOf('holders')]).toEqual(['org_plant']);
    expect(row[NODE_COLUMNS.indexOf('quantity')]).toBe(1000);
  });

  it('maps a lot unit to its lot', () => {
    expect(lotOfUnit('urn:milkchain:unit:06901234000016:L1:000123')).toBe(LOT);
    expect(lotOfUnit(LOT)).toBeUndefined();
  });
});

describe('the FSMA 204 spreadsheet', () => {
  it('has one bilingual header row and one row per event, quoting what needs it', () => {
    const events = [
      { id: id(6), seq: 6, subject: LOT, kind: 'lot.packed', org: 'org_plant', occurredAt: at(12), data: chain[6]!.data as Record<string, unknown> },
      { id: id(7), seq: 7, subject: SHIP, kind: 'shipment.dispatched', org: 'org_plant', occurredAt: at(14), data: chain[7]!.data as Record<string, unknown> },
    ];
    const rows = fsmaRows(events, []);
    expect(rows[0]).toEqual(FSMA_HEADER);
    expect(rows).toHaveLength(3);
    expect(rows[1]!.slice(0, 5)).toEqual(['(01)06901234000016(10)L1', '', '1000', 'unit', 'Initial Packing / 初次包装']);
    expect(rows[2]![5]).toBe('6901234000016');
    const csv = toCsv([['a,b', 'say "hi"', '=SUM(A1)']]);
    expect(csv).toBe('\uFEFF"a,b","say ""hi""",\'=SUM(A1)\r\n');
  });
});
