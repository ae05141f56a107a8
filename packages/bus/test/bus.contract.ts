import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from '../src/index.ts';
import { byKey, freshNamespace, recorder, waitFor } from './helpers.ts';

export interface ContractTarget {
  /**
   * A bus on the one broker under test. Buses made with the same namespace see the same topics,
   * groups and committed offsets (a new bus is how a test "restarts" a consumer).
   */
  make(namespace: string): Bus;
  /** How long a condition may take to come true (a Kafka group join takes seconds). */
  timeoutMs: number;
}

/** The behaviour every Bus adapter must have. Registers its tests in the calling describe. */
export function busContract(target: () => ContractTarget): void {
  let buses: Bus[] = [];
  const make = (ns: string) => {
    const bus = target().make(ns);
    buses.push(bus);
    return bus;
  };
  const within = () => target().timeoutMs;
  afterEach(async () => {
    await Promise.all(buses.map((b) => b.close()));
    buses = [];
  });

  const msgs = (key: (i: number) => string, n: number, value = (i: number) => String(i)): BusMessage[] =>
    Array.from({ length: n }, (_, i) => ({ key: key(i), value: value(i) }));

  describe('delivery', () => {
    it('keeps the order of each key, across several publishes', async () => {
      const bus = make(freshNamespace());
      const r = recorder();
      await bus.subscribe({ topic: 'orders', group: 'g', fromBeginning: true, handle: r.handle });
      const keys = ['cow', 'goat', 'camel'];
      for (let round = 0; round < 3; round++) {
        await bus.publish('orders', msgs((i) => keys[i % 3]!, 15, (i) => String(round * 5 + Math.floor(i / 3))));
      }
      await waitFor(() => r.seen.length >= 45, within(), '45 messages');
      const seq = Array.from({ length: 15 }, (_, i) => String(i));
      for (const k of keys) expect(byKey(r.seen).get(k)).toEqual(seq);
      expect(r.seen.every((m) => m.topic === 'orders')).toBe(true);
    });

    it('sends one key always to one partition, and spreads keys over partitions', async () => {
      const bus = make(freshNamespace());
      const r = recorder();
      await bus.subscribe({ topic: 'spread', group: 'g', fromBeginning: true, handle: r.handle });
      await bus.publish('spread', msgs((i) => `key-${i}`, 32));
      await bus.publish('spread', msgs((i) => `key-${i}`, 32));
      await waitFor(() => r.seen.length >= 64, within(), '64 messages');
      const partitionsOf = new Map<string, Set<number>>();
      for (const m of r.seen) partitionsOf.set(m.key, (partitionsOf.get(m.key) ?? new Set()).add(m.partition));
      expect(partitionsOf.size).toBe(32);
      for (const set of partitionsOf.values()) expect(set.size).toBe(1);
      expect(new Set(r.seen.map((m) => m.partition)).size).toBeGreaterThan(1);
    });

    it('gives a failed batch again, after a backoff, before anything later of its partition', async () => {
      const bus = make(freshNamespace());
      const seen: string[] = [];
      let failed = false;
      await bus.subscribe({
        topic: 'retry',
        group: 'g',
        fromBeginning: true,
        handle: async (batch) => {
          for (const m of batch) {
            seen.push(m.value);
            if (m.value === 'm2' && !failed) {
              failed = true;
              throw new Error('the first try of m2 fails');
            }
          }
        },
      });
      await bus.publish('retry', [{ key: 'k', value: 'm1' }, { key: 'k', value: 'm2' }]);
      await bus.publish('retry', [{ key: 'k', value: 'm3' }]);
      await waitFor(() => seen.includes('m3'), within(), 'm3');
      expect(seen.filter((v) => v === 'm2')).toHaveLength(2);
      expect(seen.indexOf('m3')).toBeGreaterThan(seen.lastIndexOf('m2'));
      expect(seen.at(-1)).toBe('m3');
    });
  });

  describe('groups', () => {
    it('shares the partitions between the consumers of a group, which together see every message once', async () => {
      const ns = freshNamespace();
      const a = recorder();
      const b = recorder();
      await make(ns).subscribe({ topic: 'work', group: 'workers', fromBeginning: true, handle: a.handle });
      await make(ns).subscribe({ topic: 'work', group: 'workers', fromBeginning: true, handle: b.handle });
      await make(ns).publish('work', msgs((i) => `lot-${i}`, 40));
      const all = () => new Set([...a.values(), ...b.values()]);
      await waitFor(() => all().size === 40, within(), 'all 40 messages between the two consumers');
      expect(a.seen.length + b.seen.length).toBe(40);
      expect(a.seen.length).toBeGreaterThan(0);
      expect(b.seen.length).toBeGreaterThan(0);
      const partitionsA = new Set(a.seen.map((m) => m.partition));
      expect(b.seen.some((m) => partitionsA.has(m.partition))).toBe(false);
    });

    it('resumes a group after its committed offset when a new consumer takes over (no loss, no replay)', async () => {
      const ns = freshNamespace();
      const first = recorder();
      const before = make(ns);
      const sub = await before.subscribe({ topic: 'resume', group: 'projection', fromBeginning: true, handle: first.handle });
      const producer = make(ns);
      await producer.publish('resume', msgs((i) => `k${i % 5}`, 10, (i) => `a${i}`));
      await waitFor(() => first.seen.length >= 10, within(), 'the first 10 messages');
      await sub.stop();
      await before.close(); // the consumer's process is gone
      await producer.publish('resume', msgs((i) => `k${i % 5}`, 10, (i) => `b${i}`));
      const second = recorder();
      await make(ns).subscribe({ topic: 'resume', group: 'projection', fromBeginning: true, handle: second.handle });
      await waitFor(() => second.seen.length >= 10, within(), 'the second 10 messages');
      expect(first.values().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`).sort());
      expect(second.values().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `b${i}`).sort());
    });

    it('gives every message to each of two groups', async () => {
      const ns = freshNamespace();
      const bus = make(ns);
      const g1 = recorder();
      const g2 = recorder();
      await Promise.all([
        bus.subscribe({ topic: 'fanout', group: 'farm', fromBeginning: true, handle: g1.handle }),
        bus.subscribe({ topic: 'fanout', group: 'lab', fromBeginning: true, handle: g2.handle }),
      ]);
      await bus.publish('fanout', msgs((i) => `k${i}`, 10));
      await waitFor(() => g1.seen.length >= 10 && g2.seen.length >= 10, within(), '10 messages in each group');
      const all = Array.from({ length: 10 }, (_, i) => String(i));
      expect(g1.values().sort()).toEqual(all);
      expect(g2.values().sort()).toEqual(all);
    });
  });

  describe('namespaces', () => {
    it('keep buses on one broker apart, and deliver under the logical topic name', async () => {
      const one = make(freshNamespace('one'));
      const two = make(freshNamespace('two'));
      const r1 = recorder();
      const r2 = recorder();
      await Promise.all([
        one.subscribe({ topic: 'shared', group: 'g', fromBeginning: true, handle: r1.handle }),
        two.subscribe({ topic: 'shared', group: 'g', fromBeginning: true, handle: r2.handle }),
      ]);
      await one.publish('shared', msgs((i) => `k${i}`, 5, (i) => `one-${i}`));
      await two.publish('shared', [{ key: 'k0', value: 'two-marker' }]);
      await waitFor(() => r1.seen.length >= 5 && r2.seen.length >= 1, within(), 'both namespaces');
      expect(r2.values()).toEqual(['two-marker']);
      expect(r1.values().sort()).toEqual(['one-0', 'one-1', 'one-2', 'one-3', 'one-4']);
      expect([...r1.seen, ...r2.seen].every((m) => m.topic === 'shared')).toBe(true);
    });
  });
}
