import { LogAuditor, ORG_KEY_REGISTERED, peekCheckpoint, registeredKeyOf, type EntryInspection, type EventSignature, type TileWrite as LedgerTileWrite } from '@milkchain/ledger';
import { startInspectorPool, type InspectorPool } from './audit-workers.ts';
import type { JWK } from 'jose';
import { tileKey, type CheckpointRecord, type LedgerStore } from './store/port.ts';

export interface AuditIssue {
  seq: number | null;
  id?: string | null;
  check: string;
  detail: string;
}

export interface AuditReport {
  ok: boolean;
  entries: number;
  checkpoints: number;
  tiles: number;
  seconds: number;
  issues: AuditIssue[];
  /** Where the trusted log keys came from. */
  trust: string;
}

export interface AuditProgress {
  done: number;
  total: number;
}

/** A source of the whole log in order: a database (store) or a running server (HTTP). */
export interface AuditSource {
  size(): Promise<number>;
  /** Entries with their signature resolved (bulk signatures with their list of ids). */
  entries(start: number, limit: number): Promise<AuditEntry[]>;
  /**
   * Every entry with seq in [start, end) in order, in chunks, where the source can stream them
   * (a database can): then `entries` is not used. A missing seq is simply absent.
   */
  scan?(start: number, end: number): AsyncIterable<AuditEntry[]>;
  /** Checkpoints with treeSize in [from, to], ascending. */
  checkpoints(from: number, to: number): Promise<CheckpointRecord[]>;
  latestCheckpoint(): Promise<CheckpointRecord | null>;
  /** Stored tiles, where the source has them (a database does; a server does not). */
  tiles?(coords: Array<{ tileLevel: number; tileIndex: number }>): Promise<Map<string, Uint8Array>>;
  /** Stored org keys, where the source has them, to compare with the log's registrations. */
  orgKeys?(): Promise<Array<{ kid: string; org: string; jwk: unknown }>>;
}

export interface AuditEntry {
  seq: number;
  id: string;
  canonical: Uint8Array;
  signature: EventSignature;
}

/** What the auditor is given for an entry whose bulk signature is not stored: it fails to verify. */
const MISSING_BULK: { jws: string; ids: string[] } = { jws: '', ids: [] };

export function storeSource(store: LedgerStore): AuditSource {
  const bulk = new Map<number, { jws: string; ids: string[] }>();
  return {
    size: () => store.size(),
    async entries(start, limit) {
      const rows = await store.entries(start, limit);
      const out = [];
      for (const e of rows) {
        let signature: EventSignature;
        if (e.signature !== null) signature = e.signature;
        else {
          let b = e.bulkId === null ? undefined : bulk.get(e.bulkId);
          if (!b && e.bulkId !== null) {
            const stored = await store.bulkSignature(e.bulkId);
            b = stored ? { jws: stored.jws, ids: stored.ids } : { jws: '', ids: [] };
            if (bulk.size > 10_000) bulk.clear();
            bulk.set(e.bulkId, b);
          }
          signature = b ?? '';
        }
        out.push({ seq: e.seq, id: e.id, canonical: e.canonical, signature });
      }
      return out;
    },
    async *scan(start, end) {
      for await (const chunk of store.scanEntries(start, end)) {
        yield chunk.map((e) => ({
          seq: e.seq,
          id: e.id,
          canonical: e.canonical,
          signature: e.signature !== null ? e.signature : e.bulkId === null ? '' : (e.bulk ?? MISSING_BULK),
        }));
      }
    },
    checkpoints: (from, to) => store.checkpoints(from, to, 100_000),
    latestCheckpoint: () => store.latestCheckpoint(),
    tiles: (coords) => store.tiles(coords),
    orgKeys: () => store.orgKeys(),
  };
}

/**
 * The audit: re-hashes every stored event from its stored bytes, rebuilds the tree, checks every
 * chain link, input, signature and checkpoint (all through @milkchain/ledger's LogAuditor, the
 * one verifier) and, where the source has them, every stored tile and org key. Reports the first
 * place where anything disagrees, plus up to `maxIssues` more.
 */
export async function audit(
  source: AuditSource,
  options: {
    logKeys: JWK[];
    trust: string;
    operatorOrg: string;
    origin?: string;
    pageSize?: number;
    maxIssues?: number;
    onProgress?: (p: AuditProgress) => void;
    /**
     * Worker threads for the order-free per-entry checks (hashes, parse, canonical form,
     * envelope, signatures); 0 runs everything on this thread. Same report either way.
     */
    workers?: number;
  },
): Promise<AuditReport> {
  const workers = options.workers ?? DEFAULT_WORKERS;
  const pool = workers > 0 ? startInspectorPool({ workers, logKeys: options.logKeys as Array<{ kid?: string; x?: string }>, operatorOrg: options.operatorOrg }) : null;
  try {
    return await runAudit(source, options, pool);
  } finally {
    await pool?.close();
  }
}

