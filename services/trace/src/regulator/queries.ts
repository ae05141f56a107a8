// What the regulator's view reads from the trace tables: open recalls (recall.* events, not any
// recall service's tables), current holds, non-conformant lab results with the regions of the
// farms whose milk was tested, and cold-chain excursions computed from the reported readings.
import { findExcursions, type Excursion } from '@milkchain/domain';
import type { Queryable } from '../lineage/queries.ts';

const CST = `'Asia/Shanghai'`;
const TIME = (col: string) => `to_char(${col} AT TIME ZONE ${CST}, 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"')`;

export interface RecallLot {
  gtin: string;
  lot: string;
  subject: string;
  product: string | null;
  status: string | null;
  /** Organisation → units it holds now (the trace's custody fold). */
  holdings: Record<string, number>;
}

export interface OpenRecall {
  subject: string;
  recallId: string;
  org: string;
  at: string;
  level: string;
  cause: string;
  description: string;
  root: string;
  action: string;
  lots: RecallLot[];
  acknowledgements: Array<{ id: string; org: string; at: string; lotsHeld: Array<{ gtin: string; lot: string; units: number }>; note: string | null }>;
  /** Holders of the recalled lots (now) that have not acknowledged yet. */
  awaiting: string[];
}

export async function openRecalls(db: Queryable): Promise<OpenRecall[]> {
  const { rows } = await db.query<{ subject: string; org: string; at: string; data: Record<string, unknown>; acks: OpenRecall['acknowledgements'] | null }>(
    `SELECT i.subject, i.org, ${TIME('i.occurred_at')} AS at, i.data,
       (SELECT json_agg(json_build_object('id', a.id, 'org', a.org, 'at', ${TIME('a.occurred_at')}, 'lotsHeld', a.data->'lotsHeld', 'note', a.data->>'note') ORDER BY a.seq)
          FROM trace_events a WHERE a.subject = i.subject AND a.kind = 'recall.acknowledged') AS acks
       FROM trace_events i
      WHERE i.kind = 'recall.initiated'
        AND NOT EXISTS (SELECT 1 FROM trace_events c WHERE c.subject = i.subject AND c.kind = 'recall.closed')
      ORDER BY i.seq DESC`,
  );
  const lotSubjects = [...new Set(rows.flatMap((r) => ((r.data.lots as Array<{ gtin: string; lot: string }>) ?? []).map((l) => `urn:milkchain:lot:${l.gtin}:${l.lot}`)))];
  const { rows: nodes } = await db.query<{ subject: string; product: string | null; status: string; holdings: Record<string, number> | null }>(
    `SELECT subject, product, status, state->'holdings' AS holdings FROM trace_nodes WHERE subject = ANY($1::text[])`,
    [lotSubjects],
  );
  const node = new Map(nodes.map((n) => [n.subject, n]));
  return rows.map((r) => {
    const d = r.data as { recallId: string; level: string; cause: string; description: string; root: string; action: string; lots: Array<{ gtin: string; lot: string }> };
    const lots: RecallLot[] = d.lots.map((l) => {
      const subject = `urn:milkchain:lot:${l.gtin}:${l.lot}`;
      const n = node.get(subject);
      return { ...l, subject, product: n?.product ?? null, status: n?.status ?? null, holdings: n?.holdings ?? {} };
    });
    const acknowledgements = r.acks ?? [];
    const acked = new Set(acknowledgements.map((a) => a.org));
    const holders = new Set(lots.flatMap((l) => Object.entries(l.holdings).filter(([, q]) => q > 0).map(([o]) => o)));
    return {
      subject: r.subject,
      recallId: d.recallId,
      org: r.org,
      at: r.at,
      level: d.level,
      cause: d.cause,
      description: d.description,
      root: d.root,
      action: d.action,
      lots,
      acknowledgements,
      awaiting: [...holders].filter((o) => !acked.has(o)).sort(),
    };
  });
}

export interface Hold {
  subject: string;
  type: string;
  org: string;
  product: string | null;
  gtin: string | null;
  lot: string | null;
  status: 'held' | 'recalled';
  holdings: Record<string, number>;
  /** The latest lot.held event on it: why, and since when. */
  since: string | null;
  reason: string | null;
  detail: string | null;
}

export async function currentHolds(db: Queryable): Promise<Hold[]> {
  const { rows } = await db.query<Hold>(
    `SELECT n.subject, n.type, n.org, n.product, n.gtin, n.lot, n.status, coalesce(n.state->'holdings', '{}'::jsonb) AS holdings,
            ${TIME('h.occurred_at')} AS since, h.data->>'reason' AS reason, h.data->>'detail' AS detail
       FROM trace_nodes n
       LEFT JOIN LATERAL (SELECT t.occurred_at, t.data FROM trace_events t WHERE t.subject = n.subject AND t.kind = 'lot.held' ORDER BY t.seq DESC LIMIT 1) h ON true
      WHERE n.status IN ('held', 'recalled')
      ORDER BY n.status DESC, h.occurred_at DESC NULLS LAST, n.subject`,
  );
  return rows;
}

