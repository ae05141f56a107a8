import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/bytes.ts';
import { leafHash } from '../src/hash.ts';
import {
  ProofError,
  consistencyProof,
  inclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type NodeReader,
} from '../src/merkle.ts';

/**
 * The transparency-dev/merkle test data (see vectors/merkle/LICENSE-NOTE.md): every case must be
 * refused with a ProofError exactly when its `wantErr` is true.
 */

const ROOT = new URL('./vectors/merkle/', import.meta.url);

/** Every .json file under `dir`, as paths relative to vectors/merkle, sorted. */
function walk(relative: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(new URL(relative, ROOT), { withFileTypes: true })) {
    const path = `${relative}${entry.name}`;
    if (entry.isDirectory()) out.push(...walk(`${path}/`));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(path);
  }
  return out.sort();
}

function b64(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string') throw new Error(`${field} is not a string`);
  const bytes = Buffer.from(value, 'base64');
  // Buffer's decoder is lenient; insist the file holds exactly one spelling of these bytes.
  if (bytes.toString('base64') !== value) throw new Error(`${field} is not canonical base64: ${value}`);
  return new Uint8Array(bytes);
}

/**
 * A size or index, passed through as parsed: some cases hold 2^64 - 1 (a Go uint64 that wrapped
 * below zero), which JSON.parse rounds to 2^64, beyond 2^53; the verifier must refuse it itself.
 */
function int(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`${field} is not a count: ${String(value)}`);
  return value;
}

function proofOf(value: unknown): Uint8Array[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new Error('proof is neither null nor an array');
  return value.map((h, i) => b64(h, `proof[${i}]`));
}

function wantErrOf(record: Record<string, unknown>): boolean {
  if (typeof record.wantErr !== 'boolean') throw new Error('wantErr is not a boolean');
  return record.wantErr;
}

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: Uint8Array;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  wantErr: boolean;
}

interface ConsistencyCase {
  size1: number;
  size2: number;
  root1: Uint8Array;
  root2: Uint8Array;
  proof: Uint8Array[];
  wantErr: boolean;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(path, ROOT), 'utf8')) as Record<string, unknown>;
}

function inclusionCase(path: string): InclusionCase {
  const r = readJson(path);
  return {
    leafIdx: int(r.leafIdx, 'leafIdx'),
    treeSize: int(r.treeSize, 'treeSize'),
    root: b64(r.root, 'root'),
    leafHash: b64(r.leafHash, 'leafHash'),
    proof: proofOf(r.proof),
    wantErr: wantErrOf(r),
  };
}

function consistencyCase(path: string): ConsistencyCase {
  const r = readJson(path);
  return {
    size1: int(r.size1, 'size1'),
    size2: int(r.size2, 'size2'),
    root1: b64(r.root1, 'root1'),
    root2: b64(r.root2, 'root2'),
    proof: proofOf(r.proof),
    wantErr: wantErrOf(r),
  };
}

const inclusionFiles = walk('inclusion/');
const consistencyFiles = walk('consistency/');

/** Runs `verify`; returns the error it threw, or undefined. */
function outcome(verify: () => void): unknown {
  try {
    verify();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('transparency-dev/merkle vectors', () => {
  it('finds the vector files, with both outcomes represented', () => {
    expect(inclusionFiles.length).toBeGreaterThan(0);
    expect(consistencyFiles.length).toBeGreaterThan(0);
    const inclusion = inclusionFiles.map(inclusionCase);
    const consistency = consistencyFiles.map(consistencyCase);
    expect(inclusion.some((c) => c.wantErr)).toBe(true);
    expect(inclusion.some((c) => !c.wantErr)).toBe(true);
    expect(consistency.some((c) => c.wantErr)).toBe(true);
    expect(consistency.some((c) => !c.wantErr)).toBe(true);
  });

  describe('inclusion', () => {
    it.each(inclusionFiles)('%s', (path) => {
      const c = inclusionCase(path);
      const error = outcome(() => verifyInclusion(c.leafHash, c.leafIdx, c.treeSize, c.proof, c.root));
      if (c.wantErr) expect(error).toBeInstanceOf(ProofError);
      else expect(error).toBeUndefined();
    });
  });

  describe('consistency', () => {
    it.each(consistencyFiles)('%s', (path) => {
      const c = consistencyCase(path);
      const error = outcome(() => verifyConsistency(c.size1, c.size2, c.proof, c.root1, c.root2));
      if (c.wantErr) expect(error).toBeInstanceOf(ProofError);
      else expect(error).toBeUndefined();
    });
  });
});

/** The eight leaf inputs the numbered vector folders are built over (vectors/README.md). */
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const LEAVES = LEAF_INPUTS.map((hex) => leafHash(fromHex(hex)));

/** Root of the tree over the first N leaves, N = 0..8 (vectors/README.md). */
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Perfect-subtree reader over the first `size` of the eight leaves; refuses nodes outside the tree. */
function readerFor(size: number): NodeReader {
  return (level, index) => {
    const width = 2 ** level;
    const start = index * width;
    if (start + width > size) throw new Error(`node ${level}/${index} is not complete in a tree of size ${size}`);
    return rootFromLeafHashes(LEAVES.slice(start, start + width));
  };
}

describe('the trees the vectors are built over', () => {
  it.each(ROOTS.map((root, n) => [n, root] as const))('the root of the first %i leaves is %s', (n, root) => {
    expect(toHex(rootFromLeafHashes(LEAVES.slice(0, n)))).toBe(root);
  });

  const happyInclusion = inclusionFiles.filter((p) => /^inclusion\/\d+\/happy-path\.json$/.test(p));
  const happyConsistency = consistencyFiles.filter((p) => /^consistency\/\d+\/happy-path\.json$/.test(p));

  it('has happy paths to rebuild', () => {
    expect(happyInclusion.length).toBeGreaterThan(0);
    expect(happyConsistency.length).toBeGreaterThan(0);
  });

  it.each(happyInclusion)('inclusionProof rebuilds %s', (path) => {
    const c = inclusionCase(path);
    expect(toHex(c.leafHash)).toBe(toHex(LEAVES[c.leafIdx]!));
    expect(toHex(c.root)).toBe(ROOTS[c.treeSize]);
    const proof = inclusionProof(c.leafIdx, c.treeSize, readerFor(c.treeSize));
    expect(proof.map(toHex)).toEqual(c.proof.map(toHex));
  });

  it.each(happyConsistency)('consistencyProof rebuilds %s', (path) => {
    const c = consistencyCase(path);
    expect(toHex(c.root1)).toBe(ROOTS[c.size1]);
    expect(toHex(c.root2)).toBe(ROOTS[c.size2]);
    const proof = consistencyProof(c.size1, c.size2, readerFor(c.size2));
    expect(proof.map(toHex)).toEqual(c.proof.map(toHex));
  });
});
