// A subject's EPCIS history: which events (the trace tables: the subject, its backward lineage
// with the samples drawn along it, the shipments that carried a lot and the recalls that name it)
// and the events themselves (the ledger's entries, fetched over HTTP by seq, since the trace
// tables keep each event's data but not its whole signed envelope with prev and inputs).
import { toEpcisDocument, type EpcisDocument, type LedgerEntry } from '@milkchain/epcis';
import { UpstreamError } from '../resolver/clients.ts';
import { backward, type Queryable } from '../lineage/queries.ts';
import type { LedgerEntries, OrgList } from './upstream.ts';
import { mapLimit } from '../map-limit.ts';

/** At most this many events in one export: a lineage is tens to hundreds of events. */
export const MAX_EXPORT_EVENTS = 20_000;
/** Seqs closer than this are read in one range request (the ledger serves up to 1000 a page). */
const GAP = 16;

/** The ids and seqs of a subject's history with its lineage, in log order; undefined for an unknown subject. */
export async function historyEvents(db: Queryable, subject: string): Promise<Array<{ id: string; seq: number }> | undefined> {
  const trace = await backward(db, subject, { events: true });
  if (!trace) return undefined;
  const lot = /^urn:milkchain:lot:([0-9]{14}):(.+)$/.exec(subject);
  const { rows } = await db.query<{ id: string; seq: string }>(
    `SELECT t.id, t.seq FROM trace_events t WHERE t.subject IN (
        SELECT e.child FROM trace_edges e WHERE e.parent = $1 AND e.rel = 'shipment'
        UNION
        SELECT r.subject FROM trace_events r WHERE $2::jsonb IS NOT NULL AND r.kind = 'recall.initiated' AND r.data->'lots' @> $2::jsonb)`,
    [subject, lot ? JSON.stringify([{ gtin: lot[1], lot: lot[2] }]) : null],
  );
  const all = new Map<string, number>();
  for (const e of trace.events ?? []) all.set(e.id, Number(e.seq));
  for (const r of rows) all.set(r.id, Number(r.seq));
  return [...all].map(([id, seq]) => ({ id, seq })).sort((a, b) => a.seq - b.seq);
}

/** The ledger entries of `wanted` (sorted by seq), read in as few range requests as their spread allows. */
export async function fetchEntries(ledger: LedgerEntries, wanted: ReadonlyArray<{ id: string; seq: number }>): Promise<LedgerEntry[]> {
  if (wanted.length > MAX_EXPORT_EVENTS) throw new UpstreamError(`the history has ${wanted.length} events, more than ${MAX_EXPORT_EVENTS} in one export`);
  const ranges: Array<{ start: number; end: number }> = [];
  for (const { seq } of wanted) {
    const last = ranges.at(-1);
    if (last && seq - last.end <= GAP && seq - last.start < 1000) last.end = seq;
    else ranges.push({ start: seq, end: seq });
  }
  const byId = new Map(wanted.map((w) => [w.id, w.seq]));
  const out: LedgerEntry[] = [];
  const pages = await mapLimit(ranges, 4, (r) => ledger.entries(r.start, r.end - r.start + 1));
  for (const page of pages) for (const e of page) if (byId.get(e.id) === e.seq) out.push({ seq: e.seq, id: e.id, event: e.event });
  if (out.length !== wanted.length) {
    const got = new Set(out.map((e) => e.id));
    const missing = wanted.filter((w) => !got.has(w.id));
    throw new UpstreamError(`the ledger did not serve ${missing.length} of the events the trace names (first: seq ${missing[0]?.seq}, id ${missing[0]?.id})`);
  }
  return out.sort((a, b) => a.seq - b.seq);
}

export interface ExportDeps {
  db: Queryable;
  ledger: LedgerEntries;
  orgs: OrgList;
  /** Base of milkchain's own class ids (the export's and capture's idBase); default the package's. */
  idBase?: string;
  clock?: () => Date;
}

/** The EPCISDocument of `subject` (already resolved and allowed); undefined when the trace does not know it. */
export async function exportSubject(deps: ExportDeps, subject: string, documentId?: string): Promise<EpcisDocument | undefined> {
  const wanted = await historyEvents(deps.db, subject);
  if (!wanted) return undefined;
  const [entries, orgs] = await Promise.all([fetchEntries(deps.ledger, wanted), deps.orgs.list()]);
  const gln = new Map(orgs.filter((o) => o.gln).map((o) => [o.id, o.gln!]));
  return toEpcisDocument(entries, {
    now: (deps.clock ?? (() => new Date()))(),
    glnOf: (org) => gln.get(org),
    ...(deps.idBase ? { idBase: deps.idBase } : {}),
    ...(documentId ? { documentId } : {}),
  });
}
