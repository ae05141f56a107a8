import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../src/bytes.ts';
import {
  ProofError,
  consistencyProof,
  consistencyProofRanges,
  inclusionProof,
  inclusionProofRanges,
  perfectNodes,
  rangeHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type NodeReader,
} from '../src/merkle.ts';
import { prng } from './support.ts';

// ---------------------------------------------------------------------------------------------
// Reference model: RFC 6962 section 2.1 written out recursively, with node:crypto directly (no
// merkle.ts, no hash.ts).
// ---------------------------------------------------------------------------------------------

function sha(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

const NODE_PREFIX = Uint8Array.of(1);

/** The largest power of two strictly smaller than n (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A log over fixed leaf hashes; every method takes the tree size it is about. */
class ReferenceTree {
  readonly #memo = new Map<string, Uint8Array>();
  constructor(readonly leaves: readonly Uint8Array[]) {}

  /** MTH(D[start:end]). */
  mth(start: number, end: number): Uint8Array {
    const n = end - start;
    if (n === 0) return sha();
    if (n === 1) return this.leaves[start]!;
    const key = `${start}:${end}`;
    let hash = this.#memo.get(key);
    if (!hash) {
      const k = split(n);
      hash = sha(NODE_PREFIX, this.mth(start, start + k), this.mth(start + k, end));
      this.#memo.set(key, hash);
    }
    return hash;
  }

  root(size: number): Uint8Array {
    return this.mth(0, size);
  }

  /** PATH(m, D[start:end]): the audit path of leaf `start + m`. */
  path(m: number, size: number, start = 0): Uint8Array[] {
    const n = size - start;
    if (n === 1) return [];
    const k = split(n);
    if (m < k) return [...this.path(m, start + k, start), this.mth(start + k, size)];
    return [...this.path(m - k, size, start + k), this.mth(start, start + k)];
  }

  /** PROOF(m, D[size]) = SUBPROOF(m, D[size], true). */
  consistency(m: number, size: number): Uint8Array[] {
    const sub = (m: number, start: number, end: number, b: boolean): Uint8Array[] => {
      const n = end - start;
      if (m === n) return b ? [] : [this.mth(start, end)];
      const k = split(n);
      if (m <= k) return [...sub(m, start, start + k, b), this.mth(start + k, end)];
      return [...sub(m - k, start + k, end, false), this.mth(start, start + k)];
    };
    return sub(m, 0, size, true);
  }

  /** A NodeReader serving only the complete perfect subtrees of the tree of `size`; counts reads. */
  reader(size: number): NodeReader & { reads: number } {
    const read = (level: number, index: number): Uint8Array => {
      read.reads++;
      const width = 2 ** level;
      const start = index * width;
      if (!Number.isSafeInteger(start) || start < 0 || start + width > size) {
        throw new Error(`node ${level}/${index} is not a complete subtree of the tree of size ${size}`);
      }
      return this.mth(start, start + width);
    };
    read.reads = 0;
    return read;
  }
}

/** Which side each audit-path sibling is on, bottom-up ('R': right of the path): what a verifier hashes. */
function pathShape(m: number, n: number): string {
  if (n === 1) return '';
  const k = split(n);
  return m < k ? `${pathShape(m, k)}R` : `${pathShape(m - k, n - k)}L`;
}

function leavesFrom(seed: number, count: number): Uint8Array[] {
  const s = new Uint8Array(8);
  new DataView(s.buffer).setFloat64(0, seed);
  return Array.from({ length: count }, (_, i) => {
    const idx = new Uint8Array(4);
    new DataView(idx.buffer).setUint32(0, i);
    return sha(s, idx);
  });
}

function flipBit(hash: Uint8Array, bit: number): Uint8Array {
  const copy = hash.slice();
  const at = bit >> 3;
  copy[at] = copy[at]! ^ (1 << (bit & 7));
  return copy;
}

/**
 * True if `verify` throws ProofError, false if it returns; any other error propagates. Runs
 * without stack capture: the tampering checks make tens of thousands of ProofErrors, and
 * capturing their stacks would take most of the run time.
 */
function refused(verify: () => void): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    verify();
    return false;
  } catch (error) {
    if (error instanceof ProofError) return true;
    throw error;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

const log2ceil = (n: number) => Math.ceil(Math.log2(n));

/** Tree sizes skewed small, up to 3000. */
const sizeArb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 40 }) },
  { weight: 3, arbitrary: fc.integer({ min: 41, max: 600 }) },
  { weight: 1, arbitrary: fc.integer({ min: 601, max: 3000 }) },
);
const seedArb = fc.integer({ min: 0, max: 2 ** 31 });
const FIXED_SIZES = [1000, 2049, 3000];

