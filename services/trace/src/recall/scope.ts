// A recall's scope: exactly the lots made from its root, found by the trace's forward query over
// the lineage projection. The caller names the root; the lots are always computed here.
import { forward, farmCollections, forwardRoots, nodeExists, resolveSubject, type NodeView, type Queryable } from '../lineage/queries.ts';

/** Where a recall starts: a subject (collection, load, sample, batch, lot ...) or lab result event id, or a farm and a time range. */
export type RecallRoot = { subject: string } | { farm: string; from: Date; to: Date };

export interface RecallScope {
  /** The root as the recall.initiated event records it (a URN). */
  root: string;
  /** Where the forward walk started. */
  starts: string[];
  lots: NodeView[];
  /** Organisations holding any of the lots now, or about to receive some (in transit to them), sorted. */
  holders: string[];
}

const EVENT_ID = /^[0-9a-f]{64}$/;

/** The URN a root is recorded under: the subject; an event id as urn:milkchain:event:<id>; a farm range as urn:milkchain:farm:<org>:<from>:<to>. */
export function rootUrn(root: RecallRoot): string {
  if ('farm' in root) return `urn:milkchain:farm:${root.farm}:${root.from.toISOString()}:${root.to.toISOString()}`;
  return EVENT_ID.test(root.subject) ? `urn:milkchain:event:${root.subject}` : root.subject;
}

export function holdersOf(lots: readonly NodeView[]): string[] {
  const out = new Set<string>();
  for (const l of lots) {
    for (const [org, n] of Object.entries(l.holdings ?? {})) if (n > 1e-6) out.add(org);
    for (const t of Object.values(l.inTransit ?? {})) out.add(t.to);
  }
  return [...out].sort();
}

/** The scope of a recall from `root`, or undefined when the trace does not know the root. */
export async function recallScope(db: Queryable, root: RecallRoot): Promise<RecallScope | undefined> {
  let starts: string[];
  if ('farm' in root) {
    starts = await farmCollections(db, root.farm, root.from.toISOString(), root.to.toISOString());
  } else {
    const subject = await resolveSubject(db, root.subject);
    if (subject === undefined || !(await nodeExists(db, subject))) return undefined;
    starts = await forwardRoots(db, subject);
  }
  const trace = starts.length > 0 ? await forward(db, starts) : { lots: [] as NodeView[] };
  const lots = [...trace.lots].sort((a, b) => a.subject.localeCompare(b.subject));
  return { root: rootUrn(root), starts, lots, holders: holdersOf(lots) };
}
