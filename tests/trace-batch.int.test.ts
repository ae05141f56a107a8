import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createInProcessBus, TOPICS, type Bus, type Subscription } from '@milkchain/bus';
import { silentLogger } from '@milkchain/http';
import { demoWorld, simulate, worldOrgRoles, type SimulatedEvent } from '@milkchain/seeds';
import { createPool, type Pool } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { applyEntry, startTraceProjector, waitProjected } from '@milkchain/trace-service';

/**
 * The lineage projection folds a run of the log at a time (applyEntries: nodes kept in memory
 * across the run, a few statements per run), delivered over four partitions so runs start and end
 * anywhere. Its tables must end exactly where folding one entry at a time (applyEntry, one
 * transaction each, in log order) ends: every event row, every node with its state, every edge.
 */
let batched: Pool;
let single: Pool;
let bus: Bus;
let subs: Subscription | undefined;
let events: SimulatedEvent[];

beforeAll(async () => {
  batched = createPool(await createTestDatabase(inject('postgresUrl'), 'trace_batch'));
  single = createPool(await createTestDatabase(inject('postgresUrl'), 'trace_single'));
  bus = createInProcessBus({ partitions: 4, maxBatch: 250 });
  events = simulate(demoWorld({ days: 6 }), worldOrgRoles());
}, 120_000);

afterAll(async () => {
  await subs?.stop();
  await bus?.close();
  await batched?.end();
  await single?.end();
});

const entryOf = (e: SimulatedEvent, seq: number) => ({ seq, id: e.id, event: e.event });

async function tables(pool: Pool) {
  const q = async (sql: string) => (await pool.query(sql)).rows;
  return {
    events: await q('SELECT id, seq, subject, kind, org, occurred_at, data FROM trace_events ORDER BY seq'),
    nodes: await q(`SELECT subject, type, org, head, head_seq, created_at, updated_at, product, species, gtin, lot, quantity, unit,
                           production_date, best_before, holders, status, recalled, state FROM trace_nodes ORDER BY subject`),
    edges: await q('SELECT event_id, ord, child, parent, parent_event, rel, quantity, unit FROM trace_edges ORDER BY event_id, ord'),
  };
}

it('folds the interleaved stream in runs to the same tables as folding entry by entry', async () => {
  // The truth: one entry per transaction, in log order.
  for (const [seq, e] of events.entries()) {
    const client = await single.connect();
    try {
      await client.query('BEGIN');
      await applyEntry(client, entryOf(e, seq));
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  subs = await startTraceProjector({ pool: batched, bus, logger: silentLogger });
  for (let i = 0; i < events.length; i += 400) {
    await bus.publish(
      TOPICS.ledger,
      events.slice(i, i + 400).map((e, j) => ({ key: e.event.subject, value: JSON.stringify({ ...entryOf(e, i + j), signature: 'x' }), headers: { 'message-id': e.id } })),
    );
  }
  await waitProjected(batched, events.length, 120_000);

  const want = await tables(single);
  const got = await tables(batched);
  expect(want.events.length).toBe(events.length);
  expect(want.nodes.length).toBeGreaterThan(100);
  expect(want.edges.some((e) => e.parent === null)).toBe(false);
  expect(got.events).toEqual(want.events);
  expect(got.edges).toEqual(want.edges);
  expect(got.nodes.length).toBe(want.nodes.length);
  for (const [i, n] of want.nodes.entries()) expect(got.nodes[i], String(n.subject)).toEqual(n);
}, 300_000);
