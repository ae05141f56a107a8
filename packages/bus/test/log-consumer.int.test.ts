import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '@milkchain/http';
import { createPool, type Pool, type PoolClient } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { createInProcessBus, logCursor, partitionOf, startLogConsumer, waitForLogCursors, type Bus, type Delivered, type Subscription } from '../src/index.ts';
import { adapters } from './adapters.ts';
import { freshNamespace } from './helpers.ts';

const TOPIC = 'log';
const seqOf = (m: Delivered) => (JSON.parse(m.value) as { seq: number }).seq;

/** A log consumer of TOPIC whose `apply` gets each run's seqs, in order. */
function consume(pool: Pool, bus: Bus, group: string, consumer: string, apply: (client: PoolClient, seqs: number[]) => Promise<void>): Promise<Subscription> {
  return startLogConsumer({ pool, bus, topic: TOPIC, group, consumer, logger: silentLogger, seqOf, apply: (client, run) => apply(client, run.map(seqOf)) });
}

/**
 * startLogConsumer applies a log's entries in seq order, each exactly once, whatever the
 * partitions' interleaving and however often an entry is delivered; its cursor (not the inbox)
 * is what skips a redelivery, so it leaves no bus_inbox rows, and nothing waits in
 * bus_log_pending once the log is complete.
 */
for (const adapter of adapters()) {
  describe.skipIf(adapter.skip)(`log consumer on the ${adapter.name}${adapter.skip ? ` (skipped: ${adapter.skip})` : ''}`, () => {
    let pool: Pool;
    let bus: Bus;
    let sub: Subscription;
    const consumer = `test.log.${adapter.name.replace(/\W/g, '')}`;
    const entry = (seq: number, id = `entry-${seq}`) => ({ key: `subject-${seq % 7}`, value: JSON.stringify({ seq }), headers: { 'message-id': id } });

    beforeAll(async () => {
      pool = createPool(await createTestDatabase(inject('postgresUrl'), 'bus_log_consumer'));
      await pool.query('CREATE TABLE applied (seq int NOT NULL, run int NOT NULL)');
      bus = adapter.make(freshNamespace('log'));
      let runs = 0;
      sub = await consume(pool, bus, 'log-test', consumer, async (client, seqs) => {
        runs++;
        for (const seq of seqs) await client.query('INSERT INTO applied (seq, run) VALUES ($1, $2)', [seq, runs]);
      });
    }, 60_000);

    afterAll(async () => {
      await sub?.stop();
      await bus?.close();
      await pool?.end();
    });

    it('applies every entry once, in seq order, with redeliveries and duplicates in one delivery', async () => {
      const N = 300;
      // Keyed by subject: the partitions run ahead of each other. Every entry is published twice
      // (under the same message id), some a third time under another id, and the first 50 again at the end.
      const order = Array.from({ length: N }, (_, i) => i);
      for (let i = 0; i < N; i += 30) {
        const chunk = order.slice(i, i + 30);
        await bus.publish(TOPIC, [...chunk.map((s) => entry(s)), ...chunk.map((s) => entry(s)), ...chunk.filter((s) => s % 5 === 0).map((s) => entry(s, `again-${s}`))]);
      }
      await bus.publish(TOPIC, order.slice(0, 50).map((s) => entry(s)));
      await waitForLogCursors(pool, [consumer], N, adapter.timeoutMs * 4);

      const { rows } = await pool.query<{ seq: number }>('SELECT seq FROM applied ORDER BY run, seq');
      expect(rows.map((r) => r.seq)).toEqual(order);
      expect(await logCursor(pool, consumer)).toBe(N);
      const inbox = await pool.query('SELECT count(*)::int AS n FROM bus_inbox WHERE consumer = $1', [consumer]);
      expect(inbox.rows[0].n).toBe(0);
      const pending = await pool.query('SELECT count(*)::int AS n FROM bus_log_pending WHERE consumer = $1', [consumer]);
      expect(pending.rows[0].n).toBe(0);
    }, 120_000);
  });
}

describe('log consumer: an entry parked while the next delivery waits for the cursor lock', () => {
  it('is applied by that delivery (the parked flag is read with the row lock, not from an older snapshot)', async () => {
    const pool = createPool(await createTestDatabase(inject('postgresUrl'), 'bus_log_race'));
    const bus = createInProcessBus({ partitions: 4 });
    const consumer = 'test.log.race';
    // Two keys on different partitions: their deliveries run concurrently.
    const keyA = 'a';
    const keyB = ['b', 'c', 'd', 'e', 'f', 'g'].find((k) => partitionOf(k, 4) !== partitionOf(keyA, 4))!;
    const msg = (seq: number, key: string) => ({ key, value: JSON.stringify({ seq }), headers: { 'message-id': `race-${seq}` } });
    let release: () => void = () => {};
    const slow = new Promise<void>((r) => (release = r));
    let started: () => void = () => {};
    const applying = new Promise<void>((r) => (started = r));
    const applied: number[] = [];
    const sub = await consume(pool, bus, 'race', consumer, async (_client, seqs) => {
      for (const seq of seqs) {
        if (seq === 1) {
          // Holds the cursor lock with entry 3 about to be parked, while entry 2 arrives.
          started();
          await slow;
        }
        applied.push(seq);
      }
    });
    try {
      await bus.publish(TOPIC, [msg(0, keyA)]);
      await waitForLogCursors(pool, [consumer], 1, 10_000);
      await bus.publish(TOPIC, [msg(1, keyA), msg(3, keyA)]);
      await applying;
      await bus.publish(TOPIC, [msg(2, keyB)]);
      // Entry 2's delivery is now waiting for the lock (give it time to get there), then 1 and 3 commit.
      await new Promise((r) => setTimeout(r, 300));
      release();
      await waitForLogCursors(pool, [consumer], 4, 10_000);
      expect(applied).toEqual([0, 1, 2, 3]);
    } finally {
      release();
      await sub.stop();
      await bus.close();
      await pool.end();
    }
  }, 60_000);
});
