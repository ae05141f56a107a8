/**
 * The RFC 6962 / RFC 9162 Merkle tree: roots, proof construction from stored nodes, and proof
 * verification.
 *
 * Sizes and indices are plain JS numbers: exact up to 2^53, far beyond any log this will hold,
 * and cheaper than bigint. Bit operators (32-bit in JS) are deliberately not used on them.
 *
 * Proof construction never looks at the leaves. A proof is a list of MTH(D[start:end]) for the
 * ranges RFC 9162 names (`inclusionProofRanges`, `consistencyProofRanges`); each range is made of
 * at most log2(n) perfect aligned subtrees (`perfectNodes`), whose hashes the caller reads from
 * wherever it stores them (`node(level, index)`, e.g. tiles). So a proof costs O(log n) node reads.
 */
import { equalBytes } from './bytes.ts';
import { HASH_SIZE, emptyRoot, nodeHash } from './hash.ts';

/** A proof could not be built, or does not verify. The message says what failed. */
export class ProofError extends Error {
  override name = 'ProofError';
}

/**
 * A perfect subtree: height `level`, covering leaves [index * 2^level, (index + 1) * 2^level).
 * Level 0 nodes are leaf hashes.
 */
export interface NodeRef {
  level: number;
  index: number;
}

/** Returns the stored hash of the perfect subtree (level, index). */
export type NodeReader = (level: number, index: number) => Uint8Array;

/** MTH of a list of leaf hashes (RFC 9162 section 2.1.1); the empty tree's root is SHA-256(""). */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot();
  // Pairing neighbours level by level and promoting an unpaired last node unchanged gives exactly
  // RFC 6962's split (largest power of two on the left), without recursion.
  let level = leafHashes.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!.slice();
}

/**
 * The leaf ranges whose MTH make up the inclusion proof of `leafIndex` in a tree of `treeSize`
 * (RFC 9162 section 2.1.3.1, PATH), in proof order: from the leaf's sibling up to the root's child.
 */
export function inclusionProofRanges(leafIndex: number, treeSize: number): Array<[number, number]> {
  checkCount('leafIndex', leafIndex);
  checkCount('treeSize', treeSize);
  if (leafIndex >= treeSize) throw new ProofError(`leaf index ${leafIndex} is not in a tree of size ${treeSize}`);
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (leafIndex < start + k) {
      ranges.push([start + k, end]);
      end = start + k;
    } else {
      ranges.push([start, start + k]);
      start += k;
    }
  }
  return ranges.reverse();
}

/**
 * The leaf ranges whose MTH make up the consistency proof between sizes `size1` and `size2`
 * (RFC 9162 section 2.1.4.1, SUBPROOF), in proof order. Defined for 0 < size1 <= size2; the
 * proof between equal sizes is empty. Size 0 is refused: every tree extends the empty tree, so
 * there is nothing to prove, and `verifyConsistency` refuses it too.
 */
export function consistencyProofRanges(size1: number, size2: number): Array<[number, number]> {
  checkCount('size1', size1);
  checkCount('size2', size2);
  if (size1 > size2) throw new ProofError(`size1 ${size1} is greater than size2 ${size2}`);
  if (size1 === 0) throw new ProofError('size1 is 0: consistency with the empty tree proves nothing');
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let end = size2;
  let m = size1;
  let knownRoot = true; // SUBPROOF's b: the subtree at hand is the whole old tree, whose root the verifier has
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      ranges.push([start + k, end]);
      end = start + k;
    } else {
      ranges.push([start, start + k]);
      start += k;
      m -= k;
      knownRoot = false;
    }
  }
  if (!knownRoot) ranges.push([start, end]);
  return ranges.reverse();
}

/**
 * The perfect aligned subtrees that make up [start, end), largest (leftmost) first, for every
 * range that occurs in a proof. Such a range starts at a multiple of the largest power of two
 * not above its length (a node, or a node's right-edge remainder); any other range has no MTH
 * computable from tree nodes, and is refused.
 */
