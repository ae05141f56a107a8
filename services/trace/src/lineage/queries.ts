// Trace queries: recursive CTEs over the indexed lineage edges, one statement per trace (a round
// trip is the largest cost at these sizes). Walks follow only 'input' links (what went into
// what); samples hang off the nodes they were drawn from, and shipments off the lots they carry.
import type { Pool } from '@milkchain/store';

/** Anything a query reads through (a pool or a client). */
export type Queryable = Pick<Pool, 'query'>;

export interface NodeView {
  subject: string;
  type: string;
  org: string;
  product: string | null;
  species: string[];
  gtin: string | null;
  lot: string | null;
  /** As made: litres collected or loaded, batch output, units packed. */
  quantity: number | null;
  unit: string | null;
  productionDate: string | null;
  bestBefore: string | null;
  createdAt: string;
  status: string;
  recalled: boolean;
  /** Organisation → quantity it holds now. */
  holdings: Record<string, number>;
  /** Shipment subject → {from, to, quantity} on the way now (lots). */
  inTransit: Record<string, { from: string; to: string; quantity: number }>;
  /** Units sold (lots). */
  sold: number | null;
  head: string;
}

export interface EdgeView {
  parent: string;
  child: string;
  quantity: number | null;
  unit: string | null;
  event: string;
}

export interface ResultView {
  id: string;
  sample: string;
  org: string;
  at: string;
  analyte: string;
  value: number;
  unit: string;
  verdict: 'conformant' | 'non_conformant';
  limit: unknown;
  rule: unknown;
  method: string;
}

export interface SampleView {
  subject: string;
  /** The node it was drawn from. */
  of: string;
  org: string | null;
  takenAt: string | null;
  purpose: string | null;
  matrix: string | null;
  results: ResultView[];
}

