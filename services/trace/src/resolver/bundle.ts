// Verification bundles: built once per lot from the trace tables (which events) and the ledger
// (the events themselves, their signatures, proofs against ONE checkpoint, the keys), cached in
// resolver_bundles, and dropped by the migration's triggers when the lot's lineage gains an event.
import type { Receipt } from '@milkchain/ledger';
import { keyForSubject, buildDigitalLink } from '@milkchain/domain';
import type { Pool } from '@milkchain/store';
import { backward, type Queryable } from '../lineage/queries.ts';
import { BUNDLE_VERSION, type BundleEntry, type VerificationBundle } from './bundle-types.ts';
import { UpstreamError, type LedgerReader, type OrgDirectory, type OrgProfile } from './clients.ts';
import { mapLimit } from '../map-limit.ts';

export interface BundleDeps {
  db: Pool;
  ledger: LedgerReader;
  orgs: OrgDirectory;
  /** The resolver's public base URL (the bundle names the lot's Digital Link on it). */
  resolverBase: string;
}

/** What a scan reads: the lot's trace status and its cached bundle, if there is one. */
export interface LotRecord {
  status: string;
  recalled: boolean;
  bundle: VerificationBundle | undefined;
}

/** At most this many entries in one bundle: a lot's lineage is tens of events, never thousands. */
export const MAX_BUNDLE_ENTRIES = 5000;
const FETCH_CONCURRENCY = 8;

/** One indexed read: the lot's node and its cached bundle. Undefined for an unknown lot. */
export async function readLot(db: Queryable, lot: string): Promise<LotRecord | undefined> {
  const { rows } = await db.query<{ status: string; recalled: boolean; bundle: VerificationBundle | null }>(
    `SELECT n.status, n.recalled, b.bundle FROM trace_nodes n LEFT JOIN resolver_bundles b ON b.lot_subject = n.subject
      WHERE n.subject = $1 AND n.type = 'lot'`,
    [lot],
  );
  const r = rows[0];
  return r ? { status: r.status, recalled: r.recalled, bundle: r.bundle ?? undefined } : undefined;
}

/**
 * The ids of the events the bundle starts from: the lot's backward lineage with its samples (the
 * trace's `backward`), the shipments that carried the lot, and the recalls that name it.
 */
async function lineageEventIds(db: Queryable, lot: string): Promise<string[] | undefined> {
  const trace = await backward(db, lot, { events: true });
  if (!trace) return undefined;
  const { rows } = await db.query<{ id: string }>(
    `SELECT t.id FROM trace_events t WHERE t.subject IN (
        SELECT e.child FROM trace_edges e WHERE e.parent = $1 AND e.rel = 'shipment'
        UNION
        SELECT r.subject FROM trace_events r WHERE r.kind = 'recall.initiated' AND r.data->'lots' @> $2::jsonb)
      ORDER BY t.seq`,
    [lot, JSON.stringify([{ gtin: lot.split(':')[3], lot: lot.split(':')[4] }])],
  );
  const ids = [...(trace.events ?? []).map((e) => e.id), ...rows.map((r) => r.id)];
  return [...new Set(ids)];
}

/**
 * Builds the bundle of `lot` (undefined when the trace does not know it as a lot). Every entry
 * the lineage names is fetched from the ledger, then every event their `prev` and `inputs` name
 * that is not there yet, until the set is closed: the browser can then check each link.
 */
export async function buildBundle(deps: BundleDeps, lot: string): Promise<{ bundle: VerificationBundle; subjects: string[]; fromSeq: number } | undefined> {
  const key = keyForSubject(lot);
  if (!key || key.type !== 'gtin') return undefined;
  const { rows: maxRows } = await deps.db.query<{ max: string }>('SELECT coalesce(max(seq), -1) AS max FROM trace_events');
  const fromSeq = Number(maxRows[0]?.max ?? -1);
  const lineage = await lineageEventIds(deps.db, lot);
  if (!lineage) return undefined;

  const receipts = new Map<string, Receipt>();
  let pending = lineage;
  while (pending.length > 0) {
    if (receipts.size + pending.length > MAX_BUNDLE_ENTRIES) throw new UpstreamError(`the lineage of ${lot} has more than ${MAX_BUNDLE_ENTRIES} events`);
    const got = await mapLimit(pending, FETCH_CONCURRENCY, (id) => deps.ledger.receipt(id));
    for (const r of got) receipts.set(r.id, r);
    const named = new Set<string>();
    for (const r of got) for (const id of [r.event.prev, ...r.event.inputs]) if (id !== null && !receipts.has(id)) named.add(id);
    pending = [...named];
  }
  if (receipts.size === 0) return undefined;

  // One checkpoint for all: the newest any receipt was given; older proofs are fetched again for it.
  let newest: Receipt | undefined;
  for (const r of receipts.values()) if (!newest || r.inclusionProof.treeSize > newest.inclusionProof.treeSize) newest = r;
  const treeSize = newest!.inclusionProof.treeSize;
  const entries: BundleEntry[] = await mapLimit([...receipts.values()], FETCH_CONCURRENCY, async (r) => ({
    seq: r.seq,
    id: r.id,
    event: r.event,
    signature: r.signature,
    proof: r.inclusionProof.treeSize === treeSize ? r.inclusionProof.hashes : (await deps.ledger.inclusionProof(r.id, treeSize)).hashes,
  }));
  entries.sort((a, b) => a.seq - b.seq);

  const orgIds = [...new Set(entries.map((e) => e.event.org))].sort();
  const [orgKeys, logKeys, profiles] = await Promise.all([
    deps.ledger.orgKeys(),
    deps.ledger.logKeys(),
    mapLimit(orgIds, FETCH_CONCURRENCY, (id) => deps.orgs.org(id)),
  ]);
  const orgs: Record<string, OrgProfile> = {};
  profiles.forEach((p, i) => {
    if (p) orgs[orgIds[i]!] = publicProfile(p);
  });
  const bundle: VerificationBundle = {
    v: BUNDLE_VERSION,
    lot,
    uri: buildDigitalLink(deps.resolverBase, key),
    builtAt: new Date().toISOString(),
    checkpoint: newest!.checkpoint,
    treeSize,
    logKeys,
    orgKeys: { keys: orgKeys.keys.filter((k) => orgIds.includes(k.org)) },
    orgs,
    entries,
  };
  const subjects = [...new Set([lot, ...entries.map((e) => e.event.subject)])].sort();
  return { bundle, subjects, fromSeq };
}

