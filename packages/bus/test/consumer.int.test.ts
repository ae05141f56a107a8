import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { problemHandler, silentLogger } from '@milkchain/http';
import { createPool, type Pool, type PoolClient } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import {
  deadLettersRouter,
  listDeadLetters,
  PermanentError,
  replayDeadLetter,
  resolveDeadLetter,
  startConsumer,
  type Bus,
  type DeadLetter,
  type Delivered,
  type Subscription,
} from '../src/index.ts';
import { adapters } from './adapters.ts';
import { capturingLogger, freshNamespace, waitFor } from './helpers.ts';

const TOPIC = 'work';
const CONSUMER = 'test.projection';

/** What a test message asks of the handler. */
interface Order {
  id: string;
  /** Fail the first n attempts. */
  failTimes?: number;
  /** Fail every attempt (until healed). */
  poison?: boolean;
  /** Throw PermanentError (until healed). */
  permanent?: boolean;
}

for (const adapter of adapters()) {
  describe.skipIf(adapter.skip)(`idempotent consumer on the ${adapter.name}${adapter.skip ? ` (skipped: ${adapter.skip})` : ''}`, () => {
    let pool: Pool;
    let bus: Bus;
    let consumer: Subscription;
    let server: Server;
    let base: string;
    const log = capturingLogger();
    const attempts = new Map<string, number>();
    const healed = new Set<string>();

    beforeAll(async () => {
      pool = createPool(await createTestDatabase(inject('postgresUrl'), 'bus_consumer'));
      await pool.query('CREATE TABLE applied (id text NOT NULL, attempt int NOT NULL)');
      bus = adapter.make(freshNamespace('consumer'));
      consumer = await startConsumer({
        pool,
        bus,
        topic: TOPIC,
        group: 'projection',
        consumer: CONSUMER,
        maxAttempts: 3,
        backoffMs: 10,
        logger: log.logger,
        handle: async (client: PoolClient, msg: Delivered) => {
          const order = JSON.parse(msg.value) as Order;
          const attempt = (attempts.get(order.id) ?? 0) + 1;
          attempts.set(order.id, attempt);
          // Written before the failure, so a rollback that did not happen would show.
          await client.query('INSERT INTO applied (id, attempt) VALUES ($1, $2)', [order.id, attempt]);
          if (healed.has(order.id)) return;
          if (order.permanent) throw new PermanentError(`order ${order.id} can never apply`);
          if (order.poison) throw new Error(`order ${order.id} is poison`);
          if (order.failTimes !== undefined && attempt <= order.failTimes) throw new Error(`attempt ${attempt} of ${order.id} fails`);
        },
      });
      const app = express().use('/dead-letters', deadLettersRouter({ pool, bus }), problemHandler({ logger: silentLogger }));
      server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dead-letters`;
    });
    afterAll(async () => {
      await consumer?.stop();
      await bus?.close();
      await new Promise((r) => server?.close(r));
      await pool?.end();
    });

    const fresh = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;
    const send = (key: string, ...orders: Order[]) =>
      bus.publish(TOPIC, orders.map((o) => ({ key, value: JSON.stringify(o), headers: { 'message-id': o.id } })));
    const appliedRows = async (id: string) =>
      (await pool.query<{ attempt: number }>('SELECT attempt FROM applied WHERE id = $1 ORDER BY attempt', [id])).rows.map((r) => r.attempt);
    /** The marker comes after the others on the same key, so once it is applied they were all handled. */
    const untilApplied = (id: string) => waitFor(async () => (await appliedRows(id)).length > 0, adapter.timeoutMs, `${id} applied`);
    const deadLetterOf = async (id: string): Promise<DeadLetter | undefined> =>
      (await listDeadLetters(pool, { consumer: CONSUMER, includeResolved: true, limit: 1000 })).find((d) => d.messageId === id);

    it('applies a message delivered twice once', async () => {
      const key = fresh('lot');
      const twice = { id: fresh('twice') };
      const marker = { id: fresh('marker') };
      await send(key, twice);
      await send(key, twice, marker);
      await untilApplied(marker.id);
      expect(await appliedRows(twice.id)).toEqual([1]);
      expect(attempts.get(twice.id)).toBe(1);
      const inbox = await pool.query('SELECT 1 FROM bus_inbox WHERE consumer = $1 AND message_id = $2', [CONSUMER, twice.id]);
      expect(inbox.rowCount).toBe(1);
    });

    it('retries a handler that fails twice, keeps the order of its key, and applies it once', async () => {
      const key = fresh('lot');
      const flaky = { id: fresh('flaky'), failTimes: 2 };
      const next = { id: fresh('next') };
      await send(key, flaky, next);
      await untilApplied(next.id);
      expect(await appliedRows(flaky.id)).toEqual([3]);
      expect(attempts.get(flaky.id)).toBe(3);
      expect(await deadLetterOf(flaky.id)).toBeUndefined();
      expect(log.lines.filter((l) => l.level === 'warn' && l.fields?.messageId === flaky.id)).toHaveLength(2);
    });

    it('dead-letters a poison message after maxAttempts and goes on with the next one', async () => {
      const key = fresh('lot');
      const poison = { id: fresh('poison'), poison: true };
      const next = { id: fresh('next') };
      await send(key, poison, next);
      await untilApplied(next.id);
      expect(await appliedRows(poison.id)).toEqual([]);
      expect(attempts.get(poison.id)).toBe(3);
      const dl = await deadLetterOf(poison.id);
      expect(dl).toMatchObject({ consumer: CONSUMER, topic: TOPIC, key, attempts: 3, resolvedAt: null, value: JSON.stringify(poison) });
      expect(dl!.error).toContain('is poison');
      expect(log.lines.some((l) => l.level === 'error' && l.message === 'message dead-lettered' && l.fields?.messageId === poison.id)).toBe(true);
    });

    it('dead-letters a PermanentError at once, and replayDeadLetter publishes it again for the consumer to apply', async () => {
      const key = fresh('lot');
      const bad = { id: fresh('permanent'), permanent: true };
      const next = { id: fresh('next') };
      await send(key, bad, next);
      await untilApplied(next.id);
      expect(attempts.get(bad.id)).toBe(1);
      const dl = await deadLetterOf(bad.id);
      expect(dl).toMatchObject({ attempts: 1 });
      expect(dl!.error).toContain('PermanentError');

      healed.add(bad.id);
      expect(await replayDeadLetter(pool, bus, dl!.id)).toBe(true);
      await untilApplied(bad.id);
      expect(await appliedRows(bad.id)).toEqual([2]);
      expect((await deadLetterOf(bad.id))!.resolvedAt).not.toBeNull();
      expect(await replayDeadLetter(pool, bus, dl!.id)).toBe(false);
      expect(await resolveDeadLetter(pool, dl!.id)).toBe(false);
    });

    it('serves the open dead letters over HTTP, replays one, and answers 404 for one that is not open', async () => {
      const key = fresh('lot');
      const poison = { id: fresh('poison'), poison: true };
      const other = { id: fresh('other'), permanent: true };
      await send(key, poison, other);
      await waitFor(async () => (await deadLetterOf(other.id)) !== undefined, adapter.timeoutMs, 'two dead letters');

      const listed = (await (await fetch(`${base}?consumer=${CONSUMER}&limit=1000`)).json()) as { deadLetters: DeadLetter[] };
      const dl = listed.deadLetters.find((d) => d.messageId === poison.id);
      expect(dl).toMatchObject({ key, attempts: 3, resolvedAt: null });

      healed.add(poison.id);
      const replay = await fetch(`${base}/${dl!.id}/replay`, { method: 'POST' });
      expect(replay.status).toBe(200);
      expect(await replay.json()).toEqual({ id: dl!.id, status: 'replayed' });
      await untilApplied(poison.id);
      expect(await appliedRows(poison.id)).toEqual([4]);

      const otherDl = await deadLetterOf(other.id);
      const resolve = await fetch(`${base}/${otherDl!.id}/resolve`, { method: 'POST' });
      expect(resolve.status).toBe(200);

      const after = (await (await fetch(`${base}?consumer=${CONSUMER}&limit=1000`)).json()) as { deadLetters: DeadLetter[] };
      expect(after.deadLetters.map((d) => d.messageId)).not.toContain(poison.id);
      expect(after.deadLetters.map((d) => d.messageId)).not.toContain(other.id);

      const again = await fetch(`${base}/${dl!.id}/replay`, { method: 'POST' });
      expect(again.status).toBe(404);
      expect(again.headers.get('content-type')).toContain('application/problem+json');
      expect(((await again.json()) as { code: string }).code).toBe('NOT_FOUND');

      const bad = await fetch(`${base}?limit=0`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { problems: Array<{ path: string }> }).problems[0]!.path).toBe('limit');
    });
  });
}

for (const adapter of adapters()) {
  describe.skipIf(adapter.skip)(`batched idempotent consumer on the ${adapter.name}${adapter.skip ? ` (skipped: ${adapter.skip})` : ''}`, () => {
    const BATCH_CONSUMER = 'test.batched';
    let pool: Pool;
    let bus: Bus;
    let consumer: Subscription;
    const log = capturingLogger();
    /** Sizes of the batches handleBatch was called with. */
    const batchCalls: number[] = [];
    const singleCalls: string[] = [];

    beforeAll(async () => {
      pool = createPool(await createTestDatabase(inject('postgresUrl'), 'bus_batched'));
      await pool.query('CREATE TABLE applied (id text NOT NULL, via text NOT NULL)');
      bus = adapter.make(freshNamespace('batched'));
      const apply = async (client: PoolClient, orders: Order[], via: string) => {
        // Written before the failure, so a rollback that did not happen would show.
        await client.query('INSERT INTO applied (id, via) SELECT unnest($1::text[]), $2', [orders.map((o) => o.id), via]);
        const bad = orders.find((o) => o.poison || o.permanent);
        if (bad?.permanent) throw new PermanentError(`order ${bad.id} can never apply`);
        if (bad) throw new Error(`order ${bad.id} is poison`);
      };
      consumer = await startConsumer({
        pool,
        bus,
        topic: TOPIC,
        group: 'batched',
        consumer: BATCH_CONSUMER,
        maxAttempts: 2,
        backoffMs: 10,
        logger: log.logger,
        handle: async (client, msg) => {
          const order = JSON.parse(msg.value) as Order;
          singleCalls.push(order.id);
          await apply(client, [order], 'one');
        },
        handleBatch: async (client, msgs) => {
          batchCalls.push(msgs.length);
          await apply(client, msgs.map((m) => JSON.parse(m.value) as Order), 'batch');
        },
      });
    });
    afterAll(async () => {
      await consumer?.stop();
      await bus?.close();
      await pool?.end();
    });

    const fresh = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;
    const send = (key: string, ...orders: Order[]) =>
      bus.publish(TOPIC, orders.map((o) => ({ key, value: JSON.stringify(o), headers: { 'message-id': o.id } })));
    const rows = async (ids: string[]) =>
      (await pool.query<{ id: string; via: string }>('SELECT id, via FROM applied WHERE id = ANY($1::text[]) ORDER BY id, via', [ids])).rows;
    const untilApplied = (id: string) => waitFor(async () => (await rows([id])).length > 0, adapter.timeoutMs, `${id} applied`);

    it('applies a published batch in one transaction, each message once, duplicates within the batch included', async () => {
      const key = fresh('lot');
      const orders = Array.from({ length: 40 }, () => ({ id: fresh('o') }));
      const before = batchCalls.length;
      // The 5th order appears twice in the same publish: one copy is applied.
      await send(key, ...orders.slice(0, 5), orders[4]!, ...orders.slice(5));
      await untilApplied(orders.at(-1)!.id);
      const applied = await rows(orders.map((o) => o.id));
      expect(applied.map((r) => r.id).sort()).toEqual(orders.map((o) => o.id).sort());
      expect(batchCalls.slice(before).some((n) => n > 1)).toBe(true);
      const inbox = await pool.query('SELECT count(*)::int AS n FROM bus_inbox WHERE consumer = $1 AND message_id = ANY($2::text[])', [BATCH_CONSUMER, orders.map((o) => o.id)]);
      expect(inbox.rows[0].n).toBe(40);
      // A redelivery of the whole batch finds every id in the inbox and changes nothing.
      await send(key, ...orders, { id: fresh('marker') });
      const marker = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM applied')).rows[0]!.n;
      await waitFor(async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM applied')).rows[0]!.n === marker + 1, adapter.timeoutMs, 'marker applied');
      expect((await rows(orders.map((o) => o.id))).length).toBe(40);
    });

    it('rolls a failing batch back whole and falls back to one message per transaction: the good ones once, the bad one dead-lettered', async () => {
      const key = fresh('lot');
      const good1 = { id: fresh('good') };
      const poison = { id: fresh('poison'), poison: true };
      const good2 = { id: fresh('good') };
      await send(key, good1, poison, good2);
      await untilApplied(good2.id);
      const applied = await rows([good1.id, poison.id, good2.id]);
      // No row from the failed batch survives; the good ones came through the single path once each.
      expect(applied).toEqual(
        [
          { id: good1.id, via: 'one' },
          { id: good2.id, via: 'one' },
        ].sort((a, b) => a.id.localeCompare(b.id)),
      );
      expect(singleCalls.filter((id) => id === poison.id)).toHaveLength(2);
      const dl = (await listDeadLetters(pool, { consumer: BATCH_CONSUMER, limit: 100 })).find((d) => d.messageId === poison.id);
      expect(dl).toMatchObject({ attempts: 2 });
      expect(log.lines.some((l) => l.level === 'warn' && l.message.startsWith('batch handler failed'))).toBe(true);
    });
  });
}