/**
 * On this thread by default: starting workers costs a few hundred milliseconds, more than a small
 * log's whole audit (the regulator's view, tests). `milkchain verify` asks for two: on a quiet
 * 2-core machine, 1M entries took 23.6 s with 2 workers, 37.3 s without (docs/benchmarks.md);
 * on a machine busy with other work they were not faster.
 */
const DEFAULT_WORKERS = 0;

async function runAudit(
  source: AuditSource,
  options: { logKeys: JWK[]; trust: string; operatorOrg: string; origin?: string; pageSize?: number; maxIssues?: number; onProgress?: (p: AuditProgress) => void },
  pool: InspectorPool | null,
): Promise<AuditReport> {
  const started = performance.now();
  const pageSize = options.pageSize ?? 5000;
  const auditor = new LogAuditor({ logKeys: { keys: options.logKeys }, operatorOrg: options.operatorOrg, origin: options.origin, maxIssues: options.maxIssues ?? 20 });
  const extra: AuditIssue[] = [];
  const size = await source.size();
  const latest = await source.latestCheckpoint();
  let checkpointsChecked = 0;
  let tilesChecked = 0;

  // Checkpoints are fed when the rebuilt tree reaches their size; they are read ahead in windows.
  const pending: CheckpointRecord[] = [];
  let pendingUpTo = -1;
  const readCheckpointsTo = async (upTo: number) => {
    while (pendingUpTo < upTo) {
      const to = Math.min(size, Math.max(upTo, pendingUpTo + CHECKPOINT_WINDOW));
      pending.push(...(await source.checkpoints(pendingUpTo + 1, to)));
      pendingUpTo = to;
    }
  };
  const feedCheckpoints = async () => {
    while (pending.length > 0 && pending[0]!.treeSize <= auditor.size) {
      const cp = pending.shift()!;
      const peeked = safePeek(cp.jws);
      if (!peeked || peeked.treeSize !== cp.treeSize || peeked.rootHash !== cp.rootHash) {
        extra.push({ seq: cp.treeSize - 1, check: 'checkpoint-record', detail: `the stored checkpoint row for tree size ${cp.treeSize} does not match its own signed payload` });
      }
      await auditor.checkCheckpoint(cp.jws);
      checkpointsChecked++;
    }
  };
  const compareTiles = async (computed: LedgerTileWrite[]) => {
    if (!source.tiles || computed.length === 0) return;
    const stored = await source.tiles(computed.map((t) => ({ tileLevel: t.tileLevel, tileIndex: t.tileIndex })));
    for (const t of computed) {
      tilesChecked++;
      const s = stored.get(tileKey(t.tileLevel, t.tileIndex));
      if (!s || !sameBytes(s.subarray(0, t.hashes.length), t.hashes)) {
        extra.push({
          seq: null,
          check: 'stored-subtree-hashes',
          detail: s
            ? `stored tile ${t.tileLevel}/${t.tileIndex} (subtree hashes at height ${8 * t.tileLevel}) differs from the hashes rebuilt from the events`
            : `stored tile ${t.tileLevel}/${t.tileIndex} is missing`,
        });
      }
    }
  };

  await readCheckpointsTo(Math.min(size, pageSize));
  await feedCheckpoints();
  let gap = false;
  const check = async (chunk: AuditEntry[], inspected: EntryInspection[] | null) => {
    const last = chunk[chunk.length - 1];
    if (last) await readCheckpointsTo(Math.min(size, last.seq + 1));
    for (let i = 0; i < chunk.length; i++) {
      const e = chunk[i]!;
      // A seq that is not the next one: the auditor reports it at its position; after a gap
      // every later position is off by one, so the audit stops there (as a short page did).
      if (e.seq !== auditor.size) gap = true;
      const inspection = inspected?.[i];
      if (inspection) {
        await auditor.addInspected(e, inspection);
        // Workers inspecting later chunks learn the key (they learn it anyway if it is in their chunk).
        const ev = inspection.event;
        if (ev && ev.kind === ORG_KEY_REGISTERED && ev.org === options.operatorOrg) {
          const k = registeredKeyOf(ev);
          if (k) pool!.learnKey(k.kid, k.x);
        }
      } else await auditor.addEntry(e);
      if (pending.length > 0 && pending[0]!.treeSize <= auditor.size) await feedCheckpoints();
      if (gap) break;
    }
    await compareTiles(auditor.drainCompletedTiles());
    options.onProgress?.({ done: Math.min(size, auditor.size), total: size });
  };
  if (!pool) {
    for await (const chunk of chunks(source, size, pageSize)) {
      await check(chunk, null);
      if (gap) break;
    }
  } else {
    // Chunks are inspected by the workers while earlier ones are checked here, in log order.
    const inFlight: Array<{ chunk: AuditEntry[]; inspected: Promise<EntryInspection[]> }> = [];
    const checkNext = async () => {
      const { chunk, inspected } = inFlight.shift()!;
      await check(chunk, await inspected);
    };
    try {
      for await (const chunk of chunks(source, size, pageSize)) {
        const inspected = pool.inspect(chunk);
        inspected.catch(() => undefined); // awaited in order below; an early stop drops it
        inFlight.push({ chunk, inspected });
        while (inFlight.length > CHUNKS_IN_FLIGHT && !gap) await checkNext();
        if (gap) break;
      }
      while (inFlight.length > 0 && !gap) await checkNext();
    } finally {
      inFlight.length = 0;
    }
  }
  if (!gap && auditor.size < size) {
    extra.push({ seq: auditor.size, check: 'sequence', detail: `the log reports ${size} entries but entry ${auditor.size} is missing` });
  }
  await compareTiles(auditor.currentTiles());
  await auditor.finish();
  if (!latest) extra.push({ seq: null, check: 'checkpoint', detail: 'the log has no signed checkpoint' });
  else if (latest.treeSize > auditor.size) {
    extra.push({ seq: auditor.size, check: 'truncated', detail: `the latest signed checkpoint covers ${latest.treeSize} entries but only ${auditor.size} are stored: entries from seq ${auditor.size} on are missing` });
  } else if (latest.treeSize < auditor.size) {
    extra.push({ seq: latest.treeSize, check: 'unsigned-entries', detail: `entries from seq ${latest.treeSize} on are not covered by any signed checkpoint` });
  }
  if (source.orgKeys) {
    const learned = auditor.keysByKid();
    for (const k of await source.orgKeys()) {
      const registered = learned.get(k.kid);
      if (!registered) extra.push({ seq: null, check: 'org-key', detail: `key ${k.kid} of ${k.org} is in the key table but was never registered in the log` });
      else if (registered.org !== k.org || JSON.stringify(canonicalJwk(registered.jwk)) !== JSON.stringify(canonicalJwk(k.jwk))) {
        extra.push({ seq: registered.seq ?? null, check: 'org-key', detail: `key ${k.kid} in the key table differs from its registration in the log` });
      }
    }
  }
  const issues: AuditIssue[] = [...auditor.issues.map((i) => ({ seq: i.seq, id: i.id, check: i.check, detail: i.detail })), ...extra].sort(
    (a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER),
  );
  return {
    ok: issues.length === 0,
    entries: auditor.size,
    checkpoints: checkpointsChecked,
    tiles: tilesChecked,
    seconds: (performance.now() - started) / 1000,
    issues,
    trust: options.trust,
  };
}

