import {
  consistencyProof,
  consistencyProofRanges,
  inclusionProof,
  inclusionProofRanges,
  TILE_HEIGHT,
  TILE_WIDTH,
  nodeFromTile,
  nodeHash,
  perfectNodes,
  tileForNode,
  tilesForNodes,
  toHex,
  type EventSignature,
  type LedgerEvent,
  type Receipt,
} from '@milkchain/ledger';
import { AppError } from '@milkchain/http';
import type { PreparedSubmission, Sequencer, SubmissionResult } from './sequencer.ts';
import { tileKey, type LedgerStore, type StoredEntry } from './store/port.ts';

const utf8 = new TextDecoder();

const FULL_TILE_BYTES = TILE_WIDTH * 32;

/**
 * The hashes inside a tile (up to 255 interior nodes above its stored hashes), computed once per
 * version of the tile and kept: a proof then costs table lookups instead of up to ~250 SHA-256
 * calls per tile. A full tile never changes; a right-edge partial tile changes with each batch
 * and is re-expanded on first use after it grew (stored tiles only ever extend, so the stored
 * length names the version). LRU by tile; a full expanded tile is 16 KiB.
 */
class ExpandedTiles {
  #tiles = new Map<string, { length: number; levels: Uint8Array[] }>();
  constructor(private readonly capacity: number) {}

  node(key: string, tile: Uint8Array, level: number, index: number): Uint8Array {
    let entry = this.#tiles.get(key);
    if (entry && entry.length === tile.length) {
      this.#tiles.delete(key);
    } else {
      if (entry) this.#tiles.delete(key);
      const levels = [tile];
      for (let r = 1; r <= TILE_HEIGHT; r++) {
        const below = levels[r - 1]!;
        const out = new Uint8Array(Math.floor(below.length / 64) * 32);
        for (let i = 0; i < out.length / 32; i++) out.set(nodeHash(below.subarray(64 * i, 64 * i + 32), below.subarray(64 * i + 32, 64 * i + 64)), 32 * i);
        levels.push(out);
      }
      entry = { length: tile.length, levels };
      if (this.#tiles.size >= this.capacity) this.#tiles.delete(this.#tiles.keys().next().value!);
    }
    this.#tiles.set(key, entry);
    const at = tileForNode(level, index);
    const r = level - at.tileLevel * TILE_HEIGHT;
    const offset = at.offset / 2 ** r;
    const row = entry.levels[r]!;
    // A node the stored hashes do not cover in full: let nodeFromTile say what is missing.
    if (32 * offset + 32 > row.length) return nodeFromTile(tile, level, index);
    return row.subarray(32 * offset, 32 * offset + 32);
  }
}

/**
 * Event id -> seq, in memory, built from the level-0 tiles (they hold every id, in seq order), so
 * that serving an inclusion proof needs no database read once its tiles are cached. Keyed by the
 * id's first 4 bytes (ids are SHA-256 outputs, so uniform), open addressing in typed arrays (no
 * objects for the garbage collector to walk): 16 bytes per entry at worst. A hit is only a
 * candidate; the caller confirms it against the full id in its level-0 tile, so a prefix
 * collision can never yield a wrong seq. It covers seq [0, `size`); it stops growing at
 * `capacity` entries, and every lookup it cannot answer goes to the store.
 */
class SeqIndex {
  #keys = new Uint32Array(1 << 16);
  /** seq + 1; 0 is an empty slot. */
  #seqs = new Uint32Array(1 << 16);
  #count = 0;
  /** Entries [0, size) are indexed. */
  size = 0;
  constructor(readonly capacity: number) {}

  get full(): boolean {
    return this.#count >= this.capacity;
  }

