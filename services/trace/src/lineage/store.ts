// The projector's side of the trace tables: load what an entry touches, write what its fold
// changed. Every write is keyed (event id, subject, edge key), so a fold applied twice changes
// nothing the second time.
import type { CustodyObject } from '@milkchain/domain';
import type { PoolClient } from '@milkchain/store';
import { EDGE_COLUMNS, EVENT_COLUMNS, NODE_COLUMNS, edgeRow, eventRow, foldEntry, moreToLoad, nodeFromState, nodeRow, traceNeeds, type Folded, type TraceEntry, type TraceNode } from './fold.ts';

type State = CustodyObject & { trace: Omit<TraceNode, 'object'> };

async function loadNodes(client: PoolClient, subjects: string[], heads: string[]): Promise<Map<string, TraceNode>> {
  const out = new Map<string, TraceNode>();
  if (subjects.length === 0 && heads.length === 0) return out;
  const { rows } = await client.query<{ state: State }>('SELECT state FROM trace_nodes WHERE subject = ANY($1::text[]) OR head = ANY($2::text[])', [subjects, heads]);
  for (const r of rows) out.set(r.state.subject, nodeFromState(r.state));
  return out;
}

const placeholders = (rows: number, cols: number, casts: readonly string[] = []) =>
  Array.from({ length: rows }, (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${r * cols + c + 1}${casts[c] ?? ''}`).join(', ')})`).join(', ');

const NODE_CASTS = NODE_COLUMNS.map((c) => (c === 'species' || c === 'holders' ? '::text[]' : c === 'state' ? '::jsonb' : c === 'production_date' || c === 'best_before' ? '::date' : ''));

/**
 * Folds one entry into the tables, inside the caller's transaction. Returns false (and writes
 * nothing) when the entry was folded before.
 */
export async function applyEntry(client: PoolClient, entry: TraceEntry): Promise<boolean> {
  const inserted = await client.query(`INSERT INTO trace_events (${EVENT_COLUMNS.join(', ')}) VALUES ${placeholders(1, EVENT_COLUMNS.length, ['', '', '', '', '', '', '::jsonb'])} ON CONFLICT (id) DO NOTHING`, eventRow(entry));
  if (inserted.rowCount === 0) return false;
  const { event } = entry;
  const needs = traceNeeds(event);
  const nodes = await loadNodes(client, needs.subjects, needs.heads ?? []);
  const more = moreToLoad(event, nodes);
  if (more.length > 0) for (const [s, n] of await loadNodes(client, more, [])) nodes.set(s, n);

  const ids = new Map<string, string>();
  for (const n of nodes.values()) ids.set(n.object.head, n.object.subject);
  const unknown = event.inputs.filter((i) => !ids.has(i));
  if (unknown.length > 0) {
    const { rows } = await client.query<{ id: string; subject: string }>('SELECT id, subject FROM trace_events WHERE id = ANY($1::text[])', [unknown]);
    for (const r of rows) ids.set(r.id, r.subject);
  }
  await writeFolded(client, foldEntry(nodes, entry, (id) => ids.get(id)));
  // Links that named this event before it arrived now know their parent.
  await client.query('UPDATE trace_edges SET parent = $2 WHERE parent IS NULL AND parent_event = $1', [entry.id, event.subject]);
  return true;
}

async function writeFolded(client: PoolClient, folded: Folded): Promise<void> {
  if (folded.nodes.length > 0) {
    const updates = NODE_COLUMNS.filter((c) => c !== 'subject' && c !== 'created_at').map((c) => `${c} = EXCLUDED.${c}`);
    await client.query(
      `INSERT INTO trace_nodes (${NODE_COLUMNS.join(', ')}) VALUES ${placeholders(folded.nodes.length, NODE_COLUMNS.length, NODE_CASTS)}
       ON CONFLICT (subject) DO UPDATE SET ${updates.join(', ')}`,
      folded.nodes.flatMap(nodeRow),
    );
  }
  if (folded.edges.length > 0) {
    await client.query(
      `INSERT INTO trace_edges (${EDGE_COLUMNS.join(', ')}) VALUES ${placeholders(folded.edges.length, EDGE_COLUMNS.length)} ON CONFLICT DO NOTHING`,
      folded.edges.flatMap(edgeRow),
    );
  }
}
