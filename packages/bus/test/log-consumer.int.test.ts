import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '@milkchain/http';
import { createPool, type Pool, type PoolClient } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { logCursor, startLogConsumer, waitForLogCursors, type Bus, type Delivered, type Subscription } from '../src/index.ts';
import { adapters } from './adapters.ts';
import { freshNamespace } from './helpers.ts';

const TOPIC = 'log';

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
      sub = await startLogConsumer({
        pool,
        bus,
        topic: TOPIC,
        group: 'log-test',
        consumer,
        logger: silentLogger,
        seqOf: (m: Delivered) => (JSON.parse(m.value) as { seq: number }).seq,
        apply: async (client: PoolClient, run: Delivered[]) => {
          runs++;
          for (const m of run) await client.query('INSERT INTO applied (seq, run) VALUES ($1, $2)', [(JSON.parse(m.value) as { seq: number }).seq, runs]);
        },
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