/** Only what the page shows of an organisation (identity's public profile may grow). */
function publicProfile(p: OrgProfile): OrgProfile {
  return {
    id: p.id,
    roles: p.roles,
    name: p.name,
    region: p.region,
    licences: p.licences ?? [],
    ...(p.accreditations ? { accreditations: p.accreditations } : {}),
  };
}

/**
 * Stores a built bundle and the subjects it depends on. If the lineage gained an event while the
 * bundle was being built (after `fromSeq`, before the row existed for the triggers to drop), the
 * row is dropped again at once: the caller still serves what it built, the next scan rebuilds.
 */
export async function storeBundle(db: Pool, built: { bundle: VerificationBundle; subjects: string[]; fromSeq: number }): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO resolver_bundles (lot_subject, tree_size, built_from_seq, bundle) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (lot_subject) DO UPDATE SET tree_size = EXCLUDED.tree_size, built_from_seq = EXCLUDED.built_from_seq, bundle = EXCLUDED.bundle, built_at = now()`,
      [built.bundle.lot, built.bundle.treeSize, built.fromSeq, JSON.stringify(built.bundle)],
    );
    await client.query('DELETE FROM resolver_bundle_subjects WHERE lot_subject = $1', [built.bundle.lot]);
    await client.query('INSERT INTO resolver_bundle_subjects (subject, lot_subject) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING', [built.subjects, built.bundle.lot]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
  const { rows } = await db.query(
    `SELECT 1 FROM trace_events WHERE seq > $1 AND (subject = ANY($2::text[]) OR kind LIKE 'recall.%' OR kind IN ('sample.taken', 'shipment.dispatched')) LIMIT 1`,
    [built.fromSeq, built.subjects],
  );
  if (rows.length > 0) await db.query('DELETE FROM resolver_bundles WHERE lot_subject = $1 AND built_from_seq = $2', [built.bundle.lot, built.fromSeq]);
}

/** Drops cached bundles (all, or one lot's): for operators and tests. */
export async function clearBundles(db: Queryable, lot?: string): Promise<void> {
  if (lot === undefined) await db.query('DELETE FROM resolver_bundles');
  else await db.query('DELETE FROM resolver_bundles WHERE lot_subject = $1', [lot]);
}

/**
 * The bundles of a process: read through the cache, build on a miss (one build per lot at a time
 * in this process).
 */
export class BundleCache {
  readonly #building = new Map<string, Promise<VerificationBundle | undefined>>();
  /**
   * Bundles already read, by lot, with the version they were read at (the row's build time and
   * the lot's status): a scan then reads a few columns, not the whole bundle, and what callers
   * derive from a bundle (`memo`: the page, the linkset, the JSON text) is made once per version.
   */
  readonly #read = new Map<string, { version: string; record: LotRecord & { bundle: VerificationBundle; memo: Map<string, unknown> } }>();
  static readonly MAX_MEMO_LOTS = 10_000;
  constructor(private readonly deps: BundleDeps) {}

  /** The lot's record with its bundle (built if it was not cached); undefined for an unknown lot. */
  async get(lot: string): Promise<(LotRecord & { bundle: VerificationBundle; memo: Map<string, unknown> }) | undefined> {
    const { rows } = await this.deps.db.query<{ status: string; recalled: boolean; built_at: Date | null; tree_size: string | null }>(
      `SELECT n.status, n.recalled, b.built_at, b.tree_size FROM trace_nodes n LEFT JOIN resolver_bundles b ON b.lot_subject = n.subject
        WHERE n.subject = $1 AND n.type = 'lot'`,
      [lot],
    );
    const head = rows[0];
    if (!head) return undefined;
    if (head.built_at) {
      const version = `${head.built_at.getTime()}:${head.tree_size}:${head.status}:${head.recalled}`;
      const known = this.#read.get(lot);
      if (known?.version === version) return known.record;
      const rec = await readLot(this.deps.db, lot);
      if (rec?.bundle) {
        const record = { ...rec, bundle: rec.bundle, memo: new Map<string, unknown>() };
        if (this.#read.size >= BundleCache.MAX_MEMO_LOTS) this.#read.delete(this.#read.keys().next().value!);
        this.#read.set(lot, { version, record });
        return record;
      }
    }
    const rec = await readLot(this.deps.db, lot);
    if (!rec) return undefined;
    if (rec.bundle) return { ...rec, bundle: rec.bundle, memo: new Map() };
    let building = this.#building.get(lot);
    if (!building) {
      building = (async () => {
        const built = await buildBundle(this.deps, lot);
        if (!built) return undefined;
        await storeBundle(this.deps.db, built);
        return built.bundle;
      })().finally(() => this.#building.delete(lot));
      this.#building.set(lot, building);
    }
    const bundle = await building;
    return bundle ? { ...rec, bundle, memo: new Map() } : undefined;
  }
}