export interface Nonconformity {
  id: string;
  at: string;
  analyte: string;
  value: number;
  unit: string;
  limit: unknown;
  rule: unknown;
  method: string | null;
  /** The lab organisation that recorded it. */
  lab: string;
  sample: string;
  /** What the sample was drawn from (a collection, a load, a batch, a lot). */
  sampledFrom: string | null;
  sampledFromOrg: string | null;
  /** The farms whose collections went into what was sampled. */
  farms: string[];
}

/** Non-conformant results recorded in [from, to), oldest first. */
export async function nonconformities(db: Queryable, from: Date, to: Date): Promise<Nonconformity[]> {
  const { rows } = await db.query<Nonconformity>(
    `SELECT t.id, ${TIME('t.occurred_at')} AS at, t.data->>'analyte' AS analyte, (t.data->>'value')::float8 AS value, t.data->>'unit' AS unit,
            t.data->'limit' AS limit, t.data->'rule' AS rule, t.data->>'method' AS method, t.org AS lab, t.subject AS sample,
            s.parent AS "sampledFrom", sn.org AS "sampledFromOrg", coalesce(f.farms, '{}') AS farms
       FROM trace_events t
       LEFT JOIN LATERAL (SELECT e.parent FROM trace_edges e WHERE e.child = t.subject AND e.rel = 'sample' AND e.parent IS NOT NULL ORDER BY e.ord LIMIT 1) s ON true
       LEFT JOIN trace_nodes sn ON sn.subject = s.parent
       LEFT JOIN LATERAL (
         WITH RECURSIVE up(subject) AS (
           SELECT s.parent WHERE s.parent IS NOT NULL
           UNION
           SELECT e.parent FROM up JOIN trace_edges e ON e.child = up.subject AND e.rel = 'input' WHERE e.parent IS NOT NULL
         )
         SELECT array_agg(DISTINCT n.org ORDER BY n.org) AS farms FROM trace_nodes n WHERE n.subject IN (SELECT subject FROM up) AND n.type = 'collection'
       ) f ON true
      WHERE t.kind = 'lab.result.recorded' AND t.data->>'verdict' = 'non_conformant' AND t.occurred_at >= $1 AND t.occurred_at < $2
      ORDER BY t.occurred_at, t.seq`,
    [from.toISOString(), to.toISOString()],
  );
  return rows;
}

export interface ColdChainExcursion {
  /** The shipment.temperature.reported event. */
  id: string;
  shipment: string;
  sscc: string;
  /** Who reported (the carrier). */
  org: string;
  at: string;
  sensor: string;
  range: { minC: number; maxC: number };
  excursions: Excursion[];
  /** The lots the shipment carried. */
  lots: string[];
}

/** Temperature reports in [from, to) whose readings leave the range (findExcursions, not the report's own claim). */
export async function coldChainExcursions(db: Queryable, from: Date, to: Date): Promise<ColdChainExcursion[]> {
  const { rows } = await db.query<{ id: string; subject: string; org: string; at: string; data: { sscc: string; sensor: string; range: { minC: number; maxC: number }; readings: Array<{ at: string; temperatureC: number }> }; lots: string[] | null }>(
    `SELECT t.id, t.subject, t.org, ${TIME('t.occurred_at')} AS at, t.data,
            (SELECT array_agg(DISTINCT e.parent) FROM trace_edges e WHERE e.child = t.subject AND e.rel = 'shipment' AND e.parent IS NOT NULL) AS lots
       FROM trace_events t
      WHERE t.kind = 'shipment.temperature.reported' AND t.occurred_at >= $1 AND t.occurred_at < $2
      ORDER BY t.occurred_at, t.seq`,
    [from.toISOString(), to.toISOString()],
  );
  const out: ColdChainExcursion[] = [];
  for (const r of rows) {
    const excursions = findExcursions(r.data.readings, r.data.range);
    if (excursions.length === 0) continue;
    out.push({ id: r.id, shipment: r.subject, sscc: r.data.sscc, org: r.org, at: r.at, sensor: r.data.sensor, range: r.data.range, excursions, lots: (r.lots ?? []).sort() });
  }
  return out;
}

export interface StoredAudit {
  id: number;
  startedAt: string;
  finishedAt: string;
  treeSize: number;
  ok: boolean;
  report: Record<string, unknown>;
}

export async function lastAudit(db: Queryable): Promise<StoredAudit | undefined> {
  const { rows } = await db.query<{ id: string; started_at: Date; finished_at: Date; tree_size: string; ok: boolean; report: Record<string, unknown> }>(
    'SELECT id, started_at, finished_at, tree_size, ok, report FROM regulator_audits ORDER BY id DESC LIMIT 1',
  );
  const r = rows[0];
  return r ? { id: Number(r.id), startedAt: r.started_at.toISOString(), finishedAt: r.finished_at.toISOString(), treeSize: Number(r.tree_size), ok: r.ok, report: r.report } : undefined;
}
