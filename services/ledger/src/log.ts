import {
  consistencyProof,
  consistencyProofRanges,
  inclusionProof,
  inclusionProofRanges,
  TILE_HEIGHT,
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

/** The read side of the log: entries, receipts and proofs, all from stored tiles. */
export class LedgerLog {
  readonly #expanded: ExpandedTiles;

  constructor(
    private readonly store: LedgerStore,
    private readonly sequencer: Sequencer,
    options: { expandedTileCache?: number } = {},
  ) {
    this.#expanded = new ExpandedTiles(options.expandedTileCache ?? 4096);
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
