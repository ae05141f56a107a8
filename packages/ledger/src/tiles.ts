/**
 * Stored subtree hashes as tiles of height 8: the layout of Go's tlog and of Tessera.
 *
 * Tile (L, k) holds the hashes of the complete nodes at height 8L with indices 256k .. 256k+w-1
 * (1 <= w <= 256), concatenated (w * 32 bytes). Level-0 tiles hold leaf hashes. Any node at
 * height 8L + r (r < 8) is the hash of 2^r consecutive height-8L nodes that sit in one tile, so
 * any node is one tile read plus at most 255 hashes, and a proof touches O(log n) tiles. A tile
 * only ever grows: a store upserts it, and a later version has the earlier one as a prefix.
 *
 * `TiledTree` keeps only the right edge in memory: the partial tile of each level and the
 * frontier (the perfect subtrees that make up the tree). Appending costs about one hash per leaf
 * and reports every tile it changed; `root()` folds the frontier, O(log n).
 */
import { HASH_SIZE, emptyRoot, nodeHash } from './hash.ts';
import { perfectNodes, type NodeRef } from './merkle.ts';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

const TILE_BYTES = TILE_WIDTH * HASH_SIZE;

/** A tile is missing, too short, or asked for a node it does not hold. */
export class TileError extends Error {
  override name = 'TileError';
}

export interface TileRef {
  tileLevel: number;
  tileIndex: number;
}

/** A tile's full current contents, to be upserted by a store. */
export interface TileWrite extends TileRef {
  /** `width` concatenated 32-byte hashes, width 1..256. */
  hashes: Uint8Array;
}

/** Where a node's hash comes from: `span` hashes of the tile, starting at hash number `offset`. */
export interface TileSlot extends TileRef {
  offset: number;
  span: number;
}

/** The key of a tile in the maps this module reads: `${tileLevel}/${tileIndex}`. */
export function tileKey(tileLevel: number, tileIndex: number): string {
  return `${tileLevel}/${tileIndex}`;
}

/** The tile that holds the node (level, index), and which of its hashes make up that node. */
export function tileForNode(level: number, index: number): TileSlot {
  if (!Number.isSafeInteger(level) || level < 0 || !Number.isSafeInteger(index) || index < 0) {
    throw new TileError(`no node ${level}/${index}: level and index must be non-negative integers`);
  }
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const span = 2 ** (level - tileLevel * TILE_HEIGHT);
  const first = index * span;
  return { tileLevel, tileIndex: Math.floor(first / TILE_WIDTH), offset: first % TILE_WIDTH, span };
}

/** The hash of node (level, index), from the contents of the tile `tileForNode` names. */
export function nodeFromTile(tileHashes: Uint8Array, level: number, index: number): Uint8Array {
  const { tileLevel, tileIndex, offset, span } = tileForNode(level, index);
  const end = (offset + span) * HASH_SIZE;
  if (tileHashes.length < end || tileHashes.length % HASH_SIZE !== 0) {
    throw new TileError(`tile ${tileKey(tileLevel, tileIndex)} has ${tileHashes.length / HASH_SIZE} hashes; node ${level}/${index} needs ${offset + span}`);
  }
  return subtreeHash(tileHashes.subarray(offset * HASH_SIZE, end));
}

/** The tiles that hold these nodes, each once, in first-use order. */
export function tilesForNodes(nodes: readonly NodeRef[]): TileRef[] {
  const tiles = new Map<string, TileRef>();
  for (const { level, index } of nodes) {
    const { tileLevel, tileIndex } = tileForNode(level, index);
    tiles.set(tileKey(tileLevel, tileIndex), { tileLevel, tileIndex });
  }
  return [...tiles.values()];
}

/**
 * The right-edge partial tiles (width 1..255) of a tree of `treeSize`: all `TiledTree.restore`
 * needs. A level whose node count is a multiple of 256 has no partial tile: its last full tile
 * is already rolled up into one hash of the level above.
 */
export function lastTiles(treeSize: number): Array<TileRef & { width: number }> {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new TileError(`tree size must be a non-negative integer, got ${treeSize}`);
  const tiles: Array<TileRef & { width: number }> = [];
  for (let tileLevel = 0, count = treeSize; count > 0; tileLevel++, count = Math.floor(count / TILE_WIDTH)) {
    const width = count % TILE_WIDTH;
    if (width > 0) tiles.push({ tileLevel, tileIndex: Math.floor(count / TILE_WIDTH), width });
  }
  return tiles;
}

/**
 * The right edge of a Merkle log, tile by tile. Not safe to share between concurrent writers;
 * `clone()` before a batch that may be abandoned, and keep the clone if it commits.
 */
export class TiledTree {
  #size = 0;
  /** frontier[h]: the hash of the perfect subtree of height h in the tree, if bit h of size is set. */
  #frontier: Array<Uint8Array | undefined> = [];
  /** counts[L]: the number of complete nodes at height 8L (the hashes tiles of level L hold). */
  #counts: number[] = [];
  /** buffers[L]: the partial tile of level L, TILE_BYTES long, its first counts[L] % 256 hashes in use. */
  #buffers: Uint8Array[] = [];

  private constructor() {}

  static empty(): TiledTree {
    return new TiledTree();
  }