export function perfectNodes(start: number, end: number): NodeRef[] {
  checkCount('start', start);
  checkCount('end', end);
  if (start > end) throw new ProofError(`range [${start}, ${end}) is reversed`);
  const nodes: NodeRef[] = [];
  if (start === end) return nodes;
  let size = 1;
  let level = 0;
  while (size * 2 <= end - start) {
    size *= 2;
    level++;
  }
  if (start % size !== 0) {
    throw new ProofError(`range [${start}, ${end}) does not occur in a proof: its start is not a multiple of ${size}`);
  }
  for (; size >= 1; size /= 2, level--) {
    if (end - start >= size) {
      nodes.push({ level, index: start / size });
      start += size;
    }
  }
  return nodes;
}

/**
 * MTH(D[start:end]) from the hashes of `perfectNodes(start, end)`, combined as RFC 6962 splits:
 * the largest perfect subtree on the left, the rest on the right.
 */
export function rangeHash(start: number, end: number, node: NodeReader): Uint8Array {
  const nodes = perfectNodes(start, end);
  if (nodes.length === 0) return emptyRoot();
  let hash = readNode(node, nodes[nodes.length - 1]!);
  for (let i = nodes.length - 2; i >= 0; i--) hash = nodeHash(readNode(node, nodes[i]!), hash);
  return hash;
}

/** The inclusion proof of `leafIndex` in the tree of `treeSize`, from O(log n) node reads. */
export function inclusionProof(leafIndex: number, treeSize: number, node: NodeReader): Uint8Array[] {
  return inclusionProofRanges(leafIndex, treeSize).map(([start, end]) => rangeHash(start, end, node));
}

/** The consistency proof between `size1` and `size2` (0 < size1 <= size2), from O(log n) node reads. */
export function consistencyProof(size1: number, size2: number, node: NodeReader): Uint8Array[] {
  return consistencyProofRanges(size1, size2).map(([start, end]) => rangeHash(start, end, node));
}

/**
 * Checks that `leafHash` is the leaf at `leafIndex` of the tree of `treeSize` whose root is
 * `root`. RFC 9162 section 2.1.3.2, in the equivalent form of transparency-dev/merkle: the proof
 * splits into `inner` hashes (siblings below the level where the leaf's path leaves the tree's
 * right edge) and `border` hashes (left siblings along the right edge), so a wrong proof length is
 * known, and named, before any hashing. Throws ProofError saying what failed.
 */
export function verifyInclusion(leafHash: Uint8Array, leafIndex: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): void {
  checkCount('leafIndex', leafIndex);
  checkCount('treeSize', treeSize);
  if (leafIndex >= treeSize) throw new ProofError(`leaf index ${leafIndex} is not in a tree of size ${treeSize}`);
  checkHash('leaf hash', leafHash);
  proof.forEach((h, i) => checkHash(`proof[${i}]`, h));
  const { inner, border } = decompose(leafIndex, treeSize);
  if (proof.length !== inner + border) {
    throw new ProofError(`wrong proof length: ${proof.length} hashes, a proof for leaf ${leafIndex} in a tree of size ${treeSize} has ${inner + border}`);
  }
  const computed = chainBorderRight(chainInner(leafHash, proof.slice(0, inner), leafIndex), proof.slice(inner));
  if (!equalBytes(computed, root)) {
    throw new ProofError(`the inclusion proof of leaf ${leafIndex} does not lead to the root of the tree of size ${treeSize}`);
  }
}

