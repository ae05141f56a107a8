// SQL over the custody tables (prisma/migrations/20261123130000_custody). Every statement is
// scoped to one service: the rows of the others are never read or written.
import type { CustodyObject, Needs, ServiceName } from '@milkchain/domain';
import type { LedgerEvent } from '@milkchain/ledger';
import type { PoolClient } from '@milkchain/store';
import pg from 'pg';

const { escapeLiteral } = pg;

type Queryable = Pick<PoolClient, 'query'>;

export type EventStatus = 'pending' | 'sequenced' | 'refused';
export type CommandStatus = 'accepted' | 'sequenced' | 'refused';

export interface CommandRecord {
  id: string;
  name: string;
  org: string;
  status: CommandStatus;
  eventIds: string[];
  problem: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
}

export type EventRow = { id: string; event: LedgerEvent; touched: string[]; status: EventStatus; seq: number | null; commandId: string | null };

/** Inserts the rows of the JSON recordset parameter `param` ($1 is the service). */
const insertEventsSql = (param: string) => `INSERT INTO custody_events (service, id, subject, kind, org, touched, seq, status, command_id, event)
       SELECT $1, x.id, x.subject, x.kind, x.org, x.touched, x.seq, x.status, x.command_id, x.event
         FROM jsonb_to_recordset(${param}::jsonb) AS x(id text, subject text, kind text, org text, touched text[], seq bigint, status text, command_id uuid, event jsonb)
       ON CONFLICT (service, id) DO NOTHING`;

const eventRows = (events: EventRow[]) =>
  JSON.stringify(
    events.map((e) => ({
      id: e.id,
      subject: e.event.subject,
      kind: e.event.kind,
      org: e.event.org,
      touched: e.touched,
      seq: e.seq,
      status: e.status,
      command_id: e.commandId,
      event: e.event,
    })),
  );

/** Upserts the objects of the JSON recordset parameter `param` ($1 is the service). */
const saveObjectsSql = (param: string) => `INSERT INTO custody_objects (service, subject, type, org, status, head, from_subjects, holders, state, updated_at)
       SELECT $1, x.subject, x.type, x.org, x.status, x.head, x.from_subjects, x.holders, x.state, now()
         FROM jsonb_to_recordset(${param}::jsonb) AS x(subject text, type text, org text, status text, head text, from_subjects text[], holders text[], state jsonb)
       ON CONFLICT (service, subject) DO UPDATE SET
         type = EXCLUDED.type, org = EXCLUDED.org, status = EXCLUDED.status, head = EXCLUDED.head,
         from_subjects = EXCLUDED.from_subjects, holders = EXCLUDED.holders, state = EXCLUDED.state, updated_at = now()`;

const objectRows = (list: CustodyObject[]) =>
  JSON.stringify(list.map((o) => ({ subject: o.subject, type: o.type, org: o.org, status: o.status, head: o.head, from_subjects: o.from, holders: holdersOf(o), state: o })));

const holdersOf = (o: CustodyObject) => Object.entries(o.holdings).filter(([, q]) => q > 0).map(([org]) => org);

export class CustodyTables {
  constructor(readonly service: ServiceName) {}