// ---------------------------------------------------------------------------------------------
// Checks, shared by the random and the fixed sizes.
// ---------------------------------------------------------------------------------------------

/** Root, and the inclusion proofs of the given leaves: equal to RFC 6962 PATH, verify, O(log n) reads. */
function checkInclusionProofs(tree: ReferenceTree, n: number, indices: Iterable<number>): void {
  const root = tree.root(n);
  expect(toHex(rootFromLeafHashes(tree.leaves.slice(0, n)))).toBe(toHex(root));
  const failures: string[] = [];
  for (const i of indices) {
    const reader = tree.reader(n);
    const proof = inclusionProof(i, n, reader);
    const expected = tree.path(i, n);
    if (proof.map(toHex).join() !== expected.map(toHex).join()) failures.push(`proof of ${i}/${n} differs from PATH`);
    if (n > 1 && reader.reads > 2 * log2ceil(n)) failures.push(`proof of ${i}/${n} read ${reader.reads} nodes`);
    if (refused(() => verifyInclusion(tree.leaves[i]!, i, n, proof, root))) failures.push(`proof of ${i}/${n} refused`);
  }
  expect(failures).toEqual([]);
}

/** Everything wrong with an inclusion proof that must be refused. */
function checkInclusionTampering(tree: ReferenceTree, n: number, i: number, rand: (bound: number) => number): void {
  const root = tree.root(n);
  const leaf = tree.leaves[i]!;
  const proof = inclusionProof(i, n, tree.reader(n));
  const accepted: string[] = [];
  const mustRefuse = (what: string, verify: () => void) => {
    if (!refused(verify)) accepted.push(what);
  };
  expect(refused(() => verifyInclusion(leaf, i, n, proof, root))).toBe(false);

  // Every single-bit flip of every proof hash, of the root and of the leaf.
  proof.forEach((h, j) => {
    for (let bit = 0; bit < 256; bit++) {
      const tampered = proof.slice();
      tampered[j] = flipBit(h, bit);
      mustRefuse(`proof[${j}] bit ${bit}`, () => verifyInclusion(leaf, i, n, tampered, root));
    }
  });
  for (let bit = 0; bit < 256; bit++) {
    mustRefuse(`root bit ${bit}`, () => verifyInclusion(leaf, i, n, proof, flipBit(root, bit)));
    mustRefuse(`leaf bit ${bit}`, () => verifyInclusion(flipBit(leaf, bit), i, n, proof, root));
  }

  // Another leaf of the same tree at this index.
  if (n > 1) {
    const other = (i + 1 + rand(n - 1)) % n;
    mustRefuse(`leaf ${other} as leaf ${i}`, () => verifyInclusion(tree.leaves[other]!, i, n, proof, root));
  }

  // A wrong index: the path to another leaf has another shape, so it is always refused.
  const wrongIndices = n <= 64 ? [...Array(n).keys()] : Array.from({ length: 32 }, () => rand(n));
  for (const j of wrongIndices) {
    if (j !== i) mustRefuse(`index ${j} instead of ${i}`, () => verifyInclusion(leaf, j, n, proof, root));
  }
  mustRefuse(`index ${n} (= tree size)`, () => verifyInclusion(leaf, n, n, proof, root));
  mustRefuse('index -1', () => verifyInclusion(leaf, -1, n, proof, root));

  // A wrong tree size: the tree size is not committed to by the root, so a size whose audit path
  // to leaf i has the same shape is accepted with the same root; every other size is refused.
  const wrongSizes = new Set<number>([i + 1, n - 1, n + 1, 2 * n, n + 2 ** log2ceil(n), Math.floor(n / 2) + 1]);
  for (let t = 0; t < 16; t++) wrongSizes.add(i + 1 + rand(2 * n));
  const misjudged: string[] = [];
  for (const size of wrongSizes) {
    if (size === n || size <= i) continue;
    const sameShape = pathShape(i, size) === pathShape(i, n);
    if (refused(() => verifyInclusion(leaf, i, size, proof, root)) === sameShape) misjudged.push(`size ${size} for ${i}/${n}`);
  }
  expect(misjudged).toEqual([]);
  mustRefuse('size 0', () => verifyInclusion(leaf, i, 0, proof, root));

  // A hash too many or too few, anywhere.
  const extra = sha(Uint8Array.of(7));
  for (let j = 0; j <= proof.length; j++) {
    mustRefuse(`extra hash at ${j}`, () => verifyInclusion(leaf, i, n, [...proof.slice(0, j), extra, ...proof.slice(j)], root));
    mustRefuse(`root inserted at ${j}`, () => verifyInclusion(leaf, i, n, [...proof.slice(0, j), root, ...proof.slice(j)], root));
  }
  for (let j = 0; j < proof.length; j++) {
    mustRefuse(`hash ${j} removed`, () => verifyInclusion(leaf, i, n, [...proof.slice(0, j), ...proof.slice(j + 1)], root));
  }
  expect(accepted).toEqual([]);
}

