// Reads of recalls from the trace projection: the recall object (trace_nodes, type 'recall', the
// custody fold of its events), its lots as they are now, and its events in the ledger.
import type { CustodyObject, RecallAcknowledgement, RecallLot } from '@milkchain/domain';
import type { Queryable } from '../lineage/queries.ts';

export interface HolderView {
  org: string;
  acknowledged: boolean;
  at: string | null;
  note: string | null;
  lotsHeld: RecallAcknowledgement['lotsHeld'];
}

export interface RecallView {
  recallId: string;
  subject: string;
  status: 'open' | 'closed';
  initiator: string;
  initiatedAt: string;
  level: string;
  cause: string;
  action: string;
  root: string;
  lots: Array<{ subject: string; gtin: string; lot: string; holdingsAtRecall: Record<string, number>; status: string | null; holdings: Record<string, number> }>;
  holders: HolderView[];
  acknowledged: number;
  pending: string[];
  closed: Record<string, unknown> | null;
  /** The recall's events in the ledger, in log order. */
  events: Array<{ id: string; seq: number; kind: string; org: string; occurredAt: string }>;
}

type State = CustodyObject & { trace?: unknown };

function toView(state: State, lots: Map<string, { status: string; holdings: Record<string, number> }>, events: RecallView['events']): RecallView {
  const d = state.data;
  const acks = (d.acknowledgements ?? {}) as Record<string, RecallAcknowledgement>;
  const holders = Array.isArray(d.holders) ? (d.holders as string[]) : [];
  const scope = Array.isArray(d.lots) ? (d.lots as RecallLot[]) : [];
  const views: HolderView[] = holders.map((org) => {
    const a = acks[org];
    return { org, acknowledged: a !== undefined, at: a?.at ?? null, note: a?.note ?? null, lotsHeld: a?.lotsHeld ?? [] };
  });
  return {
    recallId: String(d.recallId),
    subject: state.subject,
    status: state.status === 'closed' ? 'closed' : 'open',
    initiator: state.org,
    initiatedAt: String(d.initiatedAt),
    level: String(d.level),
    cause: String(d.cause),
    action: String(d.action),
    root: String(d.root),
    lots: scope.map((l) => ({ subject: l.subject, gtin: l.gtin, lot: l.lot, holdingsAtRecall: l.holdings, status: lots.get(l.subject)?.status ?? null, holdings: lots.get(l.subject)?.holdings ?? {} })),
    holders: views,
    acknowledged: views.filter((h) => h.acknowledged).length,
    pending: views.filter((h) => !h.acknowledged).map((h) => h.org),
    closed: (d.closed as Record<string, unknown> | undefined) ?? null,
    events,
  };
}

/** One recall by id, or undefined. */
export async function recallById(db: Queryable, recallId: string): Promise<RecallView | undefined> {
  const subject = `urn:milkchain:recall:${recallId}`;
  const { rows } = await db.query<{ state: State; lots: Array<{ subject: string; status: string; holdings: Record<string, number> }> | null; events: RecallView['events'] | null }>(
    `SELECT n.state,
       (SELECT json_agg(json_build_object('subject', l.subject, 'status', l.status, 'holdings', l.state->'holdings'))
          FROM trace_nodes l WHERE l.subject IN (SELECT x->>'subject' FROM jsonb_array_elements(n.state->'data'->'lots') x)) AS lots,
       (SELECT json_agg(json_build_object('id', t.id, 'seq', t.seq, 'kind', t.kind, 'org', t.org, 'occurredAt', t.occurred_at) ORDER BY t.seq)
          FROM trace_events t WHERE t.subject = n.subject) AS events
     FROM trace_nodes n WHERE n.subject = $1 AND n.type = 'recall'`,
    [subject],
  );
  const r = rows[0];
  if (!r) return undefined;
  return toView(r.state, new Map((r.lots ?? []).map((l) => [l.subject, l])), r.events ?? []);
}

/**
 * Recalls newest first: all of them for `org` undefined (regulators), else those the
 * organisation started or holds lots of.
 */
export async function listRecalls(db: Queryable, opts: { org?: string; status?: 'open' | 'closed'; limit: number }): Promise<RecallView[]> {
  const { rows } = await db.query<{ state: State }>(
    `SELECT n.state FROM trace_nodes n
      WHERE n.type = 'recall'
        AND ($1::text IS NULL OR n.org = $1 OR n.state->'data'->'holders' ? $1)
        AND ($2::text IS NULL OR (n.status = 'closed') = ($2 = 'closed'))
      ORDER BY n.created_at DESC, n.subject LIMIT $3`,
    [opts.org ?? null, opts.status ?? null, opts.limit],
  );
  return rows.map((r) => toView(r.state, new Map(), []));
}