  /**
   * Begins a transaction that holds the organisation's lock in this service: one organisation's
   * writes are serialised (custody decisions read, then write). BEGIN and the lock go in one
   * round trip (two statements in one simple query, so the key is an escaped literal).
   */
  async beginLocked(db: Queryable, org: string): Promise<void> {
    await db.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtextextended(${escapeLiteral(`custody:${this.service}:${org}`)}, 0))`);
  }

  /** Loads what a decider asked for, locked for update (the write path folds into them). */
  async load(db: Queryable, needs: Needs, forUpdate = true): Promise<Map<string, CustodyObject>> {
    const lock = forUpdate ? ' FOR UPDATE' : '';
    const out = new Map<string, CustodyObject>();
    const add = (rows: Array<{ state: CustodyObject }>) => rows.forEach((r) => out.set(r.state.subject, r.state));
    const s = this.service;
    if (needs.subjects.length > 0 && needs.animalsOf) {
      // Both in one statement (a collection names its subject and needs the herd).
      add(
        (
          await db.query(
            `SELECT state FROM custody_objects WHERE service = $1 AND (subject = ANY($2::text[]) OR (type = 'animal' AND org = $3)) ORDER BY subject${lock}`,
            [s, needs.subjects, needs.animalsOf.org],
          )
        ).rows,
      );
    } else if (needs.subjects.length > 0) {
      add((await db.query(`SELECT state FROM custody_objects WHERE service = $1 AND subject = ANY($2::text[]) ORDER BY subject${lock}`, [s, needs.subjects])).rows);
    }
    if (needs.heads && needs.heads.length > 0) {
      // Objects named by an event id (an event's inputs): the subject of that event, whether or
      // not it is still the object's latest.
      add(
        (
          await db.query(
            `SELECT o.state FROM custody_objects o
              WHERE o.service = $1
                AND (o.head = ANY($2::text[])
                     OR o.subject IN (SELECT e.subject FROM custody_events e WHERE e.service = $1 AND e.id = ANY($2::text[])))
              ORDER BY o.subject${lock}`,
            [s, needs.heads],
          )
        ).rows,
      );
    }
    if (needs.animalsOf && needs.subjects.length === 0) {
      add((await db.query(`SELECT state FROM custody_objects WHERE service = $1 AND type = 'animal' AND org = $2 ORDER BY subject${lock}`, [s, needs.animalsOf.org])).rows);
    }
    if (needs.descendantsOf) {
      add(
        (
          await db.query(
            `WITH RECURSIVE d(subject) AS (
               SELECT subject FROM custody_objects WHERE service = $1 AND from_subjects @> ARRAY[$2::text]
               UNION
               SELECT o.subject FROM custody_objects o JOIN d ON o.from_subjects @> ARRAY[d.subject] WHERE o.service = $1)
             SELECT state FROM custody_objects WHERE service = $1 AND subject IN (SELECT subject FROM d) ORDER BY subject${lock}`,
            [s, needs.descendantsOf],
          )
        ).rows,
      );
    }
    if (needs.lineageOf) {
      add(
        (
          await db.query(
            `WITH RECURSIVE a(subject) AS (
               SELECT $2::text
               UNION
               SELECT unnest(o.from_subjects) FROM custody_objects o JOIN a ON o.subject = a.subject WHERE o.service = $1)
             SELECT state FROM custody_objects
              WHERE service = $1
                AND (subject IN (SELECT subject FROM a)
                     OR (type = 'sample' AND from_subjects && (SELECT array_agg(subject) FROM a)))
              ORDER BY subject${lock}`,
            [s, needs.lineageOf],
          )
        ).rows,
      );
    }
    return out;
  }

  async save(db: Queryable, objects: Iterable<CustodyObject>): Promise<void> {
    const list = [...objects];
    if (list.length === 0) return;
    await db.query(saveObjectsSql('$2'), [this.service, objectRows(list)]);
  }

  async insertEvents(db: Queryable, events: EventRow[]): Promise<void> {
    if (events.length === 0) return;
    await db.query(insertEventsSql('$2'), [this.service, eventRows(events)]);
  }

  /**
   * What the write path stores for one request, in one statement: its events (pending), the
   * objects they changed, and the command. The same rows as insertEvents, save and insertCommand.
   */
  async recordCommand(db: Queryable, c: { events: EventRow[]; objects: Iterable<CustodyObject>; command: { id: string; name: string; org: string; eventIds: string[] } }): Promise<void> {
    await db.query(
      `WITH events AS (${insertEventsSql('$2')}),
            objects AS (${saveObjectsSql('$3')})
       INSERT INTO custody_commands (service, id, name, org, status, event_ids) VALUES ($1, $4, $5, $6, 'accepted', $7)`,
      [this.service, eventRows(c.events), objectRows([...c.objects]), c.command.id, c.command.name, c.command.org, c.command.eventIds],
    );
  }

  /** The latest of this service's own unsequenced events on each subject: those are newer than anything the ledger has. */
  async pendingHeads(db: Queryable, subjects: string[]): Promise<Map<string, string>> {
    if (subjects.length === 0) return new Map();
    const { rows } = await db.query<{ subject: string; id: string }>(
      `SELECT DISTINCT ON (subject) subject, id FROM custody_events
        WHERE service = $1 AND subject = ANY($2::text[]) AND status = 'pending'
        ORDER BY subject, n DESC`,
      [this.service, subjects],
    );
    return new Map(rows.map((r) => [r.subject, r.id]));
  }

  async eventStatus(db: Queryable, id: string): Promise<{ status: EventStatus; commandId: string | null } | undefined> {
    const { rows } = await db.query<{ status: EventStatus; command_id: string | null }>(
      'SELECT status, command_id FROM custody_events WHERE service = $1 AND id = $2',
      [this.service, id],
    );
    const r = rows[0];
    return r ? { status: r.status, commandId: r.command_id } : undefined;
  }

  /** The status of each of `ids` that is one of this service's own events. */
  async eventStatuses(db: Queryable, ids: string[]): Promise<Map<string, { status: EventStatus; commandId: string | null }>> {
    if (ids.length === 0) return new Map();
    const { rows } = await db.query<{ id: string; status: EventStatus; command_id: string | null }>(
      'SELECT id, status, command_id FROM custody_events WHERE service = $1 AND id = ANY($2::text[])',
      [this.service, ids],
    );
    return new Map(rows.map((r) => [r.id, { status: r.status, commandId: r.command_id }]));
  }

  async markSequencedMany(db: Queryable, entries: Array<{ id: string; seq: number }>): Promise<void> {
    if (entries.length === 0) return;
    await db.query(
      `UPDATE custody_events e SET status = 'sequenced', seq = x.seq
         FROM unnest($2::text[], $3::bigint[]) AS x(id, seq)
        WHERE e.service = $1 AND e.id = x.id`,
      [this.service, entries.map((e) => e.id), entries.map((e) => e.seq)],
    );
  }

  /** settleCommand for several commands in one statement. */
  async settleCommands(db: Queryable, commandIds: string[]): Promise<void> {
    if (commandIds.length === 0) return;
    await db.query(
      `UPDATE custody_commands c SET status = 'sequenced', updated_at = now()
        WHERE c.service = $1 AND c.id = ANY($2::uuid[]) AND c.status = 'accepted'
          AND NOT EXISTS (SELECT 1 FROM custody_events e WHERE e.service = $1 AND e.id = ANY(c.event_ids) AND e.status <> 'sequenced')`,
      [this.service, commandIds],
    );
  }

  async markSequenced(db: Queryable, id: string, seq: number): Promise<void> {
    await db.query(`UPDATE custody_events SET status = 'sequenced', seq = $3 WHERE service = $1 AND id = $2`, [this.service, id, seq]);
  }

  async markRefused(db: Queryable, ids: string[]): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      `UPDATE custody_events SET status = 'refused' WHERE service = $1 AND id = ANY($2::text[]) AND status = 'pending' RETURNING id`,
      [this.service, ids],
    );
    return rows.map((r) => r.id);
  }

  /** Events that touch any of `subjects` and still stand (sequenced, or pending), in the order they were learnt. */
  async standingEventsTouching(db: Queryable, subjects: string[]): Promise<Array<{ id: string; event: LedgerEvent; touched: string[] }>> {
    const { rows } = await db.query<{ id: string; event: LedgerEvent; touched: string[] }>(
      `SELECT id, event, touched FROM custody_events
        WHERE service = $1 AND touched && $2::text[] AND status <> 'refused'
        ORDER BY seq NULLS LAST, n`,
      [this.service, subjects],
    );
    return rows;
  }

  async deleteObjects(db: Queryable, subjects: string[]): Promise<void> {
    await db.query('DELETE FROM custody_objects WHERE service = $1 AND subject = ANY($2::text[])', [this.service, subjects]);
  }

  async insertCommand(db: Queryable, c: { id: string; name: string; org: string; eventIds: string[] }): Promise<void> {
    await db.query(
      `INSERT INTO custody_commands (service, id, name, org, status, event_ids) VALUES ($1, $2, $3, $4, 'accepted', $5)`,
      [this.service, c.id, c.name, c.org, c.eventIds],
    );
  }

  /** After an event is sequenced: the command is sequenced once all its events are. */
  async settleCommand(db: Queryable, commandId: string): Promise<CommandStatus | undefined> {
    const { rows } = await db.query<{ status: CommandStatus }>(
      `UPDATE custody_commands c SET status = 'sequenced', updated_at = now()
        WHERE c.service = $1 AND c.id = $2 AND c.status = 'accepted'
          AND NOT EXISTS (SELECT 1 FROM custody_events e WHERE e.service = $1 AND e.id = ANY(c.event_ids) AND e.status <> 'sequenced')
        RETURNING status`,
      [this.service, commandId],
    );
    return rows[0]?.status;
  }

  async refuseCommand(db: Queryable, commandId: string, problem: Record<string, unknown>): Promise<void> {
    await db.query(
      `UPDATE custody_commands SET status = 'refused', problem = $3, updated_at = now() WHERE service = $1 AND id = $2 AND status <> 'refused'`,
      [this.service, commandId, JSON.stringify(problem)],
    );
  }

  async command(db: Queryable, id: string): Promise<CommandRecord | undefined> {
    const { rows } = await db.query<{
      id: string;
      name: string;
      org: string;
      status: CommandStatus;
      event_ids: string[];
      problem: Record<string, unknown> | null;
      created_at: Date;
      updated_at: Date;
    }>('SELECT id, name, org, status, event_ids, problem, created_at, updated_at FROM custody_commands WHERE service = $1 AND id = $2', [this.service, id]);
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: r.id,
      name: r.name,
      org: r.org,
      status: r.status,
      eventIds: r.event_ids,
      problem: r.problem,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  }

  /** Objects an organisation made or holds, newest first. */
  async objectsOf(db: Queryable, q: { org: string; type?: string; status?: string; limit: number; before?: string }): Promise<CustodyObject[]> {
    const { rows } = await db.query<{ state: CustodyObject }>(
      `SELECT state FROM custody_objects
        WHERE service = $1 AND (org = $2 OR holders @> ARRAY[$2::text])
          AND ($3::text IS NULL OR type = $3) AND ($4::text IS NULL OR status = $4)
          AND ($5::text IS NULL OR subject < $5)
        ORDER BY subject DESC LIMIT $6`,
      [this.service, q.org, q.type ?? null, q.status ?? null, q.before ?? null, q.limit],
    );
    return rows.map((r) => r.state);
  }

  async object(db: Queryable, subject: string): Promise<CustodyObject | undefined> {
    const { rows } = await db.query<{ state: CustodyObject }>('SELECT state FROM custody_objects WHERE service = $1 AND subject = $2', [this.service, subject]);
    return rows[0]?.state;
  }

  async history(db: Queryable, subject: string): Promise<Array<{ id: string; seq: number | null; status: EventStatus; event: LedgerEvent }>> {
    const { rows } = await db.query<{ id: string; seq: string | null; status: EventStatus; event: LedgerEvent }>(
      `SELECT id, seq, status, event FROM custody_events WHERE service = $1 AND subject = $2 ORDER BY seq NULLS LAST, n`,
      [this.service, subject],
    );
    return rows.map((r) => ({ id: r.id, seq: r.seq === null ? null : Number(r.seq), status: r.status, event: r.event }));
  }
}
