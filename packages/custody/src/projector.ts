// The read side: every custody service folds the ledger's stream into its own objects. The
// consumer is idempotent (the bus inbox commits the event id with the projection change); the
// service's own events were folded when they were signed, so for them sequencing only changes a
// status. A refusal undoes what a refused event had folded, by refolding the objects it touched.
import { startConsumer, startLogConsumer, TOPICS, type Bus, type Delivered, type Subscription } from '@milkchain/bus';
import { evolve, foldNeeds, touches, type CustodyObject, type Needs, type ServiceName } from '@milkchain/domain';
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

/**
 * Folds a run of foreign entries with the objects kept in memory between them, and writes what
 * changed in two statements at the end (or before any read that needs the database to be
 * current): the same result as loading, evolving and saving each entry in turn, with a few queries per batch
 * instead of four per entry.
 */
class BatchFold {
  /** The current state of every object read or changed in this batch. */
  readonly #objects = new Map<string, CustodyObject>();
  /** Subjects known not to exist in the database (yet). */
  readonly #absent = new Set<string>();
  readonly #dirty = new Set<string>();
  #events: Parameters<CustodyTables['insertEvents']>[1] = [];
  /** Event id → subject, for the events folded in this batch (a later event may name them in `inputs`). */
  readonly #subjectOf = new Map<string, string>();

  constructor(
    readonly client: PoolClient,
    readonly tables: CustodyTables,
  ) {}

  async load(needs: Needs): Promise<Map<string, CustodyObject>> {
    if (needs.animalsOf || needs.descendantsOf || needs.lineageOf) {
      // Graph reads run in the database: it must hold everything folded so far.
      await this.flush();
      const loaded = await this.tables.load(this.client, needs);
      for (const o of loaded.values()) this.#objects.set(o.subject, o);
      return loaded;
    }
    const subjects = new Set(needs.subjects);
    const heads: string[] = [];
    for (const h of needs.heads ?? []) {
      const s = this.#subjectOf.get(h);
      if (s !== undefined) subjects.add(s);
      else heads.push(h);
    }
    const missing = [...subjects].filter((s) => !this.#objects.has(s) && !this.#absent.has(s));
    if (missing.length > 0 || heads.length > 0) {
      const loaded = await this.tables.load(this.client, { subjects: missing, heads });
      for (const o of loaded.values()) {
        if (!this.#objects.has(o.subject)) this.#objects.set(o.subject, o);
        subjects.add(o.subject);
      }
      for (const s of missing) if (!loaded.has(s)) this.#absent.add(s);
    }
    const out = new Map<string, CustodyObject>();
    for (const s of subjects) {
      const o = this.#objects.get(s);
      if (o) out.set(s, o);
    }
    return out;
  }

  /** Reads, in one query, the objects the simple needs of these entries name (graph needs are read when their turn comes). */
  async prefetch(entries: readonly Entry[]): Promise<void> {
    const subjects = new Set<string>();
    const heads = new Set<string>();
    for (const e of entries) {
      const needs = foldNeeds(e.event);
      if (needs.animalsOf || needs.descendantsOf || needs.lineageOf) continue;
      for (const s of needs.subjects) subjects.add(s);
      for (const h of needs.heads ?? []) heads.add(h);
    }
    // Inputs are named by event id: the events' subjects, from the events this service stored.
    const unresolved = [...heads].filter((h) => !this.#subjectOf.has(h));
    if (unresolved.length > 0) {
      const { rows } = await this.client.query<{ id: string; subject: string }>('SELECT id, subject FROM custody_events WHERE service = $1 AND id = ANY($2::text[])', [
        this.tables.service,
        unresolved,
      ]);
      for (const r of rows) {
        this.#subjectOf.set(r.id, r.subject);
        subjects.add(r.subject);
      }
    }
    const wanted = [...subjects].filter((s) => !this.#objects.has(s) && !this.#absent.has(s));
    if (wanted.length === 0) return;
    const loaded = await this.tables.load(this.client, { subjects: wanted });
    for (const o of loaded.values()) if (!this.#objects.has(o.subject)) this.#objects.set(o.subject, o);
    for (const s of wanted) if (!loaded.has(s)) this.#absent.add(s);
  }

  async fold(entry: Entry): Promise<void> {
    const objects = await this.load(foldNeeds(entry.event));
    const touched = touches(entry.event, objects);
    for (const o of evolve(objects, entry.event, entry.id)) {
      this.#objects.set(o.subject, o);
      this.#absent.delete(o.subject);
      this.#dirty.add(o.subject);
    }
    this.#events.push({ id: entry.id, event: entry.event, touched, status: 'sequenced', seq: entry.seq, commandId: null });
    this.#subjectOf.set(entry.id, entry.event.subject);
  }

  async flush(): Promise<void> {
    await this.tables.save(this.client, [...this.#dirty].map((s) => this.#objects.get(s)!));
    await this.tables.insertEvents(this.client, this.#events);
    this.#dirty.clear();
    this.#events = [];
  }

  /** After something else rewrote objects in the database (a refold): read them afresh. */
  forget(): void {
    this.#objects.clear();
    this.#absent.clear();
  }
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
  // The log in log order (startLogConsumer): a fold needs the objects an entry names to have been
  // folded before it, whatever partition each came through.
  const ledger = await startLogConsumer({
    pool,
    bus,
    topic: TOPICS.ledger,
    group: `${service}-projection`,
    consumer: `${service}.ledger`,
    logger,
    seqOf: (msg) => (JSON.parse(msg.value) as Entry).seq,
    apply: async (client: PoolClient, msgs: Delivered[]) => {
      const entries = msgs.map((m) => JSON.parse(m.value) as Entry);
      const own = await tables.eventStatuses(client, entries.map((e) => e.id));
      const batch = new BatchFold(client, tables);
      await batch.prefetch(entries.filter((e) => !own.has(e.id)));
      let sequenced: Array<{ id: string; seq: number }> = [];
      const commands = new Set<string>();
      for (const entry of entries) {
        const mine = own.get(entry.id);
        if (!mine) {
          await batch.fold(entry);
          continue;
        }
        // Own events were folded when they were signed: sequencing changes their status only.
        sequenced.push({ id: entry.id, seq: entry.seq });
        if (mine.commandId) commands.add(mine.commandId);
        if (mine.status === 'refused') {
          // Refused earlier (e.g. waited too long for an input) yet sequenced after all: it stands.
          await batch.flush();
          await tables.markSequencedMany(client, sequenced);
          sequenced = [];
          await refold(client, tables, touches(entry.event, await tables.load(client, foldNeeds(entry.event), false)));
          batch.forget();
        }
      }
      await batch.flush();
      await tables.markSequencedMany(client, sequenced);
      await tables.settleCommands(client, [...commands]);
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
