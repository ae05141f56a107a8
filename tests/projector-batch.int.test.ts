import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createInProcessBus, TOPICS, type Bus, type Subscription } from '@milkchain/bus';
import { CustodyTables, startProjector } from '@milkchain/custody';
import { evolve, foldNeeds, touches, type CustodyObject } from '@milkchain/domain';
import { silentLogger } from '@milkchain/http';
import { demoWorld, loadNeeds, simulate, worldOrgRoles, type SimulatedEvent } from '@milkchain/seeds';
import { createPool, type Pool } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';

/**
 * The projector folds the ledger's stream a batch at a time (one transaction, objects kept in
 * memory between entries), in log order whatever partition an entry came through. Whatever the
 * batching and the interleaving, it must end where folding one entry at a time in log order ends:
 * here the truth is the demo world's events folded in memory with `evolve`, entry by entry.
 */
let pool: Pool;
let bus: Bus;
let subs: Subscription[] = [];
let events: SimulatedEvent[];
const tables = new CustodyTables('processor');

beforeAll(async () => {
  pool = createPool(await createTestDatabase(inject('postgresUrl'), 'projector_batch'));
  // Four partitions keyed by subject: entries of different subjects arrive out of log order.
  bus = createInProcessBus({ partitions: 4, maxBatch: 250 });
  events = simulate(demoWorld({ days: 6 }), worldOrgRoles());
}, 120_000);

afterAll(async () => {
  for (const s of subs) await s.stop();
  await bus?.close();
  await pool?.end();
});

async function publish(from: number, to: number) {
  for (let i = from; i < to; i += 400) {
    await bus.publish(
      TOPICS.ledger,
      events.slice(i, Math.min(i + 400, to)).map(({ id, event }, j) => ({ key: event.subject, value: JSON.stringify({ seq: i + j, id, event, signature: 'x' }), headers: { 'message-id': id } })),
    );
  }
}

async function untilFolded(n: number) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(`SELECT next_seq AS n FROM bus_log_cursor WHERE consumer = 'processor.ledger'`);
    if (Number(rows[0]?.n ?? 0) === n) return;
    if (Date.now() > deadline) throw new Error(`the projector folded ${rows[0]?.n ?? 0} of ${n} entries in 120 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('folds the interleaved stream in log order, in batches, to the same objects as folding entry by entry, and settles its own command', async () => {
  const truth = new Map<string, CustodyObject>();
  for (const { id, event } of events) for (const o of evolve(loadNeeds(truth, foldNeeds(event)), event, id)) truth.set(o.subject, o);

  subs = await startProjector({ service: 'processor', pool, bus, tables, logger: silentLogger });
  // Up to one of the processor's own events: the stream so far is folded first.
  const ownIndex = events.findIndex((e) => e.event.kind === 'batch.produced');
  expect(ownIndex).toBeGreaterThan(100);
  await publish(0, ownIndex);
  await untilFolded(ownIndex);

  // The write path records the own event (pending, folded, with its command), as the pipeline does.
  const own = events[ownIndex]!;
  const commandId = '7d1c2a9e-5b8f-4c1e-9a7d-2f3b4c5d6e7f';
  const objects = await tables.load(pool, foldNeeds(own.event), false);
  await tables.save(pool, evolve(objects, own.event, own.id));
  await tables.insertEvents(pool, [{ id: own.id, event: own.event, touched: touches(own.event, objects), status: 'pending', seq: null, commandId }]);
  await tables.insertCommand(pool, { id: commandId, name: 'batch.produce', org: own.event.org, eventIds: [own.id] });
  expect((await tables.command(pool, commandId))?.status).toBe('accepted');

  await publish(ownIndex, events.length);
  await untilFolded(events.length);

  const { rows: evs } = await pool.query<{ n: number; pending: number }>(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE status <> 'sequenced')::int AS pending FROM custody_events WHERE service = 'processor'`,
  );
  expect(evs[0]).toEqual({ n: events.length, pending: 0 });
  const { rows } = await pool.query<{ subject: string; state: CustodyObject }>(`SELECT subject, state FROM custody_objects WHERE service = 'processor'`);
  const stored = new Map(rows.map((r) => [r.subject, r.state]));
  expect([...stored.keys()].sort()).toEqual([...truth.keys()].sort());
  for (const [subject, o] of truth) expect(stored.get(subject), subject).toEqual(JSON.parse(JSON.stringify(o)));
  expect((await tables.command(pool, commandId))?.status).toBe('sequenced');
  // Nothing is left waiting for a gap.
  const pending = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM bus_log_pending WHERE consumer = 'processor.ledger'`);
  expect(pending.rows[0]!.n).toBe(0);
}, 180_000);