  /**
   * The tree of `treeSize` from its `lastTiles` (keyed by `tileKey`). A stored tile may be longer
   * than needed (the store holds a larger tree); its prefix is used. Throws TileError if one is
   * missing or short.
   */
  static restore(treeSize: number, tiles: ReadonlyMap<string, Uint8Array>): TiledTree {
    const needed = lastTiles(treeSize);
    const tree = new TiledTree();
    tree.#size = treeSize;
    for (let count = treeSize; count > 0; count = Math.floor(count / TILE_WIDTH)) {
      tree.#counts.push(count);
      tree.#buffers.push(new Uint8Array(TILE_BYTES));
    }
    for (const { tileLevel, tileIndex, width } of needed) {
      const stored = tiles.get(tileKey(tileLevel, tileIndex));
      if (!stored || stored.length < width * HASH_SIZE) {
        const has = stored ? `has ${stored.length / HASH_SIZE} hashes` : 'is missing';
        throw new TileError(`cannot restore a tree of size ${treeSize}: tile ${tileKey(tileLevel, tileIndex)} ${has}, ${width} are needed`);
      }
      tree.#buffers[tileLevel]!.set(stored.subarray(0, width * HASH_SIZE));
    }
    for (const { level, index } of perfectNodes(0, treeSize)) {
      const { tileLevel } = tileForNode(level, index);
      tree.#frontier[level] = nodeFromTile(tree.#buffers[tileLevel]!, level, index);
    }
    return tree;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Appends leaf hashes (32 bytes each; copied). Returns every tile the append changed, with its
   * full current contents: the tiles that became full, then the partial right-edge tiles. The
   * returned arrays belong to the caller.
   */
  append(leafHashes: readonly Uint8Array[]): TileWrite[] {
    // Check every leaf before changing anything: a batch is appended whole or not at all. (A throw
    // half-way would leave the tree grown with the writes of the tiles it completed lost.)
    leafHashes.forEach((leaf, i) => {
      if (leaf.length !== HASH_SIZE) throw new TileError(`leaf hash ${i} of the batch has ${leaf.length} bytes, not ${HASH_SIZE}`);
    });
    const before = this.#counts.slice();
    const writes: TileWrite[] = [];
    for (const leaf of leafHashes) this.#push(leaf, writes);
    this.#counts.forEach((count, tileLevel) => {
      const width = count % TILE_WIDTH;
      if (count !== before[tileLevel] && width > 0) {
        writes.push({ tileLevel, tileIndex: Math.floor(count / TILE_WIDTH), hashes: this.#buffers[tileLevel]!.slice(0, width * HASH_SIZE) });
      }
    });
    return writes;
  }

  /** The root hash (RFC 6962 MTH) of the tree, from the frontier: O(log n) hashes. */
  root(): Uint8Array {
    let root: Uint8Array | undefined;
    for (const hash of this.#frontier) {
      if (hash) root = root ? nodeHash(hash, root) : hash;
    }
    return root ? root.slice() : emptyRoot();
  }

  /** Copies of the right-edge partial tiles: what `lastTiles(size)` names, with contents. */
  partialTiles(): TileWrite[] {
    return lastTiles(this.#size).map(({ tileLevel, tileIndex, width }) => ({
      tileLevel,
      tileIndex,
      hashes: this.#buffers[tileLevel]!.slice(0, width * HASH_SIZE),
    }));
  }

  /** An independent copy: a few KiB per 8 levels of tree. */
  clone(): TiledTree {
    const copy = new TiledTree();
    copy.#size = this.#size;
    copy.#frontier = this.#frontier.slice();
    copy.#counts = this.#counts.slice();
    copy.#buffers = this.#buffers.map((b) => b.slice());
    return copy;
  }

  #push(leaf: Uint8Array, writes: TileWrite[]): void {
    if (leaf.length !== HASH_SIZE) throw new TileError(`a leaf hash has ${HASH_SIZE} bytes, got ${leaf.length}`);
    this.#addToTile(0, leaf, writes);
    // Merge equal-height subtrees as in binary addition; each completed node whose height is a
    // multiple of 8 is the roll-up of a full tile and goes into the tile level above.
    let hash: Uint8Array = leaf.slice();
    let height = 0;
    for (let carry = this.#size; carry % 2 === 1; carry = Math.floor(carry / 2)) {
      hash = nodeHash(this.#frontier[height]!, hash);
      this.#frontier[height] = undefined;
      height++;
      if (height % TILE_HEIGHT === 0) this.#addToTile(height / TILE_HEIGHT, hash, writes);
    }
    this.#frontier[height] = hash;
    this.#size++;
  }

  #addToTile(tileLevel: number, hash: Uint8Array, writes: TileWrite[]): void {
    if (tileLevel === this.#counts.length) {
      this.#counts.push(0);
      this.#buffers.push(new Uint8Array(TILE_BYTES));
    }
    const count = this.#counts[tileLevel]!;
    const buffer = this.#buffers[tileLevel]!;
    buffer.set(hash, (count % TILE_WIDTH) * HASH_SIZE);
    this.#counts[tileLevel] = count + 1;
    if ((count + 1) % TILE_WIDTH === 0) {
      // The tile is full and will never change again: hand the buffer over, start a new one.
      writes.push({ tileLevel, tileIndex: Math.floor(count / TILE_WIDTH), hashes: buffer });
      this.#buffers[tileLevel] = new Uint8Array(TILE_BYTES);
    }
  }
}

/** The root of the perfect subtree over a power-of-two run of concatenated hashes. */
function subtreeHash(hashes: Uint8Array): Uint8Array {
  let level: Uint8Array[] = [];
  for (let at = 0; at < hashes.length; at += HASH_SIZE) level.push(hashes.subarray(at, at + HASH_SIZE));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!.slice();
}
