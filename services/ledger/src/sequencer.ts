import {
  TiledTree,
  lastTiles,
  signCheckpoint,
  toHex,
  fromHex,
  type LedgerEvent,
} from '@milkchain/ledger';
import { AppError } from '@milkchain/http';
import {
  StoreConflictError,
  tileKey,
  type BatchWrite,
  type CheckpointRecord,
  type EntryWrite,
  type LedgerStore,
  type OrgKeyRecord,
  type TileWrite,
} from './store/port.ts';
import type { LogKey } from './keys.ts';

/** One event of a submission, already validated and signature-checked by admission. */
export interface PreparedEvent {
  event: LedgerEvent;
  id: string;
  canonical: Uint8Array;
}

export interface PreparedSubmission {
  events: PreparedEvent[];
  /** Per-event detached JWS (same order as events), or one bulk JWS over the JSON list of ids. */
  signatures: { kind: 'each'; jws: string[] } | { kind: 'bulk'; jws: string; ids: string[] };
  /** Key registrations carried by this submission (operator events only). */
  orgKeys?: Array<Omit<OrgKeyRecord, 'seq'> & { eventId: string }>;
}

export interface SubmissionResult {
  entries: Array<{ id: string; seq: number; duplicate: boolean }>;
  checkpoint: CheckpointRecord;
}

export interface SequencerOptions {
  store: LedgerStore;
  logKey: LogKey;
  origin: string;
  clock?: () => Date;
  /** Upper bound of events per batch (one transaction, one checkpoint). */
  maxBatch?: number;
  /** Full tiles kept in memory for proof serving. */
  tileCacheSize?: number;
}

interface Pending {
  sub: PreparedSubmission;
  resolve: (r: SubmissionResult) => void;
  reject: (e: unknown) => void;
}

/** The batch being committed: what the next batch is decided on. */
interface InFlight {
  tree: TiledTree;
  /** Seqs of its entries by id. */
  ids: Map<string, number>;
  /** Subject heads after it. */
  heads: Map<string, string>;
  /** Resolves true once committed (its submissions answered), false once failed (rejected). */
  done: Promise<boolean>;
}

interface Decided {
  admitted: Array<{ p: Pending; result: SubmissionResult['entries'] }>;
  refused: Array<{ p: Pending; error: AppError }>;
  /** Seqs of the batch's new entries by id, and the subject heads after it. */
  ids: Map<string, number>;
  heads: Map<string, string>;
  tree: TiledTree;
  /** Null when every admitted event is already in the log (nothing to write). */
  write: BatchWrite | null;
}

const HEAD_CACHE_LIMIT = 1_000_000;

/**
 * The sequencer: the log's single writer. Submissions queue up while a batch commits, so the
 * next batch takes everything that arrived meanwhile (group commit, up to `maxBatch` events).
 * A submission is admitted whole or refused whole; a refusal never touches the store.
 *
 * It keeps the right edge of the tree (TiledTree), the subjects' heads and recent tiles in
 * memory. It is correct only as the one writer of its store; a PostgreSQL deployment takes the
 * writer lease (store/postgres.ts) before starting one, and the store refuses any batch that
 * does not start at its current size.
 */
export class Sequencer {
  readonly #store: LedgerStore;
  readonly #logKey: LogKey;
  readonly #origin: string;
  readonly #clock: () => Date;
  readonly #maxBatch: number;
  readonly #tileCacheSize: number;
  #tree: TiledTree = TiledTree.empty();
  #checkpoint: CheckpointRecord | null = null;
  #heads = new Map<string, string>();
  #tiles = new Map<string, Uint8Array>();
  #queue: Pending[] = [];
  #inFlight: InFlight | null = null;
  #wake: (() => void) | null = null;
  #running = false;
  #stopped = false;
  #idle: Array<() => void> = [];

  constructor(options: SequencerOptions) {
    this.#store = options.store;
    this.#logKey = options.logKey;
    this.#origin = options.origin;
    this.#clock = options.clock ?? (() => new Date());
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#tileCacheSize = options.tileCacheSize ?? 16_384;
  }

  get origin() {
    return this.#origin;
  }

