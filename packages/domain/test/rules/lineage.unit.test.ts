/**
 * Lineage: everything made from a root. Given/When/Then.
 */
import { describe, expect, it } from 'vitest';
import { descendants } from '../../src/index.ts';

describe('descendants', () => {
  // Two collections pooled into a load; the load split into two batches; both batches go into
  // one lot (a diamond), and an unrelated collection has its own batch.
  const nodes = [
    { subject: 'load-1', from: ['col-a', 'col-b'] },
    { subject: 'batch-1', from: ['load-1'] },
    { subject: 'batch-2', from: ['load-1'] },
    { subject: 'lot-1', from: ['batch-1', 'batch-2'] },
    { subject: 'batch-9', from: ['col-z'] },
  ];

  it('given a diamond-shaped graph, when tracing forward from a collection, then every object made from it is listed once, nearest first', () => {
    expect(descendants(nodes, 'col-a')).toEqual(['load-1', 'batch-1', 'batch-2', 'lot-1']);
  });

  it('given a diamond-shaped graph, when tracing from one branch, then only what that branch went into is listed', () => {
    expect(descendants(nodes, 'batch-2')).toEqual(['lot-1']);
  });

  it('given an object nothing was made from, or one not in the graph, then nothing is listed', () => {
    expect(descendants(nodes, 'lot-1')).toEqual([]);
    expect(descendants(nodes, 'nowhere')).toEqual([]);
  });

  it('given a cycle that leads back to the root, then it ends, and the root is not listed among its own descendants', () => {
    const cyclic = [
      { subject: 'b', from: ['a'] },
      { subject: 'c', from: ['b'] },
      { subject: 'a', from: ['c'] },
      { subject: 'd', from: ['c', 'd'] },
    ];
    expect(descendants(cyclic, 'a')).toEqual(['b', 'c', 'd']);
  });

  it('given a long chain, when tracing from its start, then all of it is listed in order', () => {
    const chain = Array.from({ length: 5000 }, (_, i) => ({ subject: `n${i + 1}`, from: [`n${i}`] }));
    const out = descendants(chain, 'n0');
    expect(out).toHaveLength(5000);
    expect(out.at(-1)).toBe('n5000');
  });
});
