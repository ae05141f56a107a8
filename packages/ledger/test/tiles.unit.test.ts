import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes, toHex } from '../src/bytes.ts';
import { emptyRoot, nodeHash, sha256 } from '../src/hash.ts';
import { consistencyProof, inclusionProof, perfectNodes, rootFromLeafHashes, type NodeReader } from '../src/merkle.ts';
import {
  TILE_HEIGHT,
  TILE_WIDTH,
  TileError,
  TiledTree,
  lastTiles,
  nodeFromTile,
  tileForNode,
  tileKey,
  tilesForNodes,
  type TileWrite,
} from '../src/tiles.ts';
import { prng } from './support.ts';

type Store = Map<string, Uint8Array>;

function leavesFrom(seed: number, count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const input = new Uint8Array(5);
    new DataView(input.buffer).setUint32(0, i);
    input[4] = seed;
    return sha256(input);
  });
}

/** levels[h][j]: the hash of the complete node of height h and index j, built bottom-up. */
function buildLevels(leaves: readonly Uint8Array[]): Uint8Array[][] {
  const levels: Uint8Array[][] = [leaves.slice()];
  for (let h = 0; levels[h]!.length > 1; h++) {
    const below = levels[h]!;
    const next: Uint8Array[] = [];
    for (let j = 0; 2 * j + 1 < below.length; j++) next.push(nodeHash(below[2 * j]!, below[2 * j + 1]!));
    levels.push(next);
  }
  return levels;
}

/** A log's leaves and all its complete nodes; prefixes of it are the smaller trees. */
class Fixture {
  readonly levels: Uint8Array[][];
  constructor(readonly leaves: readonly Uint8Array[]) {
    this.levels = buildLevels(leaves);
  }

  node(level: number, index: number): Uint8Array {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new Error(`no node ${level}/${index}`);
    return hash;
  }

  /** A NodeReader over the leaves: complete nodes of the tree of `size` only. */
  leafReader(size: number): NodeReader {
    return (level, index) => {
      if ((index + 1) * 2 ** level > size) throw new Error(`node ${level}/${index} is not complete at size ${size}`);
      return this.node(level, index);
    };
  }

  readonly #roots = new Map<number, string>();
  /** Hex root of the first `size` leaves, by rootFromLeafHashes (memoised). */
  root(size: number): string {
    let root = this.#roots.get(size);
    if (root === undefined) {
      root = toHex(rootFromLeafHashes(this.leaves.slice(0, size)));
      this.#roots.set(size, root);
    }
    return root;
  }
}

/** A NodeReader backed by tiles only. */
function tileReader(store: ReadonlyMap<string, Uint8Array>): NodeReader {
  return (level, index) => {
    const { tileLevel, tileIndex } = tileForNode(level, index);
    const tile = store.get(tileKey(tileLevel, tileIndex));
    if (!tile) throw new Error(`tile ${tileKey(tileLevel, tileIndex)} is not stored`);
    return nodeFromTile(tile, level, index);
  };
}

/**
 * Upserts the writes of one append, checking what the module promises about them: full tiles
 * first, each tile once, 1..256 hashes, and a tile only ever grows (the stored one is a prefix).
 */
function applyWrites(store: Store, writes: readonly TileWrite[]): void {
  const keys = writes.map((w) => tileKey(w.tileLevel, w.tileIndex));
  expect(new Set(keys).size).toBe(keys.length);
  let seenPartial = false;
  for (const w of writes) {
    const key = tileKey(w.tileLevel, w.tileIndex);
    expect(w.hashes.length % 32, key).toBe(0);
    const width = w.hashes.length / 32;
    expect(width, key).toBeGreaterThanOrEqual(1);
    expect(width, key).toBeLessThanOrEqual(TILE_WIDTH);
    if (width < TILE_WIDTH) seenPartial = true;
    else expect(seenPartial, `full tile ${key} after a partial one`).toBe(false);
    const previous = store.get(key);
    if (previous) {
      expect(previous.length, `tile ${key} was rewritten without growing`).toBeLessThan(w.hashes.length);
      expect(equalBytes(previous, w.hashes.subarray(0, previous.length)), `tile ${key} changed its prefix`).toBe(true);
    }
    store.set(key, w.hashes);
  }
}

