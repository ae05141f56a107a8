/**
 * The lineage fold: what one sequenced ledger entry adds to the trace tables. Pure: given the
 * nodes the entry touches (loaded by `traceNeeds`, then `touches`) and a resolver of input event
 * ids to subjects, it returns the event row, the changed nodes and the new edges. The projector
 * (one entry per transaction) and the bench's bulk loader (COPY) both call it, so the bench
 * measures the tables the service really keeps.
 *
 * Node state is the custody projection (`evolve` of packages/domain), kept whole, so holdings,
 * goods in transit, sales and holds mean here exactly what they mean to the custody services; the
 * trace adds when the object was made, whether a recall names it, and whether a hold was lifted.
 */
import { evolve, foldNeeds, lotSubject, touches, type CustodyObject, type Needs } from '@milkchain/domain';
import type { LedgerEvent } from '@milkchain/ledger';

export interface TraceEntry {
  seq: number;
  id: string;
  event: LedgerEvent;
}

/** One object as the trace keeps it. */
export interface TraceNode {
  object: CustodyObject;
  /** occurredAt of the event that made it. */
  createdAt: string;
  /** Sequence number of the latest event on its own subject. */
  headSeq: number;
  /** A recall.initiated names it (lots). */
  recalled: boolean;
  /** A hold on it was lifted (lot.released) and none stands now. */
  released: boolean;
  /** What it is, in words people read (product name, or the milk's species). */
  product: string | null;
}

/** Which way a link goes: see the trace_edges table. */
export type EdgeRel = 'input' | 'sample' | 'shipment';

export interface TraceEdge {
  eventId: string;
  /** Position in the event's list; with eventId, the edge's key (so a re-fold writes nothing twice). */
  ord: number;
  child: string;
  /** Undefined while the input event it was named by is not projected yet. */
  parent: string | undefined;
  parentEvent: string | undefined;
  rel: EdgeRel;
  quantity: number | undefined;
  unit: string | undefined;
}

export interface Folded {
  entry: TraceEntry;
  nodes: TraceNode[];
  edges: TraceEdge[];
}

/** The trace status of a node: the custody status, refined for people reading a trace. */
export type TraceStatus = 'active' | 'held' | 'released' | 'recalled' | 'rejected' | 'sold' | 'closed';

/** What to load before folding `event`: the custody needs, and the lots a recall names. */
export function traceNeeds(event: LedgerEvent): Needs {
  const needs = foldNeeds(event);
  if (event.kind !== 'recall.initiated') return needs;
  return { ...needs, subjects: [...new Set([...needs.subjects, ...namedLots(event)])] };
}

/** The second round of loading: subjects found through what the first round loaded. */
export function moreToLoad(event: LedgerEvent, loaded: ReadonlyMap<string, TraceNode>): string[] {
  const objects = objectsOf(loaded);
  return touches(event, objects).filter((s) => !loaded.has(s));
}

function namedLots(event: LedgerEvent): string[] {
  const lots = (event.data as { lots?: unknown }).lots;
  if (!Array.isArray(lots)) return [];
  return lots.flatMap((l: { gtin?: unknown; lot?: unknown }) => {
    const s = typeof l.gtin === 'string' && typeof l.lot === 'string' ? lotSubject(l.gtin, l.lot) : undefined;
    return s === undefined ? [] : [s];
  });
}

function objectsOf(nodes: ReadonlyMap<string, TraceNode>): Map<string, CustodyObject> {
  const out = new Map<string, CustodyObject>();
  for (const [s, n] of nodes) out.set(s, n.object);
  return out;
}

function productOf(o: CustodyObject, before: TraceNode | undefined, nodes: ReadonlyMap<string, TraceNode>): string | null {
  if (typeof o.data.productName === 'string') return o.data.productName;
  if (before?.product) return before.product;
  if (o.type === 'lot') {
    for (const from of o.from) {
      const p = nodes.get(from)?.product;
      if (p) return p;
    }
    return typeof o.data.productType === 'string' ? o.data.productType : null;
  }
  if (o.type === 'collection' || o.type === 'load') return `生鲜乳 raw milk (${o.species.join(', ') || 'unknown'})`;
  return null;
}