/** Consistency proofs for (m, n): equal to RFC 6962 PROOF, verify, O(log n) reads. */
function checkConsistencyProofs(tree: ReferenceTree, pairs: Iterable<readonly [number, number]>): void {
  const failures: string[] = [];
  for (const [m, n] of pairs) {
    const reader = tree.reader(n);
    const proof = consistencyProof(m, n, reader);
    const expected = tree.consistency(m, n);
    if (proof.map(toHex).join() !== expected.map(toHex).join()) failures.push(`proof ${m}->${n} differs from PROOF`);
    if (n > 1 && reader.reads > 2 * log2ceil(n) + 1) failures.push(`proof ${m}->${n} read ${reader.reads} nodes`);
    if (refused(() => verifyConsistency(m, n, proof, tree.root(m), tree.root(n)))) failures.push(`proof ${m}->${n} refused`);
  }
  expect(failures).toEqual([]);
}

/** Everything wrong with a consistency proof that must be refused. `tree` has more than n leaves. */
function checkConsistencyTampering(tree: ReferenceTree, m: number, n: number, rand: (bound: number) => number): void {
  const root1 = tree.root(m);
  const root2 = tree.root(n);
  const proof = consistencyProof(m, n, tree.reader(n));
  const accepted: string[] = [];
  const mustRefuse = (what: string, verify: () => void) => {
    if (!refused(verify)) accepted.push(what);
  };
  expect(refused(() => verifyConsistency(m, n, proof, root1, root2))).toBe(false);

  proof.forEach((h, j) => {
    for (let bit = 0; bit < 256; bit++) {
      const tampered = proof.slice();
      tampered[j] = flipBit(h, bit);
      mustRefuse(`proof[${j}] bit ${bit}`, () => verifyConsistency(m, n, tampered, root1, root2));
    }
  });
  for (let bit = 0; bit < 256; bit++) {
    mustRefuse(`root1 bit ${bit}`, () => verifyConsistency(m, n, proof, flipBit(root1, bit), root2));
    mustRefuse(`root2 bit ${bit}`, () => verifyConsistency(m, n, proof, root1, flipBit(root2, bit)));
  }
  if (m !== n) mustRefuse('swapped roots', () => verifyConsistency(m, n, proof, root2, root1));
  mustRefuse('size1 0', () => verifyConsistency(0, n, proof, root1, root2));
  mustRefuse('size1 > size2', () => verifyConsistency(n + 1, n, proof, root1, root2));

  // Other sizes, with the true roots of the trees of those sizes: the proof is refused unless it
  // is also the proof for those sizes.
  const others = new Set<string>();
  for (let t = 0; t < 12; t++) {
    others.add(`${1 + rand(n)},${n}`);
    const size2 = m + rand(tree.leaves.length - m + 1);
    if (size2 >= 1) others.add(`${m},${size2}`);
  }
  for (const pair of others) {
    const [a, b] = pair.split(',').map(Number) as [number, number];
    if ((a === m && b === n) || a < 1 || a > b) continue;
    const same = consistencyProof(a, b, tree.reader(b)).map(toHex).join() === proof.map(toHex).join();
    if (!same) mustRefuse(`sizes ${a}->${b} instead of ${m}->${n}`, () => verifyConsistency(a, b, proof, tree.root(a), tree.root(b)));
  }

  const extra = sha(Uint8Array.of(9));
  for (let j = 0; j <= proof.length; j++) {
    mustRefuse(`extra hash at ${j}`, () => verifyConsistency(m, n, [...proof.slice(0, j), extra, ...proof.slice(j)], root1, root2));
    mustRefuse(`root1 inserted at ${j}`, () => verifyConsistency(m, n, [...proof.slice(0, j), root1, ...proof.slice(j)], root1, root2));
  }
  for (let j = 0; j < proof.length; j++) {
    mustRefuse(`hash ${j} removed`, () => verifyConsistency(m, n, [...proof.slice(0, j), ...proof.slice(j + 1)], root1, root2));
  }
  expect(accepted).toEqual([]);
}