/** The tiles a log of `size` has, with their widths: every complete node of height 8L, 256 per tile. */
function expectedTiles(size: number): Map<string, number> {
  const tiles = new Map<string, number>();
  for (let tileLevel = 0, count = size; count > 0; tileLevel++, count = Math.floor(count / TILE_WIDTH)) {
    for (let k = 0; k * TILE_WIDTH < count; k++) tiles.set(tileKey(tileLevel, k), Math.min(TILE_WIDTH, count - k * TILE_WIDTH));
  }
  return tiles;
}

/** The store holds exactly the tiles of a log of `size`, each with the reference hashes. */
function checkStore(store: ReadonlyMap<string, Uint8Array>, size: number, fixture: Fixture): void {
  const expected = expectedTiles(size);
  expect([...store.keys()].sort()).toEqual([...expected.keys()].sort());
  const wrong: string[] = [];
  for (const [key, width] of expected) {
    const tile = store.get(key)!;
    if (tile.length !== width * 32) {
      wrong.push(`${key}: ${tile.length / 32} hashes, not ${width}`);
      continue;
    }
    const [tileLevel, tileIndex] = key.split('/').map(Number) as [number, number];
    for (let j = 0; j < width; j++) {
      const want = fixture.node(tileLevel * TILE_HEIGHT, tileIndex * TILE_WIDTH + j);
      if (!equalBytes(tile.subarray(j * 32, (j + 1) * 32), want)) wrong.push(`${key}: hash ${j}`);
    }
  }
  expect(wrong).toEqual([]);
}

/** Appends `leaves` in batches of the given sizes, checking size, root and store after each one. */
function appendInBatches(fixture: Fixture, batches: readonly number[], options: { checkEach: boolean }): { tree: TiledTree; store: Store } {
  const tree = TiledTree.empty();
  const store: Store = new Map();
  let size = 0;
  for (const batch of batches) {
    applyWrites(store, tree.append(fixture.leaves.slice(size, size + batch)));
    size += batch;
    expect(tree.size).toBe(size);
    if (options.checkEach) {
      expect(toHex(tree.root())).toBe(fixture.root(size));
      checkStore(store, size, fixture);
    }
  }
  expect(toHex(tree.root())).toBe(fixture.root(size));
  checkStore(store, size, fixture);
  return { tree, store };
}

/** Every node proofs for a log of `size` read, and the proofs themselves, come out of the tiles. */
function checkTilesServeProofs(store: ReadonlyMap<string, Uint8Array>, size: number, fixture: Fixture, indices: Iterable<number>): void {
  const fromTiles = tileReader(store);
  const fromLeaves = fixture.leafReader(size);
  for (const { level, index } of perfectNodes(0, size)) {
    expect(toHex(fromTiles(level, index)), `node ${level}/${index}`).toBe(toHex(fixture.node(level, index)));
  }
  const differ: string[] = [];
  for (const i of indices) {
    const a = inclusionProof(i, size, fromTiles).map(toHex).join();
    if (a !== inclusionProof(i, size, fromLeaves).map(toHex).join()) differ.push(`inclusion ${i}/${size}`);
    const b = consistencyProof(i + 1, size, fromTiles).map(toHex).join();
    if (b !== consistencyProof(i + 1, size, fromLeaves).map(toHex).join()) differ.push(`consistency ${i + 1}->${size}`);
  }
  expect(differ).toEqual([]);
}

/** Every complete node of the log of `size`, straight from the tiles. */
function checkEveryNode(store: ReadonlyMap<string, Uint8Array>, size: number, fixture: Fixture): void {
  const fromTiles = tileReader(store);
  const wrong: string[] = [];
  for (let level = 0; 2 ** level <= size; level++) {
    for (let index = 0; (index + 1) * 2 ** level <= size; index++) {
      if (!equalBytes(fromTiles(level, index), fixture.node(level, index))) wrong.push(`${level}/${index}`);
    }
  }
  expect(wrong).toEqual([]);
}

function copyStore(store: ReadonlyMap<string, Uint8Array>): Store {
  return new Map([...store].map(([k, v]) => [k, v.slice()]));
}