export function statusOf(n: TraceNode): TraceStatus {
  const o = n.object;
  if (n.recalled) return 'recalled';
  if (o.status === 'held' || o.status === 'rejected') return o.status;
  const sold = typeof o.data.sold === 'number' ? o.data.sold : 0;
  if (o.type === 'lot' && o.status === 'closed' && sold > 0) return 'sold';
  if (n.released && o.status === 'active') return 'released';
  return o.status;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function edgesOf(entry: TraceEntry, created: CustodyObject | undefined, resolve: (eventId: string) => string | undefined): TraceEdge[] {
  const { id, event } = entry;
  const d = event.data as Record<string, unknown>;
  const edge = (ord: number, parent: string | undefined, rel: EdgeRel, quantity?: number, unit?: string, parentEvent?: string): TraceEdge => ({
    eventId: id,
    ord,
    child: event.subject,
    parent,
    parentEvent,
    rel,
    quantity,
    unit,
  });
  switch (event.kind) {
    case 'milk.transported': {
      // The inputs are the collections' heads; the load records how much it took from each.
      const taken = Array.isArray(created?.data.collections) ? (created.data.collections as Array<{ subject: string; volumeL: number }>) : [];
      return event.inputs.map((input, i) => {
        const parent = resolve(input);
        return edge(i, parent, 'input', taken.find((t) => t.subject === parent)?.volumeL, 'L', input);
      });
    }
    case 'batch.produced': {
      const inputs = Array.isArray(d.inputs) ? (d.inputs as Array<{ subject: string; quantity: { value: number; unit: string } }>) : [];
      return inputs.map((input, i) => edge(i, input.subject, 'input', num(input.quantity?.value), input.quantity?.unit));
    }
    case 'lot.packed': {
      const size = d.unitSize as { value?: unknown; unit?: unknown } | undefined;
      const units = num(d.units);
      const value = num(size?.value);
      const quantity = units !== undefined && value !== undefined ? units * value : undefined;
      return event.inputs.map((input, i) => edge(i, resolve(input), 'input', quantity, typeof size?.unit === 'string' ? size.unit : undefined, input));
    }
    case 'sample.taken': {
      const q = d.quantity as { value?: unknown; unit?: unknown } | undefined;
      return typeof d.sampledFrom === 'string' ? [edge(0, d.sampledFrom, 'sample', num(q?.value), typeof q?.unit === 'string' ? q.unit : undefined)] : [];
    }
    case 'shipment.dispatched': {
      const lots = Array.isArray(d.lots) ? (d.lots as Array<{ gtin: string; lot: string; quantity: number }>) : [];
      return lots.flatMap((l, i) => {
        const s = lotSubject(l.gtin, l.lot);
        return s === undefined ? [] : [edge(i, s, 'shipment', num(l.quantity), 'unit')];
      });
    }
    default:
      return [];
  }
}

/**
 * Folds one entry. `nodes` must hold what `traceNeeds(event)` and then `moreToLoad` name (what is
 * missing is left alone, as `evolve` does); `resolve` maps an input event id to its subject, or
 * undefined when that event is not projected yet (the edge then waits for it).
 */
export function foldEntry(nodes: ReadonlyMap<string, TraceNode>, entry: TraceEntry, resolve: (eventId: string) => string | undefined): Folded {
  const { event, id, seq } = entry;
  const changed = evolve(objectsOf(nodes), event, id);
  const out = new Map<string, TraceNode>();
  for (const o of changed) {
    const before = nodes.get(o.subject);
    const own = o.subject === event.subject;
    out.set(o.subject, {
      object: o,
      createdAt: before?.createdAt ?? event.occurredAt,
      headSeq: own ? seq : (before?.headSeq ?? seq),
      recalled: before?.recalled ?? false,
      released: o.status === 'held' ? false : (before?.released ?? false) || (own && event.kind === 'lot.released'),
      product: productOf(o, before, nodes),
    });
  }
  if (event.kind === 'recall.initiated') {
    for (const s of namedLots(event)) {
      const n = out.get(s) ?? nodes.get(s);
      if (n) out.set(s, { ...n, recalled: true });
    }
  }
  const created = changed.find((o) => o.subject === event.subject && o.head === id);
  return { entry, nodes: [...out.values()], edges: edgesOf(entry, created, resolve) };
}

// ---- rows -------------------------------------------------------------------------------------
// Column lists and values in table order, shared by the projector's INSERTs and the bench's COPY.

export const EVENT_COLUMNS = ['id', 'seq', 'subject', 'kind', 'org', 'occurred_at', 'data'] as const;
export const NODE_COLUMNS = [
  'subject',
  'type',
  'org',
  'head',
  'head_seq',
  'created_at',
  'updated_at',
  'product',
  'species',
  'gtin',
  'lot',
  'quantity',
  'unit',
  'production_date',
  'best_before',
  'holders',
  'status',
  'recalled',
  'state',
] as const;
export const EDGE_COLUMNS = ['event_id', 'ord', 'child', 'parent', 'parent_event', 'rel', 'quantity', 'unit'] as const;

/** A column value: text, number, boolean, text[] or null (jsonb travels as its JSON text). */
export type Cell = string | number | boolean | string[] | null;

export function eventRow(e: TraceEntry): Cell[] {
  return [e.id, e.seq, e.event.subject, e.event.kind, e.event.org, e.event.occurredAt, JSON.stringify(e.event.data)];
}

/** The quantity an object was made with, in its unit. */
function madeQuantity(o: CustodyObject): number | null {
  switch (o.type) {
    case 'collection':
    case 'load':
      return num(o.data.volumeL) ?? null;
    case 'batch': {
      const out = o.data.output as { value?: unknown } | undefined;
      return num(out?.value) ?? null;
    }
    case 'lot':
      return num(o.data.units) ?? null;
    case 'shipment':
      return Array.isArray(o.data.lots) ? (o.data.lots as Array<{ quantity: number }>).reduce((a, l) => a + l.quantity, 0) : null;
    default:
      return null;
  }
}

export function nodeRow(n: TraceNode): Cell[] {
  const o = n.object;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const batchUnit = o.type === 'batch' ? str((o.data.output as { unit?: unknown } | undefined)?.unit) : null;
  return [
    o.subject,
    o.type,
    o.org,
    o.head,
    n.headSeq,
    n.createdAt,
    o.occurredAt,
    n.product,
    o.species,
    str(o.data.gtin),
    str(o.data.lot),
    madeQuantity(o),
    batchUnit ?? o.unit,
    str(o.data.productionDate),
    str(o.data.bestBefore),
    Object.entries(o.holdings)
      .filter(([, q]) => q > 0)
      .map(([org]) => org)
      .sort(),
    statusOf(n),
    n.recalled,
    JSON.stringify({ ...o, trace: { createdAt: n.createdAt, headSeq: n.headSeq, recalled: n.recalled, released: n.released, product: n.product } }),
  ];
}

/** The node a stored `state` column holds (the inverse of nodeRow's last cell). */
export function nodeFromState(state: CustodyObject & { trace: Omit<TraceNode, 'object'> }): TraceNode {
  const { trace, ...object } = state;
  return { object, ...trace };
}

export function edgeRow(e: TraceEdge): Cell[] {
  return [e.eventId, e.ord, e.child, e.parent ?? null, e.parentEvent ?? null, e.rel, e.quantity ?? null, e.unit ?? null];
}
