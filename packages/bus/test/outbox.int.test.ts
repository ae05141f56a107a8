import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '@milkchain/http';
import { createPool, type Pool } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { enqueue, startOutboxRelay, type Bus, type Delivered, type OutboxMessage, type OutboxRelay } from '../src/index.ts';
import { adapters } from './adapters.ts';
import { byKey, capturingLogger, freshNamespace, recorder, waitFor } from './helpers.ts';

const TOPIC = 'outbox';

for (const adapter of adapters()) {
  describe.skipIf(adapter.skip)(`outbox relay on the ${adapter.name}${adapter.skip ? ` (skipped: ${adapter.skip})` : ''}`, () => {
    let pool: Pool;
    let bus: Bus;
    const observed = recorder(); // every message published on the topic, in delivery order
    const relays: OutboxRelay[] = [];

    beforeAll(async () => {
      pool = createPool(await createTestDatabase(inject('postgresUrl'), 'bus_outbox'));
      bus = adapter.make(freshNamespace('outbox'));
      await bus.subscribe({ topic: TOPIC, group: 'observer', fromBeginning: true, handle: observed.handle });
    });
    afterAll(async () => {
      await Promise.all(relays.map((r) => r.stop()));
      await bus?.close();
      await pool?.end();
    });

    const relay = (opts: Partial<Parameters<typeof startOutboxRelay>[0]> & { service: string }) => {
      const r = startOutboxRelay({ pool, bus, logger: silentLogger, retryBackoffMs: 10, pollIntervalMs: 200, ...opts });
      relays.push(r);
      return r;
    };
    const service = () => `svc-${randomBytes(4).toString('hex')}`;
    const row = (svc: string, i: number, key = 'k'): OutboxMessage => ({
      service: svc,
      topic: TOPIC,
      key: `${svc}/${key}`,
      messageId: `${svc}#${i}`,
      value: JSON.stringify({ i }),
    });
    /** Enqueues rows in one transaction that commits, or rolls back. */
    async function inTransaction(rows: OutboxMessage[], outcome: 'COMMIT' | 'ROLLBACK' = 'COMMIT') {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const r of rows) await enqueue(client, r);
        await client.query(outcome);
      } finally {
        client.release();
      }
    }
    const of = (svc: string): Delivered[] => observed.seen.filter((m) => m.headers?.['message-id']?.startsWith(`${svc}#`));
    const ids = (msgs: Delivered[]) => msgs.map((m) => m.headers!['message-id']!);
    const unpublished = async (svc: string) =>
      Number((await pool.query('SELECT count(*) AS n FROM bus_outbox WHERE service = $1 AND published_at IS NULL', [svc])).rows[0].n);

    it('publishes nothing of a rolled-back transaction, and a committed one in order', async () => {
      const svc = service();
      await inTransaction([{ ...row(svc, -1, 'a'), messageId: `${svc}#rolled-back` }], 'ROLLBACK');
      await inTransaction(Array.from({ length: 20 }, (_, i) => row(svc, i, i % 2 ? 'b' : 'a')));
      const r = relay({ service: svc, batchSize: 7 });
      await r.drain();
      await waitFor(() => of(svc).length >= 20, adapter.timeoutMs, '20 published messages');
      const keys = byKey(of(svc));
      expect(keys.get(`${svc}/a`)).toEqual(Array.from({ length: 10 }, (_, j) => JSON.stringify({ i: 2 * j })));
      expect(keys.get(`${svc}/b`)).toEqual(Array.from({ length: 10 }, (_, j) => JSON.stringify({ i: 2 * j + 1 })));
      expect(ids(of(svc))).not.toContain(`${svc}#rolled-back`);
      expect(await unpublished(svc)).toBe(0);
      const stored = await pool.query('SELECT count(*) AS n FROM bus_outbox WHERE service = $1', [svc]);
      expect(Number(stored.rows[0].n)).toBe(20);
    });

    it('loses nothing when a relay stops mid-way and another takes over', async () => {
      const svc = service();
      await inTransaction(Array.from({ length: 30 }, (_, i) => row(svc, i)));
      let calls = 0;
      let stopped: Promise<void> | undefined;
      const first: OutboxRelay = startOutboxRelay({
        pool,
        logger: silentLogger,
        service: svc,
        batchSize: 5,
        bus: {
          ...bus,
          publish: async (topic, messages) => {
            await bus.publish(topic, messages);
            if (++calls === 2) stopped = first.stop(); // stop while a pass is under way
          },
        },
      });
      await waitFor(() => stopped !== undefined, adapter.timeoutMs, 'the second publish');
      await stopped;
      const left = await unpublished(svc);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(30);
      await relay({ service: svc, batchSize: 5 }).drain();
      await waitFor(() => of(svc).length >= 30, adapter.timeoutMs, '30 published messages');
      expect(ids(of(svc))).toEqual(Array.from({ length: 30 }, (_, i) => `${svc}#${i}`));
    });

    it('retries broker errors, and publishes again what the broker took before the relay could mark it', async () => {
      const svc = service();
      await inTransaction(Array.from({ length: 10 }, (_, i) => row(svc, i)));
      const log = capturingLogger();
      let calls = 0;
      const flaky: Bus = {
        ...bus,
        publish: async (topic, messages) => {
          calls++;
          if (calls === 1) throw new Error('broker unreachable');
          await bus.publish(topic, messages);
          if (calls === 2) throw new Error('connection lost after the broker acknowledged');
        },
      };
      const r = relay({ service: svc, bus: flaky, logger: log.logger });
      await r.drain();
      await waitFor(() => of(svc).length >= 20, adapter.timeoutMs, 'the messages twice');
      const expected = Array.from({ length: 10 }, (_, i) => `${svc}#${i}`);
      expect(ids(of(svc))).toEqual([...expected, ...expected]);
      expect(calls).toBe(3);
      expect(log.lines.filter((l) => l.level === 'error').map((l) => l.fields?.error)).toEqual([
        'broker unreachable',
        'connection lost after the broker acknowledged',
      ]);
    });

    it('never lets two relays of one service publish at the same time, and publishes each row once', async () => {
      const svc = service();
      let inFlight = 0;
      let most = 0;
      const watched: Bus = {
        ...bus,
        publish: async (topic, messages) => {
          most = Math.max(most, ++inFlight);
          try {
            await bus.publish(topic, messages);
            await new Promise((r) => setTimeout(r, 5)); // widen the window a second relay would need
          } finally {
            inFlight--;
          }
        },
      };
      const a = relay({ service: svc, bus: watched, batchSize: 3, pollIntervalMs: 20 });
      const b = relay({ service: svc, bus: watched, batchSize: 3, pollIntervalMs: 20 });
      for (let i = 0; i < 40; i++) await inTransaction([row(svc, i)]);
      await Promise.all([a.drain(), b.drain()]);
      await waitFor(() => of(svc).length >= 40, adapter.timeoutMs, '40 published messages');
      expect(most).toBe(1);
      expect(ids(of(svc))).toEqual(Array.from({ length: 40 }, (_, i) => `${svc}#${i}`));
    });

    it('wakes on the commit, without waiting for its slow poll', async () => {
      const svc = service();
      relay({ service: svc, pollIntervalMs: 600_000 });
      await inTransaction([row(svc, 0)]);
      await waitFor(() => of(svc).length === 1, adapter.timeoutMs, 'the first message');
      // Once the first row is marked, the relay's pass is over and it waits for a wake-up: only
      // the notification of the next commit can bring it back before the poll.
      await waitFor(async () => (await unpublished(svc)) === 0, adapter.timeoutMs, 'the first row marked');
      await inTransaction([row(svc, 1)]);
      await waitFor(() => of(svc).length === 2, adapter.timeoutMs, 'the second message');
      expect(ids(of(svc))).toEqual([`${svc}#0`, `${svc}#1`]);
    });
  });
}