/** What a store of a larger log held when the log had `size` leaves. */
function truncateStore(store: ReadonlyMap<string, Uint8Array>, size: number): Store {
  return new Map([...expectedTiles(size)].map(([key, width]) => [key, store.get(key)!.slice(0, width * 32)]));
}

/** Splits `total` into `parts` random positive batches (fewer if total is small). */
function randomBatches(total: number, parts: number, rand: (bound: number) => number): number[] {
  const cuts = new Set<number>();
  for (let i = 0; i < parts - 1; i++) cuts.add(1 + rand(total - 1 || 1));
  const sorted = [...cuts].filter((c) => c > 0 && c < total).sort((a, b) => a - b);
  const batches: number[] = [];
  let at = 0;
  for (const c of [...sorted, total]) {
    batches.push(c - at);
    at = c;
  }
  return batches;
}

const SMALL = new Fixture(leavesFrom(1, 2100));
/** Big enough to cross the 65536 boundary, and to hold tiles longer than those of 65537. */
const BIG = new Fixture(leavesFrom(2, 65537 + 700));

const range = (n: number) => [...Array(n).keys()];

// ---------------------------------------------------------------------------------------------

describe('tile addressing', () => {
  it('tileKey is level/index', () => {
    expect(tileKey(0, 0)).toBe('0/0');
    expect(tileKey(2, 31)).toBe('2/31');
    expect(TILE_HEIGHT).toBe(8);
    expect(TILE_WIDTH).toBe(256);
  });

  it.each([
    [0, 0, { tileLevel: 0, tileIndex: 0, offset: 0, span: 1 }],
    [0, 255, { tileLevel: 0, tileIndex: 0, offset: 255, span: 1 }],
    [0, 256, { tileLevel: 0, tileIndex: 1, offset: 0, span: 1 }],
    [3, 5, { tileLevel: 0, tileIndex: 0, offset: 40, span: 8 }],
    [7, 1, { tileLevel: 0, tileIndex: 0, offset: 128, span: 128 }],
    [7, 2, { tileLevel: 0, tileIndex: 1, offset: 0, span: 128 }],
    [8, 0, { tileLevel: 1, tileIndex: 0, offset: 0, span: 1 }],
    [9, 200, { tileLevel: 1, tileIndex: 1, offset: 144, span: 2 }],
    [16, 3, { tileLevel: 2, tileIndex: 0, offset: 3, span: 1 }],
    [23, 1, { tileLevel: 2, tileIndex: 0, offset: 128, span: 128 }],
  ])('node %i/%i is in %o', (level, index, slot) => {
    expect(tileForNode(level, index)).toEqual(slot);
  });

  it('refuses nodes that cannot exist', () => {
    for (const [level, index] of [[-1, 0], [0, -1], [0.5, 0], [0, 1.5], [Number.NaN, 0], [0, 2 ** 53]] as const) {
      expect(() => tileForNode(level, index)).toThrow(TileError);
    }
  });

  it('tilesForNodes names each tile once, in first-use order', () => {
    const nodes = [
      { level: 0, index: 300 },
      { level: 3, index: 2 },
      { level: 0, index: 257 },
      { level: 8, index: 5 },
      { level: 1, index: 1 },
      { level: 12, index: 0 },
    ];
    expect(tilesForNodes(nodes)).toEqual([
      { tileLevel: 0, tileIndex: 1 },
      { tileLevel: 0, tileIndex: 0 },
      { tileLevel: 1, tileIndex: 0 },
    ]);
    expect(tilesForNodes([])).toEqual([]);
  });

  it.each([
    [0, []],
    [1, [{ tileLevel: 0, tileIndex: 0, width: 1 }]],
    [255, [{ tileLevel: 0, tileIndex: 0, width: 255 }]],
    [256, [{ tileLevel: 1, tileIndex: 0, width: 1 }]],
    [257, [{ tileLevel: 0, tileIndex: 1, width: 1 }, { tileLevel: 1, tileIndex: 0, width: 1 }]],
    [65535, [{ tileLevel: 0, tileIndex: 255, width: 255 }, { tileLevel: 1, tileIndex: 0, width: 255 }]],
    [65536, [{ tileLevel: 2, tileIndex: 0, width: 1 }]],
    [65537, [{ tileLevel: 0, tileIndex: 256, width: 1 }, { tileLevel: 2, tileIndex: 0, width: 1 }]],
    [70000, [{ tileLevel: 0, tileIndex: 273, width: 112 }, { tileLevel: 1, tileIndex: 1, width: 17 }, { tileLevel: 2, tileIndex: 0, width: 1 }]],
  ])('lastTiles(%i) is %o', (size, tiles) => {
    expect(lastTiles(size)).toEqual(tiles);
  });

  it('lastTiles widths are the non-zero base-256 digits of the size', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (size) => {
        const tiles = lastTiles(size);
        let rebuilt = 0;
        let previousLevel = -1;
        for (const { tileLevel, tileIndex, width } of tiles) {
          expect(tileLevel).toBeGreaterThan(previousLevel);
          previousLevel = tileLevel;
          expect(width).toBeGreaterThanOrEqual(1);
          expect(width).toBeLessThan(TILE_WIDTH);
          expect(tileIndex).toBe(Math.floor(size / TILE_WIDTH ** (tileLevel + 1)));
          expect(width).toBe(Math.floor(size / TILE_WIDTH ** tileLevel) % TILE_WIDTH);
          rebuilt += width * TILE_WIDTH ** tileLevel;
        }
        expect(rebuilt).toBe(size);
      }),
      { numRuns: 300 },
    );
  });

  it('lastTiles refuses sizes that are not counts', () => {
    for (const size of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => lastTiles(size)).toThrow(TileError);
  });
});