  /** Indexes the hashes of level-0 tile `tileIndex` from the first seq not yet indexed. */
  addTile(tileIndex: number, hashes: Uint8Array): void {
    const first = tileIndex * TILE_WIDTH;
    const view = new DataView(hashes.buffer, hashes.byteOffset, hashes.byteLength);
    for (let seq = Math.max(first, this.size); seq < first + hashes.length / 32 && !this.full; seq++) {
      if (2 * (this.#count + 1) > this.#keys.length) this.#grow();
      this.#put(view.getUint32(32 * (seq - first)), seq);
      this.#count++;
      this.size = seq + 1;
    }
  }

  /** Seqs whose id starts with the same 4 bytes as `id` (hex). */
  candidates(id: string): number[] {
    const key = Number.parseInt(id.slice(0, 8), 16) >>> 0;
    const out: number[] = [];
    const mask = this.#keys.length - 1;
    for (let i = hashSlot(key) & mask; this.#seqs[i] !== 0; i = (i + 1) & mask) if (this.#keys[i] === key) out.push(this.#seqs[i]! - 1);
    return out;
  }

  #put(key: number, seq: number): void {
    const mask = this.#keys.length - 1;
    let i = hashSlot(key) & mask;
    while (this.#seqs[i] !== 0) i = (i + 1) & mask;
    this.#keys[i] = key;
    this.#seqs[i] = seq + 1;
  }

  #grow(): void {
    const keys = this.#keys;
    const seqs = this.#seqs;
    this.#keys = new Uint32Array(keys.length * 2);
    this.#seqs = new Uint32Array(seqs.length * 2);
    for (let i = 0; i < keys.length; i++) if (seqs[i] !== 0) this.#put(keys[i]!, seqs[i]! - 1);
  }
}

/** Slot of a 4-byte id prefix: already uniform, but mixed so that nearby keys spread. */
const hashSlot = (key: number) => Math.imul(key ^ (key >>> 15), 0x2c1b3c6d) >>> 0;

/** Level-0 tiles read per query while the id index catches up with the log. */
const INDEX_TILES_PER_READ = 256;

/** The read side of the log: entries, receipts and proofs, all from stored tiles. */
export class LedgerLog {
  readonly #expanded: ExpandedTiles;

  readonly #index: SeqIndex | null;
  #catchingUp: Promise<void> | null = null;

  constructor(
    private readonly store: LedgerStore,
    private readonly sequencer: Sequencer,
    options: {
      expandedTileCache?: number;
      /** Entries the in-memory id -> seq index may hold (16 bytes each at worst); 0 turns it off. */
      idIndexCapacity?: number;
    } = {},
  ) {
    this.#expanded = new ExpandedTiles(options.expandedTileCache ?? 4096);
    const capacity = Math.min(options.idIndexCapacity ?? 8_000_000, 2 ** 32 - 2);
    this.#index = capacity > 0 ? new SeqIndex(capacity) : null;
  }

  /**
   * Brings the id index up to the log's current size, reading the level-0 tiles it has not seen
   * in batches through the sequencer's tile cache (which keeps them for the proofs, up to its
   * size). One catch-up at a time; proof lookups do not wait for it, they go to the store
   * meanwhile. Resolves when done.
   */
  catchUpIndex(): Promise<void> {
    const index = this.#index;
    if (!index || index.full || index.size >= this.sequencer.size) return this.#catchingUp ?? Promise.resolve();
    this.#catchingUp ??= (async () => {
      try {
        while (!index.full && index.size < this.sequencer.size) {
          const target = this.sequencer.size;
          const coords: Array<{ tileLevel: number; tileIndex: number }> = [];
          for (let t = Math.floor(index.size / TILE_WIDTH); t * TILE_WIDTH < target && coords.length < INDEX_TILES_PER_READ; t++) coords.push({ tileLevel: 0, tileIndex: t });
          const tiles = await this.sequencer.tilesFor(coords);
          const before = index.size;
          for (const c of coords) {
            const hashes = tiles.get(tileKey(0, c.tileIndex));
            if (!hashes) break;
            index.addTile(c.tileIndex, hashes.subarray(0, Math.max(0, Math.min(hashes.length, 32 * (target - c.tileIndex * TILE_WIDTH)))));
            if (hashes.length < FULL_TILE_BYTES) break;
          }
          if (index.size === before) break;
        }
      } finally {
        this.#catchingUp = null;
      }
    })();
    return this.#catchingUp;
  }

  /**
   * The seq of event `id`, or null when it is not in the log. From the id index when it knows the
   * id (confirmed against the full id in the stored level-0 tile), else one store lookup.
   */
  async seqOf(id: string): Promise<number | null> {
    const index = this.#index;
    if (index) {
      if (index.size < this.sequencer.size && !index.full) void this.catchUpIndex().catch(() => undefined);
      for (const seq of index.candidates(id)) {
        const tile = (await this.sequencer.tilesFor([{ tileLevel: 0, tileIndex: Math.floor(seq / TILE_WIDTH) }])).get(tileKey(0, Math.floor(seq / TILE_WIDTH)));
        if (tile && toHex(tile.subarray(32 * (seq % TILE_WIDTH), 32 * (seq % TILE_WIDTH) + 32)) === id) return seq;
      }
    }
    return this.store.seqOf(id);
  }

  /** Builds a proof from O(log n) node reads: the tiles that hold them, fetched in one query. */
  async #withNodes<T>(ranges: Array<[number, number]>, build: (node: (level: number, index: number) => Uint8Array) => T): Promise<T> {
    const nodes = ranges.flatMap(([a, b]) => perfectNodes(a, b));
    const tiles = await this.sequencer.tilesFor(tilesForNodes(nodes));
    return build((level, index) => {
      const at = tileForNode(level, index);
      const tile = tiles.get(tileKey(at.tileLevel, at.tileIndex));
      if (!tile) throw new AppError('UNAVAILABLE', `stored subtree hashes are missing for tile ${at.tileLevel}/${at.tileIndex}; run 'milkchain verify'`);
      return this.#expanded.node(tileKey(at.tileLevel, at.tileIndex), tile, level, index);
    });
  }