// ---------------------------------------------------------------------------------------------

describe('roots', () => {
  it('the empty tree is SHA-256 of the empty string, and one leaf is its own root', () => {
    expect(toHex(rootFromLeafHashes([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const [leaf] = leavesFrom(1, 1) as [Uint8Array];
    const root = rootFromLeafHashes([leaf]);
    expect(toHex(root)).toBe(toHex(leaf));
    root[0] = root[0]! ^ 1; // the result is a copy
    expect(toHex(rootFromLeafHashes([leaf]))).toBe(toHex(leaf));
  });

  it('rootFromLeafHashes is RFC 6962 MTH for random trees of 1..3000 leaves', () => {
    fc.assert(
      fc.property(sizeArb, seedArb, (n, seed) => {
        const tree = new ReferenceTree(leavesFrom(seed, n));
        expect(toHex(rootFromLeafHashes(tree.leaves))).toBe(toHex(tree.root(n)));
      }),
      { numRuns: 60 },
    );
  });

  it('every prefix of a 300-leaf tree has the reference root', () => {
    const tree = new ReferenceTree(leavesFrom(2, 300));
    for (let n = 0; n <= 300; n++) expect(toHex(rootFromLeafHashes(tree.leaves.slice(0, n)))).toBe(toHex(tree.root(n)));
  });
});

describe('inclusion proofs', () => {
  it('all proofs of every tree up to 64 leaves are RFC 6962 PATH and verify', () => {
    const tree = new ReferenceTree(leavesFrom(3, 64));
    for (let n = 1; n <= 64; n++) checkInclusionProofs(tree, n, Array(n).keys());
  });

  it('random trees: proofs are PATH, verify, and take O(log n) node reads', () => {
    fc.assert(
      fc.property(sizeArb, seedArb, (n, seed) => {
        const rand = prng(seed);
        const tree = new ReferenceTree(leavesFrom(seed, n));
        const indices = n <= 200 ? [...Array(n).keys()] : [0, n - 1, Math.floor(n / 2), ...Array.from({ length: 40 }, () => rand(n))];
        checkInclusionProofs(tree, n, indices);
      }),
      { numRuns: 60 },
    );
  });

  it.each(FIXED_SIZES)('every proof of the %i-leaf tree is PATH and verifies', (n) => {
    checkInclusionProofs(new ReferenceTree(leavesFrom(n, n)), n, Array(n).keys());
  });

  it('random trees: bit flips, wrong leaf, index, size and proof length are refused', () => {
    fc.assert(
      fc.property(sizeArb, seedArb, fc.nat(), (n, seed, pick) => {
        checkInclusionTampering(new ReferenceTree(leavesFrom(seed, n)), n, pick % n, prng(seed));
      }),
      { numRuns: 20 },
    );
  });

  it.each(FIXED_SIZES)('tampering with proofs in the %i-leaf tree is refused', (n) => {
    const tree = new ReferenceTree(leavesFrom(n + 1, n));
    for (const i of [n - 1, 777]) checkInclusionTampering(tree, n, i, prng(i));
  });

  it('a wrong tree size with the same path shape is accepted: the size is not in the root', () => {
    // Leaf 0 of 8 and of 7 both have the path shape RRR; leaf 0 of 4 has RR.
    const tree = new ReferenceTree(leavesFrom(4, 8));
    const proof = inclusionProof(0, 8, tree.reader(8));
    expect(pathShape(0, 7)).toBe(pathShape(0, 8));
    expect(() => verifyInclusion(tree.leaves[0]!, 0, 7, proof, tree.root(8))).not.toThrow();
    expect(() => verifyInclusion(tree.leaves[0]!, 0, 7, proof, tree.root(7))).toThrow(ProofError);
    expect(() => verifyInclusion(tree.leaves[0]!, 0, 4, proof, tree.root(8))).toThrow(ProofError);
  });

  it('refuses arguments that name no leaf', () => {
    const tree = new ReferenceTree(leavesFrom(5, 10));
    const reader = tree.reader(10);
    for (const [i, n] of [[10, 10], [0, 0], [-1, 10], [1.5, 10], [0, Number.NaN], [0, 2 ** 53]] as const) {
      expect(() => inclusionProof(i, n, reader)).toThrow(ProofError);
      expect(() => inclusionProofRanges(i, n)).toThrow(ProofError);
      expect(() => verifyInclusion(tree.leaves[0]!, i, n, [], tree.root(10))).toThrow(ProofError);
    }
  });

  it('refuses hashes that are not 32 bytes with ProofError', () => {
    const tree = new ReferenceTree(leavesFrom(6, 5));
    const proof = inclusionProof(1, 5, tree.reader(5));
    const leaf = tree.leaves[1]!;
    expect(() => verifyInclusion(leaf.subarray(0, 31), 1, 5, proof, tree.root(5))).toThrow(ProofError);
    expect(() => verifyInclusion(leaf, 1, 5, [proof[0]!, proof[1]!.subarray(1), proof[2]!], tree.root(5))).toThrow(ProofError);
    expect(() => verifyInclusion(leaf, 1, 5, proof, new Uint8Array(0))).toThrow(ProofError);
    expect(() => verifyInclusion(leaf, 1, 5, proof, new Uint8Array(33))).toThrow(ProofError);
  });

  it('refuses a node reader that returns a hash of the wrong length', () => {
    const tree = new ReferenceTree(leavesFrom(7, 5));
    expect(() => inclusionProof(1, 5, (level, index) => tree.reader(5)(level, index).subarray(0, 16))).toThrow(ProofError);
  });
});

describe('consistency proofs', () => {
  it('all proofs between trees up to 48 leaves are RFC 6962 PROOF and verify', () => {
    const tree = new ReferenceTree(leavesFrom(8, 48));
    const pairs: Array<[number, number]> = [];
    for (let n = 1; n <= 48; n++) for (let m = 1; m <= n; m++) pairs.push([m, n]);
    checkConsistencyProofs(tree, pairs);
  });

  it('random trees: proofs for random (m, n) are PROOF and verify', () => {
    fc.assert(
      fc.property(sizeArb, seedArb, (n, seed) => {
        const rand = prng(seed);
        const tree = new ReferenceTree(leavesFrom(seed, n));
        const pairs: Array<[number, number]> = [[1, n], [n, n]];
        for (let t = 0; t < 30; t++) {
          const b = 1 + rand(n);
          pairs.push([1 + rand(b), b]);
        }
        checkConsistencyProofs(tree, pairs);
      }),
      { numRuns: 60 },
    );
  });

  it.each(FIXED_SIZES)('every proof into the %i-leaf tree is PROOF and verifies', (n) => {
    const tree = new ReferenceTree(leavesFrom(n + 2, n));
    checkConsistencyProofs(
      tree,
      Array.from({ length: n }, (_, i) => [i + 1, n] as const),
    );
  });

  it('random trees: bit flips of the proof and both roots, wrong sizes and proof length are refused', () => {
    fc.assert(
      fc.property(sizeArb, seedArb, fc.nat(), fc.nat(), (size, seed, p1, p2) => {
        const tree = new ReferenceTree(leavesFrom(seed, size + 20));
        const n = 1 + (p2 % size);
        const m = 1 + (p1 % n);
        checkConsistencyTampering(tree, m, n, prng(seed));
      }),
      { numRuns: 25 },
    );
  });

  it.each(FIXED_SIZES)('tampering with proofs into the %i-leaf tree is refused', (n) => {
    const tree = new ReferenceTree(leavesFrom(n + 3, n + 10));
    for (const m of [1, 513, n - 1, n]) checkConsistencyTampering(tree, m, n, prng(m));
  });

  it('refuses size pairs it cannot prove', () => {
    const tree = new ReferenceTree(leavesFrom(9, 10));
    for (const [a, b] of [[0, 10], [0, 0], [11, 10], [-1, 10], [1, 1.5], [1, 2 ** 53]] as const) {
      expect(() => consistencyProof(a, b, tree.reader(10))).toThrow(ProofError);
      expect(() => consistencyProofRanges(a, b)).toThrow(ProofError);
      expect(() => verifyConsistency(a, b, [], tree.root(10), tree.root(10))).toThrow(ProofError);
    }
  });

  it('equal sizes need an empty proof and equal roots', () => {
    const tree = new ReferenceTree(leavesFrom(10, 6));
    expect(consistencyProof(6, 6, tree.reader(6))).toEqual([]);
    expect(() => verifyConsistency(6, 6, [], tree.root(6), tree.root(6))).not.toThrow();
    expect(() => verifyConsistency(6, 6, [tree.root(6)], tree.root(6), tree.root(6))).toThrow(ProofError);
    expect(() => verifyConsistency(6, 6, [], tree.root(6), tree.root(5))).toThrow(ProofError);
  });

  it('refuses proof hashes that are not 32 bytes with ProofError', () => {
    const tree = new ReferenceTree(leavesFrom(11, 7));
    const proof = consistencyProof(3, 7, tree.reader(7));
    expect(proof.length).toBeGreaterThan(1);
    const short = [proof[0]!.subarray(0, 31), ...proof.slice(1)];
    expect(() => verifyConsistency(3, 7, short, tree.root(3), tree.root(7))).toThrow(ProofError);
    const proof4 = consistencyProof(4, 7, tree.reader(7));
    expect(() => verifyConsistency(4, 7, proof4, tree.root(4).subarray(1), tree.root(7))).toThrow(ProofError);
  });
});

describe('proof ranges and perfect nodes', () => {
  /** Every distinct range a proof in a tree of up to 70 leaves names. */
  function proofRanges(): Array<[number, number]> {
    const out = new Map<string, [number, number]>();
    for (let n = 1; n <= 70; n++) {
      const ranges = [...Array(n).keys()].flatMap((i) => [...inclusionProofRanges(i, n), ...consistencyProofRanges(i + 1, n)]);
      for (const r of ranges) out.set(r.join(), r);
    }
    return [...out.values()];
  }

  it('perfectNodes tiles each proof range with aligned perfect subtrees, largest first', () => {
    const ranges = proofRanges();
    expect(ranges.length).toBeGreaterThan(100);
    const failures: string[] = [];
    for (const [start, end] of ranges) {
      let at = start;
      let previous = Infinity;
      for (const { level, index } of perfectNodes(start, end)) {
        const width = 2 ** level;
        if (index * width !== at || width >= previous) failures.push(`[${start}, ${end}): node ${level}/${index}`);
        previous = width;
        at += width;
      }
      if (at !== end) failures.push(`[${start}, ${end}): nodes end at ${at}`);
    }
    expect(failures).toEqual([]);
    expect(perfectNodes(5, 5)).toEqual([]);
  });

  it('rangeHash of each proof range is its MTH', () => {
    const tree = new ReferenceTree(leavesFrom(12, 70));
    const reader = tree.reader(70);
    const failures = proofRanges().filter(([start, end]) => toHex(rangeHash(start, end, reader)) !== toHex(tree.mth(start, end)));
    expect(failures).toEqual([]);
    expect(toHex(rangeHash(3, 3, reader))).toBe(toHex(sha()));
  });

  it('refuses ranges that occur in no proof', () => {
    expect(() => perfectNodes(1, 3)).toThrow(ProofError);
    expect(() => perfectNodes(2, 6)).toThrow(ProofError);
    expect(() => perfectNodes(4, 3)).toThrow(ProofError);
    expect(() => perfectNodes(-1, 3)).toThrow(ProofError);
    expect(perfectNodes(4, 7)).toEqual([
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });
});