describe('nodeFromTile', () => {
  it('hashes the right run of a tile into the node', () => {
    const tile = new Uint8Array(SMALL.levels[0]!.slice(0, 256).flatMap((h) => [...h]));
    for (let level = 0; level < TILE_HEIGHT; level++) {
      for (let index = 0; (index + 1) * 2 ** level <= 256; index++) {
        expect(toHex(nodeFromTile(tile, level, index))).toBe(toHex(SMALL.node(level, index)));
      }
    }
  });

  it('uses the prefix of a longer tile and returns a copy', () => {
    const tile = new Uint8Array(SMALL.levels[0]!.slice(0, 10).flatMap((h) => [...h]));
    const node = nodeFromTile(tile, 0, 3);
    expect(toHex(node)).toBe(toHex(SMALL.node(0, 3)));
    node.fill(0);
    expect(toHex(tile.subarray(96, 128))).toBe(toHex(SMALL.node(0, 3)));
  });

  it('refuses a tile too short for the node, or not a whole number of hashes', () => {
    const tile = new Uint8Array(SMALL.levels[0]!.slice(0, 3).flatMap((h) => [...h]));
    expect(() => nodeFromTile(tile, 0, 3)).toThrow(TileError);
    expect(() => nodeFromTile(tile, 2, 0)).toThrow(TileError);
    expect(() => nodeFromTile(tile, 1, 1)).toThrow(TileError);
    expect(() => nodeFromTile(new Uint8Array(0), 0, 0)).toThrow(TileError);
    expect(() => nodeFromTile(tile.subarray(0, 95), 0, 0)).toThrow(TileError);
    expect(toHex(nodeFromTile(tile, 1, 0))).toBe(toHex(SMALL.node(1, 0)));
  });
});