  #checkSize(treeSize: number, name: string) {
    const latest = this.sequencer.checkpoint.treeSize;
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > latest) {
      throw new AppError('VALIDATION_FAILED', `${name} must be an integer between 0 and the latest checkpoint size ${latest}`, {
        problems: [{ path: name, message: `must be 0..${latest}` }],
      });
    }
  }

  async inclusionProof(seq: number, treeSize: number): Promise<string[]> {
    this.#checkSize(treeSize, 'treeSize');
    if (seq >= treeSize) throw new AppError('VALIDATION_FAILED', `the event (seq ${seq}) is not in a tree of size ${treeSize}`, { problems: [{ path: 'treeSize', message: `must be greater than ${seq}` }] });
    const proof = await this.#withNodes(inclusionProofRanges(seq, treeSize), (node) => inclusionProof(seq, treeSize, node));
    return proof.map(toHex);
  }

  async consistencyProof(from: number, to: number): Promise<string[]> {
    this.#checkSize(from, 'from');
    this.#checkSize(to, 'to');
    if (from > to) throw new AppError('VALIDATION_FAILED', 'from must not be greater than to', { problems: [{ path: 'from', message: `must be <= ${to}` }] });
    const proof = await this.#withNodes(consistencyProofRanges(from, to), (node) => consistencyProof(from, to, node));
    return proof.map(toHex);
  }

  async signatureOf(entry: StoredEntry, bulkCache?: Map<number, { jws: string; ids: string[] }>): Promise<EventSignature> {
    if (entry.signature !== null) return entry.signature;
    if (entry.bulkId === null) throw new Error(`entry ${entry.seq} has neither a signature nor a bulk signature`);
    const cached = bulkCache?.get(entry.bulkId);
    if (cached) return cached;
    const bulk = await this.store.bulkSignature(entry.bulkId);
    if (!bulk) throw new AppError('UNAVAILABLE', `bulk signature ${entry.bulkId} is missing; run 'milkchain verify'`);
    const sig = { jws: bulk.jws, ids: bulk.ids };
    bulkCache?.set(entry.bulkId, sig);
    return sig;
  }

  /** Event, signature, inclusion proof and the checkpoint it verifies against: checkable offline. */
  async receipt(id: string): Promise<Receipt | null> {
    const entry = await this.store.entryById(id);
    if (!entry) return null;
    const checkpoint = this.sequencer.checkpoint;
    const hashes = await this.inclusionProof(entry.seq, checkpoint.treeSize);
    return {
      v: 1,
      seq: entry.seq,
      id: entry.id,
      event: JSON.parse(utf8.decode(entry.canonical)) as LedgerEvent,
      signature: await this.signatureOf(entry),
      inclusionProof: { leafIndex: entry.seq, treeSize: checkpoint.treeSize, hashes },
      checkpoint: checkpoint.jws,
    };
  }

  /**
   * Receipts for a just-sequenced submission, built from what the submission carried (no re-read
   * of the entries) with the tiles for all proofs fetched once. Duplicates get their stored receipt.
   */
  async receiptsFor(sub: PreparedSubmission, result: SubmissionResult): Promise<Receipt[]> {
    const { treeSize, jws } = result.checkpoint;
    const ranges = result.entries.flatMap((e) => (e.duplicate ? [] : inclusionProofRanges(e.seq, treeSize)));
    return this.#withNodes(ranges, async (node) => {
      const receipts: Receipt[] = [];
      for (const [i, e] of result.entries.entries()) {
        const prepared = sub.events[i]!;
        if (e.duplicate) {
          const stored = await this.receipt(e.id);
          if (stored) receipts.push(stored);
          continue;
        }
        const signature: EventSignature =
          sub.signatures.kind === 'each' ? sub.signatures.jws[i]! : { jws: sub.signatures.jws, ids: sub.signatures.ids };
        receipts.push({
          v: 1,
          seq: e.seq,
          id: e.id,
          event: prepared.event,
          signature,
          inclusionProof: { leafIndex: e.seq, treeSize, hashes: inclusionProof(e.seq, treeSize, node).map(toHex) },
          checkpoint: jws,
        });
      }
      return receipts;
    });
  }

  /**
   * A page of the log. Bulk-signed entries carry `{jws, bulk}`; the ids each bulk JWS covers are
   * listed once per page under `bulkSignatures`, not once per entry.
   */
  async entries(start: number, limit: number) {
    const rows = await this.store.entries(start, limit);
    const bulkCache = new Map<number, { jws: string; ids: string[] }>();
    const entries = [];
    for (const e of rows) {
      const sig = await this.signatureOf(e, bulkCache);
      entries.push({
        seq: e.seq,
        id: e.id,
        event: JSON.parse(utf8.decode(e.canonical)) as LedgerEvent,
        signature: typeof sig === 'string' ? sig : { jws: sig.jws, bulk: String(e.bulkId) },
      });
    }
    const bulkSignatures = Object.fromEntries([...bulkCache].map(([k, v]) => [String(k), v.ids]));
    return { entries, bulkSignatures };
  }
}