  /** Loads the right edge of the tree and checks it against the latest signed checkpoint. */
  async start(): Promise<void> {
    const size = await this.#store.size();
    const checkpoint = await this.#store.latestCheckpoint();
    const needed = lastTiles(size);
    const stored = await this.#store.tiles(needed);
    this.#tree = TiledTree.restore(size, stored);
    for (const [k, v] of stored) this.#tiles.set(k, v);
    if (size === 0 && !checkpoint) {
      await this.#writeBatch({ entries: [], bulk: [], orgKeys: [] });
      return;
    }
    if (!checkpoint || checkpoint.treeSize !== size) {
      throw new Error(`the log has ${size} entries but its latest checkpoint covers ${checkpoint?.treeSize ?? 0}: refusing to start; run 'milkchain verify'`);
    }
    if (toHex(this.#tree.root()) !== checkpoint.rootHash) {
      throw new Error(`the stored subtree hashes do not match the latest checkpoint (size ${size}): refusing to start; run 'milkchain verify'`);
    }
    this.#checkpoint = checkpoint;
  }

  get checkpoint(): CheckpointRecord {
    if (!this.#checkpoint) throw new Error('sequencer not started');
    return this.#checkpoint;
  }

  get size(): number {
    return this.#tree.size;
  }

  submit(sub: PreparedSubmission): Promise<SubmissionResult> {
    if (this.#stopped) return Promise.reject(new AppError('UNAVAILABLE', 'the ledger is shutting down; retry shortly'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ sub, resolve, reject });
      if (!this.#running) void this.#drain();
      else this.#wake?.();
    });
  }

  /** Stops taking submissions and waits for the batches in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (!this.#running) return;
    await new Promise<void>((r) => this.#idle.push(r));
  }

  /** A stored or cached tile; tiles written by this sequencer are always their latest version. */
  async tilesFor(coords: Array<{ tileLevel: number; tileIndex: number }>): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    const missing: typeof coords = [];
    for (const c of coords) {
      const t = this.#tiles.get(tileKey(c.tileLevel, c.tileIndex));
      if (t) out.set(tileKey(c.tileLevel, c.tileIndex), t);
      else missing.push(c);
    }
    if (missing.length > 0) {
      const fetched = await this.#store.tiles(missing);
      for (const [k, v] of fetched) {
        out.set(k, v);
        if (v.length === 256 * 32) this.#cacheTile(k, v);
      }
    }
    return out;
  }

  #cacheTile(key: string, hashes: Uint8Array) {
    this.#tiles.delete(key);
    this.#tiles.set(key, hashes);
    if (this.#tiles.size > this.#tileCacheSize) {
      // Evict the oldest full tile; partial (right-edge) tiles are small in number and hot.
      for (const [k, v] of this.#tiles) {
        if (v.length === 256 * 32) {
          this.#tiles.delete(k);
          break;
        }
      }
    }
  }