describe('TiledTree.append', () => {
  it('an empty tree has the empty root and no tiles', () => {
    const tree = TiledTree.empty();
    expect(tree.size).toBe(0);
    expect(toHex(tree.root())).toBe(toHex(emptyRoot()));
    expect(tree.partialTiles()).toEqual([]);
    expect(tree.append([])).toEqual([]);
    expect(tree.size).toBe(0);
  });

  it.each([1, 2, 3, 255, 256, 257, 511, 512, 513, 2049])(
    'appending %i leaves one by one, in one batch, and in random batches gives the same root and tiles',
    (n) => {
      const whole = appendInBatches(SMALL, [n], { checkEach: false });
      const single = appendInBatches(SMALL, Array<number>(n).fill(1), { checkEach: n <= 64 });
      expect(copyStore(single.store)).toEqual(copyStore(whole.store));
      const rand = prng(n);
      const random = appendInBatches(SMALL, randomBatches(n, 12, rand), { checkEach: true });
      expect(copyStore(random.store)).toEqual(copyStore(whole.store));
      checkEveryNode(whole.store, n, SMALL);
      checkTilesServeProofs(whole.store, n, SMALL, n <= 64 ? range(n) : [0, 127, 128, 255, 256, 511, n - 2, n - 1, ...range(24).map(() => rand(n))].filter((i) => i < n));
    },
  );

  it('random batch splits of random sizes: root, tiles and proofs match the leaves', () => {
    fc.assert(
      fc.property(
        fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 300 }) }, { weight: 1, arbitrary: fc.integer({ min: 301, max: 2100 }) }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        (n, rawBatches, seed) => {
          // Batch sizes from the generator, cut to n, with the rest in one last batch.
          const batches: number[] = [];
          let left = n;
          for (const b of rawBatches) {
            if (left === 0) break;
            batches.push(Math.min(b, left));
            left -= Math.min(b, left);
          }
          if (left > 0) batches.push(left);
          const { store } = appendInBatches(SMALL, batches, { checkEach: true });
          const rand = prng(seed);
          checkTilesServeProofs(store, n, SMALL, range(Math.min(n, 20)).map(() => rand(n)));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('crossing the 65536 boundary leaf by leaf: 65535, 65536, 65537 leaves', () => {
    const { store } = appendInBatches(BIG, [65535, 1, 1], { checkEach: true });
    const rand = prng(65537);
    // A store of a larger log serves the smaller trees too: tiles only grow.
    for (const n of [65535, 65536, 65537]) {
      checkTilesServeProofs(store, n, BIG, [0, 255, 256, 65279, 65280, n - 2, n - 1, ...range(6).map(() => rand(n))]);
    }
  });

  it('65537 leaves in random batches, or a batch of 256 then one over the boundary, give the tiles of one batch', () => {
    const whole = appendInBatches(BIG, [65537], { checkEach: false });
    for (const batches of [randomBatches(65537, 20, prng(7)), [256, 65280, 1]]) {
      const split = appendInBatches(BIG, batches, { checkEach: false });
      expect(split.store.size).toBe(whole.store.size);
      for (const [key, tile] of whole.store) expect(equalBytes(split.store.get(key)!, tile), key).toBe(true);
    }
  });

  it('copies its input and hands its output over: mutating either does not change the tree', () => {
    const tree = TiledTree.empty();
    const store: Store = new Map();
    let size = 0;
    for (const batch of [100, 156, 1, 300, 10]) {
      const leaves = SMALL.leaves.slice(size, size + batch).map((h) => h.slice());
      const writes = tree.append(leaves);
      applyWrites(store, writes);
      size += batch;
      checkStore(store, size, SMALL);
      // Wreck everything the caller holds: its leaves, the writes, a root.
      for (const leaf of leaves) leaf.fill(0xaa);
      for (const w of writes) w.hashes.fill(0x55);
      tree.root().fill(0);
      for (const p of tree.partialTiles()) p.hashes.fill(0x33);
      store.clear();
      for (const w of appendInBatches(SMALL, [size], { checkEach: false }).store) store.set(...w);
      expect(toHex(tree.root())).toBe(SMALL.root(size));
    }
    applyWrites(store, tree.append(SMALL.leaves.slice(size, size + 600)));
    checkStore(store, size + 600, SMALL);
    expect(toHex(tree.root())).toBe(SMALL.root(size + 600));
  });

  it('refuses a leaf hash that is not 32 bytes', () => {
    const tree = TiledTree.empty();
    expect(() => tree.append([new Uint8Array(31)])).toThrow(TileError);
    expect(() => tree.append([new Uint8Array(33)])).toThrow(TileError);
    expect(tree.size).toBe(0);
    expect(toHex(tree.root())).toBe(toHex(emptyRoot()));
  });

  it('refuses a batch with a bad leaf whole: nothing of it is appended, no tile write is lost', () => {
    const tree = TiledTree.empty();
    const store: Store = new Map();
    applyWrites(store, tree.append(SMALL.leaves.slice(0, 250)));
    // The six good leaves before the bad one would complete tile 0/0.
    expect(() => tree.append([...SMALL.leaves.slice(250, 256), new Uint8Array(31)])).toThrow(TileError);
    expect(tree.size).toBe(250);
    expect(toHex(tree.root())).toBe(SMALL.root(250));
    applyWrites(store, tree.append(SMALL.leaves.slice(250, 260)));
    checkStore(store, 260, SMALL);
    expect(toHex(tree.root())).toBe(SMALL.root(260));
  });
});

describe('TiledTree.partialTiles', () => {
  it.each([1, 255, 256, 257, 1000, 65537])('names lastTiles(%i), with the stored contents', (n) => {
    const fixture = n > SMALL.leaves.length ? BIG : SMALL;
    const { tree, store } = appendInBatches(fixture, [n], { checkEach: false });
    const partial = tree.partialTiles();
    expect(partial.map(({ tileLevel, tileIndex, hashes }) => ({ tileLevel, tileIndex, width: hashes.length / 32 }))).toEqual(lastTiles(n));
    for (const p of partial) expect(toHex(p.hashes)).toBe(toHex(store.get(tileKey(p.tileLevel, p.tileIndex))!));
  });
});

describe('TiledTree.restore', () => {
  it('restores the empty tree from nothing', () => {
    const tree = TiledTree.restore(0, new Map());
    expect(tree.size).toBe(0);
    expect(toHex(tree.root())).toBe(toHex(emptyRoot()));
    applyWrites(new Map(), tree.append(SMALL.leaves.slice(0, 3)));
    expect(toHex(tree.root())).toBe(SMALL.root(3));
  });

  it('restoring at any size and appending the rest equals appending everything at once', () => {
    const n = 300;
    const final = appendInBatches(SMALL, [n], { checkEach: false });
    const finalRoot = SMALL.root(n);
    const failures: string[] = [];
    for (let m = 0; m <= n; m++) {
      // From the store of the bigger log: its tiles are longer than a tree of m needs.
      const restored = TiledTree.restore(m, final.store);
      if (restored.size !== m) failures.push(`size at ${m}`);
      if (toHex(restored.root()) !== SMALL.root(m)) failures.push(`root at ${m}`);
      // The continued appends turn what the store held at m into what it holds at n.
      const store = truncateStore(final.store, m);
      for (const w of restored.append(SMALL.leaves.slice(m, n))) store.set(tileKey(w.tileLevel, w.tileIndex), w.hashes);
      if (toHex(restored.root()) !== finalRoot) failures.push(`root after appending from ${m}`);
      if (store.size !== final.store.size) failures.push(`${store.size} tiles after appending from ${m}`);
      for (const [key, tile] of final.store) if (!equalBytes(store.get(key) ?? new Uint8Array(0), tile)) failures.push(`tile ${key} from ${m}`);
    }
    expect(failures).toEqual([]);
  });

  it('needs only the partial tiles, and then continues writing the same tiles', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1500 }), fc.integer({ min: 1, max: 600 }), (m, more) => {
        const before = appendInBatches(SMALL, [m], { checkEach: false });
        const partialOnly: Store = new Map(before.tree.partialTiles().map((p) => [tileKey(p.tileLevel, p.tileIndex), p.hashes]));
        expect([...partialOnly.keys()]).toEqual(lastTiles(m).map((t) => tileKey(t.tileLevel, t.tileIndex)));
        const restored = TiledTree.restore(m, partialOnly);
        expect(toHex(restored.root())).toBe(SMALL.root(m));
        const store = copyStore(before.store);
        applyWrites(store, restored.append(SMALL.leaves.slice(m, m + more)));
        checkStore(store, m + more, SMALL);
        expect(toHex(restored.root())).toBe(SMALL.root(m + more));
      }),
      { numRuns: 25 },
    );
  });

  it.each([256, 65280, 65535, 65536, 65537])('restores at %i from the tiles of a larger log and continues to 66237', (m) => {
    const n = BIG.leaves.length;
    const { store: finalStore, tree: finalTree } = bigLog();
    const restored = TiledTree.restore(m, finalStore);
    expect(toHex(restored.root())).toBe(BIG.root(m));
    const store = truncateStore(finalStore, m);
    applyWrites(store, restored.append(BIG.leaves.slice(m, m + 1)));
    applyWrites(store, restored.append(BIG.leaves.slice(m + 1, n)));
    expect(restored.size).toBe(n);
    expect(toHex(restored.root())).toBe(toHex(finalTree.root()));
    checkStore(store, n, BIG);
  });

  it('refuses a missing or short tile', () => {
    const { tree, store } = appendInBatches(SMALL, [600], { checkEach: false });
    expect(lastTiles(600)).toEqual([
      { tileLevel: 0, tileIndex: 2, width: 88 },
      { tileLevel: 1, tileIndex: 0, width: 2 },
    ]);
    expect(toHex(TiledTree.restore(600, store).root())).toBe(toHex(tree.root()));

    const missing = copyStore(store);
    missing.delete('0/2');
    expect(() => TiledTree.restore(600, missing)).toThrow(TileError);
    const missingUpper = copyStore(store);
    missingUpper.delete('1/0');
    expect(() => TiledTree.restore(600, missingUpper)).toThrow(TileError);

    const short = copyStore(store);
    short.set('0/2', store.get('0/2')!.slice(0, 87 * 32));
    expect(() => TiledTree.restore(600, short)).toThrow(TileError);
    const shortUpper = copyStore(store);
    shortUpper.set('1/0', store.get('1/0')!.slice(0, 32));
    expect(() => TiledTree.restore(600, shortUpper)).toThrow(TileError);

    expect(() => TiledTree.restore(601, store)).toThrow(TileError);
    expect(() => TiledTree.restore(1, new Map())).toThrow(TileError);
    expect(() => TiledTree.restore(-1, store)).toThrow(TileError);
  });
});