/** One critical tracking event as the CSV export lists it. */
export interface EventView {
  id: string;
  seq: number;
  subject: string;
  kind: string;
  org: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface BackwardTrace {
  root: string;
  /** The root and every ancestor, down to the farm collections, oldest first. */
  nodes: Array<NodeView & { samples: SampleView[] }>;
  edges: EdgeView[];
  /** The farm collections the root was made from. */
  collections: string[];
  /** Filled when asked for (CSV): every event on the nodes and their samples, in ledger order. */
  events?: EventView[];
}

export interface ForwardTrace {
  roots: string[];
  /** Every lot made from the roots, with where it is now and how much of it. */
  lots: NodeView[];
  /** Every node on the way (roots, loads, batches, lots). */
  nodes: NodeView[];
  edges: EdgeView[];
  events?: EventView[];
}

const NODE_JSON = `json_build_object(
  'subject', n.subject, 'type', n.type, 'org', n.org, 'product', n.product, 'species', n.species,
  'gtin', n.gtin, 'lot', n.lot, 'quantity', n.quantity, 'unit', n.unit,
  'productionDate', n.production_date, 'bestBefore', n.best_before, 'createdAt', n.state->'trace'->>'createdAt',
  'status', n.status, 'recalled', n.recalled, 'holdings', n.state->'holdings',
  'inTransit', coalesce(n.state->'data'->'inTransit', '{}'::jsonb), 'sold', n.state->'data'->'sold', 'head', n.head)`;

const EDGE_JSON = `json_build_object('parent', e.parent, 'child', e.child, 'quantity', e.quantity, 'unit', e.unit, 'event', e.event_id)`;

const EVENT_JSON = `json_build_object('id', t.id, 'seq', t.seq, 'subject', t.subject, 'kind', t.kind, 'org', t.org,
  'occurredAt', to_char(t.occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'), 'data', t.data)`;

/** A lot unit (`urn:milkchain:unit:<gtin>:<lot>:<serial>`) stands for its lot. */
export function lotOfUnit(subject: string): string | undefined {
  const m = /^urn:milkchain:unit:([0-9]{14}):([A-Za-z0-9._-]+):[^:]+$/.exec(subject);
  return m ? `urn:milkchain:lot:${m[1]}:${m[2]}` : undefined;
}

const EVENT_ID = /^[0-9a-f]{64}$/;

/**
 * The subject a trace starts from: a unit's lot; for an event id, its subject (a lab result's or
 * a sample's event → the sample). Undefined for an event id the trace has not seen.
 */
export async function resolveSubject(db: Queryable, subjectOrId: string): Promise<string | undefined> {
  const unitLot = lotOfUnit(subjectOrId);
  if (unitLot) return unitLot;
  if (!EVENT_ID.test(subjectOrId)) return subjectOrId;
  const { rows } = await db.query<{ subject: string }>('SELECT subject FROM trace_events WHERE id = $1', [subjectOrId]);
  return rows[0]?.subject;
}

export async function nodeExists(db: Queryable, subject: string): Promise<{ org: string; type: string } | undefined> {
  const { rows } = await db.query<{ org: string; type: string }>('SELECT org, type FROM trace_nodes WHERE subject = $1', [subject]);
  return rows[0];
}

/**
 * The root and every ancestor, with the samples drawn from each and their results. A sample's
 * ancestors start with what it was drawn from (only a sample is ever the child of a 'sample' link).
 */
export async function backward(db: Queryable, root: string, opts: { events?: boolean } = {}): Promise<BackwardTrace | undefined> {
  const { rows } = await db.query<{ nodes: NodeView[] | null; edges: EdgeView[] | null; samples: Array<Omit<SampleView, 'results'>> | null; results: ResultView[] | null; events: EventView[] | null }>(
    `WITH RECURSIVE up(subject) AS (
       SELECT $1::text
       UNION
       SELECT e.parent FROM up JOIN trace_edges e ON e.child = up.subject AND e.rel IN ('input', 'sample') WHERE e.parent IS NOT NULL
     ),
     samp AS (SELECT e.parent AS of, e.child AS subject FROM trace_edges e WHERE e.rel = 'sample' AND e.parent IN (SELECT subject FROM up))
     SELECT
       (SELECT json_agg(${NODE_JSON} ORDER BY n.created_at, n.subject) FROM trace_nodes n WHERE n.subject IN (SELECT subject FROM up)) AS nodes,
       (SELECT json_agg(${EDGE_JSON} ORDER BY e.event_id, e.ord) FROM trace_edges e WHERE e.rel = 'input' AND e.parent IS NOT NULL AND e.child IN (SELECT subject FROM up)) AS edges,
       (SELECT json_agg(json_build_object('subject', s.subject, 'of', s.of, 'org', n.org, 'takenAt', n.state->'trace'->>'createdAt',
          'purpose', n.state->'data'->>'purpose', 'matrix', n.state->'data'->>'matrix') ORDER BY s.subject)
          FROM samp s LEFT JOIN trace_nodes n ON n.subject = s.subject) AS samples,
       (SELECT json_agg(json_build_object('id', t.id, 'sample', t.subject, 'org', t.org, 'at', t.occurred_at, 'analyte', t.data->>'analyte',
          'value', t.data->'value', 'unit', t.data->>'unit', 'verdict', t.data->>'verdict', 'limit', t.data->'limit', 'rule', t.data->'rule',
          'method', t.data->>'method') ORDER BY t.seq)
          FROM trace_events t WHERE t.kind = 'lab.result.recorded' AND t.subject IN (SELECT subject FROM samp)) AS results,
       CASE WHEN $2 THEN (SELECT json_agg(${EVENT_JSON} ORDER BY t.seq) FROM trace_events t
          WHERE t.subject IN (SELECT subject FROM up UNION SELECT subject FROM samp)) END AS events`,
    [root, opts.events === true],
  );
  const r = rows[0];
  const nodes = r?.nodes ?? [];
  if (!nodes.some((n) => n.subject === root)) return undefined;
  const results = r?.results ?? [];
  const samples: SampleView[] = (r?.samples ?? []).map((s) => ({ ...s, results: results.filter((x) => x.sample === s.subject) }));
  return {
    root,
    nodes: nodes.map((n) => ({ ...n, samples: samples.filter((s) => s.of === n.subject) })),
    edges: r?.edges ?? [],
    collections: nodes.filter((n) => n.type === 'collection').map((n) => n.subject),
    ...(opts.events ? { events: r?.events ?? [] } : {}),
  };
}

/**
 * Where a forward trace starts for `subject`: a sample (or a lab result on it) → what it was
 * drawn from; a shipment → the lots it carries; anything else → itself.
 */
export async function forwardRoots(db: Queryable, subject: string): Promise<string[]> {
  const { rows } = await db.query<{ parent: string }>(
    `SELECT e.parent FROM trace_edges e WHERE e.child = $1 AND e.rel IN ('sample', 'shipment') AND e.parent IS NOT NULL ORDER BY e.ord`,
    [subject],
  );
  return rows.length > 0 ? [...new Set(rows.map((r) => r.parent))] : [subject];
}

/** A farm's collections made in [from, to). */
export async function farmCollections(db: Queryable, farm: string, from: string, to: string): Promise<string[]> {
  const { rows } = await db.query<{ subject: string }>(
    `SELECT subject FROM trace_nodes WHERE org = $1 AND type = 'collection' AND created_at >= $2 AND created_at < $3 ORDER BY created_at, subject`,
    [farm, from, to],
  );
  return rows.map((r) => r.subject);
}

/** Every lot made from `roots`, where each is now and in what quantity. */
export async function forward(db: Queryable, roots: string[], opts: { events?: boolean } = {}): Promise<ForwardTrace> {
  const { rows } = await db.query<{ nodes: NodeView[] | null; edges: EdgeView[] | null; events: EventView[] | null }>(
    `WITH RECURSIVE down(subject) AS (
       SELECT unnest($1::text[])
       UNION
       SELECT e.child FROM down JOIN trace_edges e ON e.parent = down.subject AND e.rel = 'input'
     )
     SELECT
       (SELECT json_agg(${NODE_JSON} ORDER BY n.created_at, n.subject) FROM trace_nodes n WHERE n.subject IN (SELECT subject FROM down)) AS nodes,
       (SELECT json_agg(${EDGE_JSON} ORDER BY e.event_id, e.ord) FROM trace_edges e WHERE e.rel = 'input' AND e.parent IN (SELECT subject FROM down)) AS edges,
       CASE WHEN $2 THEN (SELECT json_agg(${EVENT_JSON} ORDER BY t.seq) FROM trace_events t WHERE t.subject IN (
          SELECT subject FROM down
          UNION SELECT e.child FROM trace_edges e WHERE e.rel = 'shipment' AND e.parent IN (SELECT subject FROM down))) END AS events`,
    [roots, opts.events === true],
  );
  const nodes = rows[0]?.nodes ?? [];
  return {
    roots,
    lots: nodes.filter((n) => n.type === 'lot'),
    nodes,
    edges: rows[0]?.edges ?? [],
    ...(opts.events ? { events: rows[0]?.events ?? [] } : {}),
  };
}

/** A bare primary-key lookup on trace_nodes: the benchmark's same-run baseline. */
export async function nodeBySubject(db: Queryable, subject: string): Promise<NodeView | undefined> {
  const { rows } = await db.query<{ node: NodeView }>(`SELECT ${NODE_JSON} AS node FROM trace_nodes n WHERE n.subject = $1`, [subject]);
  return rows[0]?.node;
}
