// The read side: every custody service folds the ledger's stream into its own objects. The
// consumer is idempotent (the bus inbox commits the event id with the projection change); the
// service's own events were folded when they were signed, so for them sequencing only changes a
// status. A refusal undoes what a refused event had folded, by refolding the objects it touched.
import { startConsumer, TOPICS, type Bus, type Delivered, type Subscription } from '@milkchain/bus';
import { evolve, foldNeeds, touches, type CustodyObject, type ServiceName } from '@milkchain/domain';
import type { Logger } from '@milkchain/http';
import type { LedgerEvent } from '@milkchain/ledger';
import type { Pool, PoolClient } from '@milkchain/store';
import type { CustodyTables } from './store.ts';

export interface ProjectorDeps {
  service: ServiceName;
  pool: Pool;
  bus: Bus;
  tables: CustodyTables;
  logger: Logger;
}

interface Entry {
  seq: number;
  id: string;
  event: LedgerEvent;
}

interface RefusalMessage {
  ids: string[];
  problem: Record<string, unknown>;
}

async function foldForeign(client: PoolClient, tables: CustodyTables, entry: Entry): Promise<void> {
  const objects = await tables.load(client, foldNeeds(entry.event));
  const touched = touches(entry.event, objects);
  const changed = evolve(objects, entry.event, entry.id);
  await tables.save(client, changed);
  await tables.insertEvents(client, [{ id: entry.id, event: entry.event, touched, status: 'sequenced', seq: entry.seq, commandId: null }]);
}

/** Rebuilds the objects of `subjects` from the events that still stand. */
export async function refold(client: PoolClient, tables: CustodyTables, subjects: string[]): Promise<void> {
  const events = await tables.standingEventsTouching(client, subjects);
  const wanted = new Set(subjects);
  // Objects outside the set keep their current state and are only read.
  const outside = new Set(events.flatMap((e) => e.touched).filter((s) => !wanted.has(s)));
  const context = await tables.load(client, { subjects: [...outside] }, false);
  await tables.deleteObjects(client, subjects);
  const objects = new Map<string, CustodyObject>(context);
  for (const e of events) for (const o of evolve(objects, e.event, e.id)) objects.set(o.subject, o);
  await tables.save(
    client,
    [...objects.values()].filter((o) => wanted.has(o.subject)),
  );
}

export async function startProjector(deps: ProjectorDeps): Promise<Subscription[]> {
  const { service, pool, bus, tables, logger } = deps;
  const ledger = await startConsumer({
    pool,
    bus,
    topic: TOPICS.ledger,
    group: `${service}-projection`,
    consumer: `${service}.ledger`,
    logger,
    handle: async (client: PoolClient, msg: Delivered) => {
      const entry = JSON.parse(msg.value) as Entry;
      const own = await tables.eventStatus(client, entry.id);
      if (!own) {
        await foldForeign(client, tables, entry);
        return;
      }
      await tables.markSequenced(client, entry.id, entry.seq);
      if (own.status === 'refused') {
        // Refused earlier (e.g. waited too long for an input) yet sequenced after all: it stands.
        await refold(client, tables, touches(entry.event, await tables.load(client, foldNeeds(entry.event), false)));
      }
      if (own.commandId) await tables.settleCommand(client, own.commandId);
    },
  });
  const refusals = await startConsumer({
    pool,
    bus,
    topic: TOPICS.refusals,
    group: `${service}-refusals`,
    consumer: `${service}.refusals`,
    logger,
    handle: async (client: PoolClient, msg: Delivered) => {
      const refusal = JSON.parse(msg.value) as RefusalMessage;
      const refused = await tables.markRefused(client, refusal.ids);
      if (refused.length === 0) return; // not ours, or already settled
      const touched = new Set<string>();
      const commands = new Set<string>();
      for (const id of refused) {
        const { rows } = await client.query<{ touched: string[]; command_id: string | null }>(
          'SELECT touched, command_id FROM custody_events WHERE service = $1 AND id = $2',
          [service, id],
        );
        for (const s of rows[0]?.touched ?? []) touched.add(s);
        if (rows[0]?.command_id) commands.add(rows[0].command_id);
      }
      for (const c of commands) await tables.refuseCommand(client, c, refusal.problem);
      await refold(client, tables, [...touched]);
      logger.warn('own events refused by the ledger', { ids: refused, code: refusal.problem.code });
    },
  });
  return [ledger, refusals];
}