describe('TiledTree.clone', () => {
  it('a clone and its original evolve independently', () => {
    const base = 250; // the next appends fill tile 0/0 and roll it up into 1/0
    const original = TiledTree.empty();
    const originalStore: Store = new Map();
    applyWrites(originalStore, original.append(SMALL.leaves.slice(0, base)));
    const clone = original.clone();
    const cloneStore = copyStore(originalStore);
    expect(clone.size).toBe(base);
    expect(toHex(clone.root())).toBe(SMALL.root(base));
    const partialHex = (tree: TiledTree) => tree.partialTiles().map((p) => `${tileKey(p.tileLevel, p.tileIndex)}:${toHex(p.hashes)}`);
    expect(partialHex(clone)).toEqual(partialHex(original));
    const originalPartial = partialHex(original);

    // The clone takes other leaves than the original; the original does not move.
    const other = leavesFrom(9, 300);
    const cloneFixture = new Fixture([...SMALL.leaves.slice(0, base), ...other, ...leavesFrom(10, 20)]);
    applyWrites(cloneStore, clone.append(other));
    checkStore(cloneStore, base + 300, cloneFixture);
    expect(toHex(clone.root())).toBe(cloneFixture.root(base + 300));
    expect(original.size).toBe(base);
    expect(toHex(original.root())).toBe(SMALL.root(base));
    expect(partialHex(original)).toEqual(originalPartial);

    // The original takes its own leaves; the clone does not move.
    const clonePartial = partialHex(clone);
    applyWrites(originalStore, original.append(SMALL.leaves.slice(base, base + 300)));
    checkStore(originalStore, base + 300, SMALL);
    expect(toHex(original.root())).toBe(SMALL.root(base + 300));
    expect(toHex(clone.root())).toBe(cloneFixture.root(base + 300));
    expect(partialHex(clone)).toEqual(clonePartial);

    // Both carry on correctly.
    applyWrites(cloneStore, clone.append(cloneFixture.leaves.slice(base + 300)));
    checkStore(cloneStore, base + 320, cloneFixture);
    expect(toHex(clone.root())).toBe(cloneFixture.root(base + 320));
    applyWrites(originalStore, original.append(SMALL.leaves.slice(base + 300, base + 320)));
    checkStore(originalStore, base + 320, SMALL);
  });
});

let bigFinal: { tree: TiledTree; store: Store } | undefined;
/** The whole BIG log, built once. */
function bigLog(): { tree: TiledTree; store: Store } {
  bigFinal ??= appendInBatches(BIG, [BIG.leaves.length], { checkEach: false });
  return bigFinal;
}