/**
 * Checks that the tree of `size2` with root `root2` extends the tree of `size1` with root
 * `root1`. RFC 9162 section 2.1.4.2, in the form of transparency-dev/merkle; equal sizes need an
 * empty proof and equal roots. Throws ProofError saying what failed, including for size1 = 0
 * (consistency with the empty tree proves nothing, so a caller relying on it is refused).
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  checkCount('size1', size1);
  checkCount('size2', size2);
  if (size1 > size2) throw new ProofError(`size1 ${size1} is greater than size2 ${size2}: a log cannot shrink`);
  if (size1 === 0) throw new ProofError('size1 is 0: consistency with the empty tree proves nothing');
  if (size1 === size2) {
    if (proof.length > 0) throw new ProofError(`the sizes are equal, so the proof must be empty; it has ${proof.length} hashes`);
    if (!equalBytes(root1, root2)) throw new ProofError(`the sizes are equal (${size1}) but the roots differ`);
    return;
  }
  if (proof.length === 0) throw new ProofError(`empty proof: trees of sizes ${size1} and ${size2} differ`);
  proof.forEach((h, i) => checkHash(`proof[${i}]`, h));

  // The proof is the suffix of the inclusion proof of leaf size1-1 in the tree of size2, above
  // the level `shift` of the largest perfect subtree ending at size1, preceded by that subtree's
  // hash unless it is the whole old tree (size1 a power of two), whose root the verifier holds.
  const shift = trailingZeros(size1);
  const { inner: fullInner, border } = decompose(size1 - 1, size2);
  const inner = fullInner - shift;
  const oldTreeIsPerfect = size1 === 2 ** shift;
  const expected = (oldTreeIsPerfect ? 0 : 1) + inner + border;
  if (proof.length !== expected) {
    throw new ProofError(`wrong proof length: ${proof.length} hashes, a proof between sizes ${size1} and ${size2} has ${expected}`);
  }
  if (oldTreeIsPerfect) checkHash('root1', root1);
  const seed = oldTreeIsPerfect ? root1 : proof[0]!;
  const path = oldTreeIsPerfect ? proof : proof.slice(1);
  const mask = Math.floor((size1 - 1) / 2 ** shift);

  const hash1 = chainBorderRight(chainInnerRight(seed, path.slice(0, inner), mask), path.slice(inner));
  if (!equalBytes(hash1, root1)) throw new ProofError(`the consistency proof does not lead to root1, the root of the tree of size ${size1}`);
  const hash2 = chainBorderRight(chainInner(seed, path.slice(0, inner), mask), path.slice(inner));
  if (!equalBytes(hash2, root2)) throw new ProofError(`the consistency proof does not lead to root2, the root of the tree of size ${size2}`);
}

/** Largest power of two strictly smaller than n (n >= 2): where RFC 6962 splits D[n]. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * `inner`: the number of levels at which the paths from the root to leaf `index` and to the last
 * leaf (size - 1) differ; `border`: the set bits of index above them (left siblings on the edge).
 */
function decompose(index: number, size: number): { inner: number; border: number } {
  let a = index;
  let b = size - 1;
  let inner = 0;
  while (a !== b) {
    a = Math.floor(a / 2);
    b = Math.floor(b / 2);
    inner++;
  }
  let border = 0;
  for (; a > 0; a = Math.floor(a / 2)) border += a % 2;
  return { inner, border };
}

function trailingZeros(n: number): number {
  let zeros = 0;
  for (; n % 2 === 0; n /= 2) zeros++;
  return zeros;
}

/** Hashes `seed` up through the inner siblings; bit i of `index` says on which side sibling i is. */
function chainInner(seed: Uint8Array, proof: readonly Uint8Array[], index: number): Uint8Array {
  for (const sibling of proof) {
    seed = index % 2 === 0 ? nodeHash(seed, sibling) : nodeHash(sibling, seed);
    index = Math.floor(index / 2);
  }
  return seed;
}

/** Like chainInner, but only through the left siblings: rebuilds the smaller tree's root. */
function chainInnerRight(seed: Uint8Array, proof: readonly Uint8Array[], index: number): Uint8Array {
  for (const sibling of proof) {
    if (index % 2 === 1) seed = nodeHash(sibling, seed);
    index = Math.floor(index / 2);
  }
  return seed;
}

function chainBorderRight(seed: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  for (const sibling of proof) seed = nodeHash(sibling, seed);
  return seed;
}

function readNode(node: NodeReader, ref: NodeRef): Uint8Array {
  const hash = node(ref.level, ref.index);
  if (hash.length !== HASH_SIZE) throw new ProofError(`node ${ref.level}/${ref.index} has ${hash.length} bytes, not ${HASH_SIZE}`);
  return hash;
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new ProofError(`${name} must be a non-negative integer below 2^53, got ${value}`);
}

function checkHash(name: string, hash: Uint8Array): void {
  if (hash.length !== HASH_SIZE) throw new ProofError(`${name} has ${hash.length} bytes, not ${HASH_SIZE}`);
}