const CHECKPOINT_WINDOW = 50_000;
/** Chunks (of about 2,000 entries) read and handed to the workers ahead of the sequential checks. */
const CHUNKS_IN_FLIGHT = 4;

/** The log in order: streamed where the source can, else page by page (a short page ends it). */
async function* chunks(source: AuditSource, size: number, pageSize: number): AsyncIterable<AuditEntry[]> {
  if (source.scan) {
    yield* source.scan(0, size);
    return;
  }
  // The next page is read while this one is checked: the source works while we hash.
  let next = size > 0 ? source.entries(0, pageSize) : null;
  try {
    for (let start = 0; start < size; start += pageSize) {
      const page = await next!;
      next = start + pageSize < size ? source.entries(start + pageSize, pageSize) : null;
      yield page;
      if (page.length < pageSize && start + page.length < size) return;
    }
  } finally {
    // Stopped early (a gap, a short page): the read-ahead's outcome no longer matters.
    void next?.catch(() => undefined);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function safePeek(jws: string) {
  try {
    return peekCheckpoint(jws);
  } catch {
    return null;
  }
}

function canonicalJwk(jwk: unknown) {
  const k = jwk as { kty?: unknown; crv?: unknown; x?: unknown };
  return { kty: k.kty, crv: k.crv, x: k.x };
}
