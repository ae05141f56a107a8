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

/**
 * Folds a contiguous run of the log, in order, inside the caller's transaction: the same tables as
 * `applyEntry` on each entry in turn (later entries see what earlier ones changed), with the
 * nodes kept in memory across the run and a handful of statements per run instead of five or six
 * per entry. Entries folded before (their event row exists) are skipped. Returns how many were new.
 */
export async function applyEntries(client: PoolClient, entries: readonly TraceEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const { rows: insertedRows } = await client.query<{ id: string }>(
    `INSERT INTO trace_events (${EVENT_COLUMNS.join(', ')}) VALUES ${placeholders(entries.length, EVENT_COLUMNS.length, ['', '', '', '', '', '', '::jsonb'])}
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    entries.flatMap(eventRow),
  );
  const fresh = new Set(insertedRows.map((r) => r.id));
  const run = entries.filter((e) => fresh.has(e.id));
  if (run.length === 0) return 0;
  const fold = new RunFold(client);
  await fold.prefetch(run);
  for (const entry of run) await fold.fold(entry);
  await fold.write();
  return run.length;
}

/** The nodes of one run, current as of the entry being folded; see applyEntries. */
class RunFold {
  readonly #nodes = new Map<string, TraceNode>();
  /** Subjects known to have no node (yet). */
  readonly #absent = new Set<string>();
  readonly #dirty = new Set<string>();
  /** Event id → its subject, for every event this run folds or names as an input. */
  readonly #subjectOf = new Map<string, string>();
  readonly #edges: Folded['edges'] = [];
  readonly #folded: TraceEntry[] = [];

  constructor(private readonly client: PoolClient) {}

  /** One query for the nodes the run names directly, one for the subjects of its inputs. */
  async prefetch(run: readonly TraceEntry[]): Promise<void> {
    for (const e of run) this.#subjectOf.set(e.id, e.event.subject);
    const inputs = [...new Set(run.flatMap((e) => e.event.inputs))].filter((i) => !this.#subjectOf.has(i));
    if (inputs.length > 0) {
      const { rows } = await this.client.query<{ id: string; subject: string }>('SELECT id, subject FROM trace_events WHERE id = ANY($1::text[])', [inputs]);
      for (const r of rows) this.#subjectOf.set(r.id, r.subject);
    }
    const subjects = new Set<string>();
    for (const e of run) {
      const needs = traceNeeds(e.event);
      for (const s of needs.subjects) subjects.add(s);
      for (const h of needs.heads ?? []) {
        const s = this.#subjectOf.get(h);
        if (s !== undefined) subjects.add(s);
      }
    }
    await this.#load([...subjects]);
  }

  async #load(subjects: string[]): Promise<void> {
    const wanted = subjects.filter((s) => !this.#nodes.has(s) && !this.#absent.has(s));
    if (wanted.length === 0) return;
    const loaded = await loadNodes(this.client, wanted, []);
    for (const s of wanted) {
      const n = loaded.get(s);
      if (n) this.#nodes.set(s, n);
      else this.#absent.add(s);
    }
  }

  /**
   * What loadNodes would read now for these needs: the nodes of `subjects`, and the nodes whose
   * current head is one of `heads` (a node whose head has moved on is not one of them).
   */
  async #select(subjects: readonly string[], heads: readonly string[]): Promise<Map<string, TraceNode>> {
    const viaHeads = heads.flatMap((h) => {
      const s = this.#subjectOf.get(h);
      return s === undefined ? [] : [{ h, s }];
    });
    await this.#load([...subjects, ...viaHeads.map((x) => x.s)]);
    const out = new Map<string, TraceNode>();
    for (const s of subjects) {
      const n = this.#nodes.get(s);
      if (n) out.set(s, n);
    }
    for (const { h, s } of viaHeads) {
      const n = this.#nodes.get(s);
      if (n && n.object.head === h) out.set(s, n);
    }
    return out;
  }

  async fold(entry: TraceEntry): Promise<void> {
    const { event } = entry;
    const needs = traceNeeds(event);
    const nodes = await this.#select(needs.subjects, needs.heads ?? []);
    const more = moreToLoad(event, nodes);
    if (more.length > 0) for (const [s, n] of await this.#select(more, [])) nodes.set(s, n);
    const folded = foldEntry(nodes, entry, (id) => this.#subjectOf.get(id));
    for (const n of folded.nodes) {
      this.#nodes.set(n.object.subject, n);
      this.#absent.delete(n.object.subject);
      this.#dirty.add(n.object.subject);
    }
    this.#edges.push(...folded.edges);
    this.#folded.push(entry);
  }

  async write(): Promise<void> {
    await writeFolded(this.client, { entry: this.#folded[0]!, nodes: [...this.#dirty].map((s) => this.#nodes.get(s)!), edges: this.#edges });
    // Links that named one of these events before it arrived now know their parent.
    await this.client.query(
      `UPDATE trace_edges e SET parent = x.subject FROM unnest($1::text[], $2::text[]) AS x(id, subject)
        WHERE e.parent IS NULL AND e.parent_event = x.id`,
      [this.#folded.map((f) => f.id), this.#folded.map((f) => f.event.subject)],
    );
  }
}

/** Rows per statement, under PostgreSQL's 65,535 bind parameters for the widest table (nodes, 19 columns). */
const ROWS_PER_STATEMENT = 3000;

async function writeFolded(client: PoolClient, folded: Folded): Promise<void> {
  const updates = NODE_COLUMNS.filter((c) => c !== 'subject' && c !== 'created_at').map((c) => `${c} = EXCLUDED.${c}`);
  for (let i = 0; i < folded.nodes.length; i += ROWS_PER_STATEMENT) {
    const nodes = folded.nodes.slice(i, i + ROWS_PER_STATEMENT);
    await client.query(
      `INSERT INTO trace_nodes (${NODE_COLUMNS.join(', ')}) VALUES ${placeholders(nodes.length, NODE_COLUMNS.length, NODE_CASTS)}
       ON CONFLICT (subject) DO UPDATE SET ${updates.join(', ')}`,
      nodes.flatMap(nodeRow),
    );
  }
  for (let i = 0; i < folded.edges.length; i += ROWS_PER_STATEMENT) {
    const edges = folded.edges.slice(i, i + ROWS_PER_STATEMENT);
    await client.query(`INSERT INTO trace_edges (${EDGE_COLUMNS.join(', ')}) VALUES ${placeholders(edges.length, EDGE_COLUMNS.length)} ON CONFLICT DO NOTHING`, edges.flatMap(edgeRow));
  }
}