  /**
   * Group commit with a pipeline of depth one: while batch N commits, batch N+1 is looked up,
   * decided against the log plus N's entries, appended to a copy of N's tree and its checkpoint
   * signed. N+1 is sent to the store only after N has committed (strictly in order), and every
   * submission is answered only after its own batch has committed. If N fails, N+1 (decided on
   * N's state) fails with it and is never sent.
   */
  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0 || this.#inFlight) {
        if (this.#queue.length === 0) {
          // Wait for the commit in flight, or for a submission to decide while it commits.
          const flight = this.#inFlight!;
          await Promise.race([flight.done, new Promise<void>((r) => (this.#wake = r))]);
          this.#wake = null;
          continue;
        }
        const batch: Pending[] = [];
        let events = 0;
        while (this.#queue.length > 0) {
          const next = this.#queue[0]!;
          if (batch.length > 0 && events + next.sub.events.length > this.#maxBatch) break;
          batch.push(this.#queue.shift()!);
          events += next.sub.events.length;
        }
        await this.#process(batch);
      }
    } finally {
      this.#running = false;
      for (const r of this.#idle.splice(0)) r();
    }
  }

  /** Decides `batch` (overlapping the commit in flight), waits for that commit, then starts its own. */
  async #process(batch: Pending[]): Promise<void> {
    const base = this.#inFlight;
    let decided: Decided | null = null;
    let failure: unknown = null;
    try {
      decided = await this.#decideBatch(batch, base);
    } catch (err) {
      failure = err;
    }
    if (base && !(await base.done)) {
      // The batch this one was decided on did not commit: nothing of this one was sent.
      failure ??= new AppError('UNAVAILABLE', 'the ledger could not store an earlier batch; nothing of this submission was written, retry', { retryable: true });
    }
    if (failure !== null || decided === null) {
      await this.#fail(batch, failure);
      return;
    }
    // Refusals were decided on the state after base too: only now are they known to be right.
    for (const { p, error } of decided.refused) p.reject(error);
    if (decided.admitted.length === 0) return;
    if (decided.write === null) {
      // Only duplicates: their entries are committed now (the batch before, if any, has been).
      for (const { p, result } of decided.admitted) p.resolve({ entries: result, checkpoint: this.checkpoint });
      return;
    }
    const work = { ...decided, write: decided.write };
    const done = this.#store.appendBatch(work.write).then(
      () => {
        this.#tree = work.tree;
        this.#checkpoint = work.write.checkpoint;
        for (const t of work.write.tiles) this.#cacheTile(tileKey(t.tileLevel, t.tileIndex), t.hashes);
        for (const [s, h] of work.heads) this.#heads.set(s, h);
        for (const { p, result } of work.admitted) p.resolve({ entries: result, checkpoint: work.write.checkpoint });
        return true;
      },
      async (err: unknown) => {
        await this.#fail(
          work.admitted.map((a) => a.p),
          err,
        );
        return false;
      },
    );
    const flight: InFlight = {
      tree: work.tree,
      ids: work.ids,
      heads: work.heads,
      done: done.finally(() => {
        if (this.#inFlight === flight) this.#inFlight = null;
      }),
    };
    this.#inFlight = flight;
  }

  /** Rejects `batch`; after a conflict (someone else wrote to our log) reloads before more work. */
  async #fail(batch: Pending[], err: unknown): Promise<void> {
    const failure =
      err instanceof AppError
        ? err
        : new AppError('UNAVAILABLE', 'the ledger could not store this batch; nothing was written, retry', { retryable: true });
    for (const p of batch) p.reject(failure);
    if (err instanceof StoreConflictError) {
      this.#heads.clear();
      this.#tiles.clear();
      await this.start().catch(() => {
        this.#stopped = true;
      });
    }
  }

  /**
   * Looks up what the batch needs, decides each submission against the log plus `base` (the
   * batch committing now, if any) plus what this batch admitted before it, and prepares the
   * write: the tree after `base` with this batch appended, and its signed checkpoint.
   */
  async #decideBatch(batch: Pending[], base: InFlight | null): Promise<Decided> {
    // Only here, never while a batch is being decided: a decision reads the cache after its lookups.
    if (this.#heads.size > HEAD_CACHE_LIMIT) this.#heads.clear();
    const ids = new Set<string>();
    const subjects = new Set<string>();
    for (const p of batch) {
      for (const e of p.sub.events) {
        ids.add(e.id);
        for (const i of e.event.inputs) ids.add(i);
        const s = e.event.subject;
        if (!this.#heads.has(s) && !base?.heads.has(s)) subjects.add(s);
      }
    }
    const [known, heads] = await Promise.all([this.#store.seqsOf([...ids]), this.#store.heads([...subjects])]);
    // Subjects base does not touch: the stored head is the same before and after base commits.
    for (const s of subjects) this.#heads.set(s, heads.get(s) ?? '');
    if (base) for (const [id, seq] of base.ids) known.set(id, seq);
    const committedHeads = base ? new LayeredMap(base.heads, this.#heads) : this.#heads;

    let nextSeq = (base?.tree ?? this.#tree).size;
    const staged = new Map<string, number>();
    const stagedHeads = new Map<string, string>();
    const entries: EntryWrite[] = [];
    const bulk: BatchWrite['bulkSignatures'] = [];
    const orgKeys: OrgKeyRecord[] = [];
    const admitted: Decided['admitted'] = [];
    const refused: Decided['refused'] = [];
    for (const p of batch) {
      const decided = this.#decide(p.sub, known, staged, stagedHeads, committedHeads, nextSeq);
      if (decided instanceof AppError) {
        refused.push({ p, error: decided });
        continue;
      }
      for (const [s, h] of decided.heads) stagedHeads.set(s, h);
      for (const e of decided.entries) staged.set(e.id, e.seq);
      const fresh = decided.entries;
      if (fresh.length > 0 && p.sub.signatures.kind === 'bulk') {
        const bulkId = fresh[0]!.seq;
        bulk.push({ id: bulkId, jws: p.sub.signatures.jws, ids: p.sub.signatures.ids });
        for (const e of fresh) e.bulkId = bulkId;
      }
      for (const k of p.sub.orgKeys ?? []) {
        const seq = staged.get(k.eventId);
        if (seq !== undefined) orgKeys.push({ kid: k.kid, org: k.org, jwk: k.jwk, seq });
      }
      entries.push(...fresh);
      nextSeq += fresh.length;
      admitted.push({ p, result: decided.result });
    }
    if (entries.length === 0) return { admitted, refused, ids: staged, heads: stagedHeads, tree: base?.tree ?? this.#tree, write: null };
    const prepared = await this.#prepareWrite(base?.tree ?? this.#tree, { entries, bulk, orgKeys });
    return { admitted, refused, ids: staged, heads: stagedHeads, ...prepared };
  }

  #decide(
    sub: PreparedSubmission,
    known: Map<string, number>,
    staged: Map<string, number>,
    stagedHeads: Map<string, string>,
    committedHeads: { get(subject: string): string | undefined },
    firstSeq: number,
  ): { entries: EntryWrite[]; heads: Map<string, string>; result: SubmissionResult['entries'] } | AppError {
    const heads = new Map<string, string>();
    const inSubmission = new Map<string, number>();
    const entries: EntryWrite[] = [];
    const result: SubmissionResult['entries'] = [];
    for (const [index, { event, id, canonical }] of sub.events.entries()) {
      const existing = known.get(id) ?? staged.get(id);
      if (existing !== undefined) {
        result.push({ id, seq: existing, duplicate: true });
        continue;
      }
      const head = heads.get(event.subject) ?? stagedHeads.get(event.subject) ?? committedHeads.get(event.subject) ?? '';
      if ((event.prev ?? '') !== head) {
        return new AppError(
          'CONFLICT',
          head
            ? `events[${index}].prev is ${event.prev ?? 'null'}, but the current head of ${event.subject} is ${head}: someone recorded a newer event for this subject; reload it and try again`
            : `events[${index}].prev is ${event.prev}, but ${event.subject} has no events yet: prev must be null`,
          { pointer: `/events/${index}/prev`, subject: event.subject, currentHead: head || null },
        );
      }
      for (const [j, input] of event.inputs.entries()) {
        if (known.get(input) === undefined && staged.get(input) === undefined && inSubmission.get(input) === undefined) {
          return new AppError('RULE_VIOLATED', `events[${index}].inputs[${j}] (${input}) is not in the log: inputs must be recorded before what is made from them`, {
            pointer: `/events/${index}/inputs/${j}`,
            rule: 'inputs-in-log',
          });
        }
      }
      const seq = firstSeq + entries.length;
      const signature = sub.signatures.kind === 'each' ? (sub.signatures.jws[index] ?? null) : null;
      entries.push({ seq, id, subject: event.subject, kind: event.kind, org: event.org, prev: event.prev, canonical, signature, bulkId: null });
      heads.set(event.subject, id);
      inSubmission.set(id, seq);
      result.push({ id, seq, duplicate: false });
    }
    return { entries, heads, result };
  }

  /** Appends to a copy of `tree` and signs the checkpoint of the result; writes nothing. */
  async #prepareWrite(
    tree: TiledTree,
    b: { entries: EntryWrite[]; bulk: BatchWrite['bulkSignatures']; orgKeys: OrgKeyRecord[] },
  ): Promise<{ tree: TiledTree; write: BatchWrite }> {
    const next = tree.clone();
    const firstSeq = next.size;
    const tiles: TileWrite[] = next.append(b.entries.map((e) => fromHex(e.id)));
    const issuedAt = this.#clock().toISOString();
    const rootHash = toHex(next.root());
    const jws = await signCheckpoint({ origin: this.#origin, treeSize: next.size, rootHash, issuedAt }, this.#logKey.privateKey, this.#logKey.kid);
    const checkpoint: CheckpointRecord = { treeSize: next.size, rootHash, issuedAt, jws };
    return { tree: next, write: { firstSeq, entries: b.entries, bulkSignatures: b.bulk, tiles, checkpoint, orgKeys: b.orgKeys } };
  }

  /** Appends to a copy of the tree, signs its checkpoint, and commits; swaps the tree on success. */
  async #writeBatch(b: { entries: EntryWrite[]; bulk: BatchWrite['bulkSignatures']; orgKeys: OrgKeyRecord[] }): Promise<CheckpointRecord> {
    const { tree, write } = await this.#prepareWrite(this.#tree, b);
    await this.#store.appendBatch(write);
    this.#tree = tree;
    this.#checkpoint = write.checkpoint;
    for (const t of write.tiles) this.#cacheTile(tileKey(t.tileLevel, t.tileIndex), t.hashes);
    return write.checkpoint;
  }
}

/** Reads `top` first, then `bottom`: the heads of the batch in flight over the committed ones. */
class LayeredMap<V> {
  constructor(
    private readonly top: Map<string, V>,
    private readonly bottom: Map<string, V>,
  ) {}
  get(key: string): V | undefined {
    return this.top.get(key) ?? this.bottom.get(key);
  }
}
