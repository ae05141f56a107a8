// The write path every custody service shares: validate, authorise, decide, chain, sign, and
// store the events in the outbox in the same transaction as the service's own state.
import { randomUUID } from 'node:crypto';
import { enqueue, TOPICS } from '@milkchain/bus';
import type { EventSigner, Principal } from '@milkchain/auth';
import {
  evolve,
  isRefusal,
  refuse,
  toProblems,
  touches,
  validateEvent,
  type CommandDefinition,
  type CustodyObject,
  type Refusal,
  type ServiceName,
} from '@milkchain/domain';
import { AppError, validationFailed, type Logger } from '@milkchain/http';
import { canonicalBytes, eventIdFromBytes, type LedgerEvent } from '@milkchain/ledger';
import type { Pool, PoolClient } from '@milkchain/store';
import type { LedgerClient } from './ledger-client.ts';
import type { CustodyTables } from './store.ts';

export interface PipelineDeps {
  service: ServiceName;
  pool: Pool;
  tables: CustodyTables;
  signer: EventSigner;
  ledger: LedgerClient;
  clock: () => Date;
  logger: Logger;
}

export interface Executed {
  commandId: string;
  events: Array<{ id: string; kind: string; subject: string }>;
}

/** Largest number of commands in one batch request (their events form one ledger submission). */
export const MAX_BATCH_COMMANDS = 500;
const MAX_EVENTS = 1000;

const CODE_OF: Record<Refusal['status'], 'RULE_VIOLATED' | 'CONFLICT' | 'NOT_FOUND'> = {
  rule: 'RULE_VIOLATED',
  conflict: 'CONFLICT',
  not_found: 'NOT_FOUND',
};

/** A decider's refusal as the problem the caller sees. `prefix` points into a batch request. */
export function refusalError(r: Refusal, prefix = ''): AppError {
  const pointer = r.path === undefined ? undefined : prefix + r.path;
  return new AppError(CODE_OF[r.status], `${r.reason['zh-CN']} / ${r.reason.en}`, {
    rule: r.rule,
    ...(r.source ? { source: r.source } : {}),
    reason: r.reason,
    ...(pointer !== undefined ? { pointer, problems: [{ path: pointer, message: r.reason.en }] } : {}),
    ...(r.details ? { details: r.details } : {}),
  });
}

export function authorise(def: CommandDefinition, principal: Principal): void {
  if (!def.roles.some((r) => principal.roles.includes(r))) {
    throw new AppError(
      'FORBIDDEN',
      `${def.summary['zh-CN']}需要以下角色之一：${def.roles.join('、')} / ${def.summary.en} needs one of the roles ${def.roles.join(', ')}; your organisation ${principal.org} has ${principal.roles.join(', ') || 'none'}`,
      { needs: def.roles },
    );
  }
}

export function parseBody<C>(def: CommandDefinition<C>, body: unknown, prefix = ''): C {
  const parsed = def.schema.safeParse(body);
  if (!parsed.success) {
    throw validationFailed(toProblems(parsed.error.issues).map((p) => ({ ...p, path: prefix + p.path })));
  }
  return parsed.data;
}

/**
 * For each candidate (the first event of a command), the id of an event that records exactly the
 * same (kind, subject, organisation, time and data) in this request before it, or in the service's
 * table, refused ones aside; one query for the whole request. The same command sent twice is a
 * duplicate submission whatever its kind: a treatment, result, set of readings or sale identical
 * to a recorded one, to the second, is that one again, not a second fact. (Two commands that leave
 * `occurredAt` to its default within the same second count as one.)
 */
async function sameFactsRecorded(
  db: Pick<PoolClient, 'query'>,
  service: ServiceName,
  org: string,
  candidates: ReadonlyArray<{ index: number; event: LedgerEvent }>,
  built: ReadonlyArray<{ id: string; event: LedgerEvent }>,
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const factOf = (e: LedgerEvent) => JSON.stringify([e.subject, e.kind, e.occurredAt, e.data]);
  const seen = new Map<string, number>();
  for (const [i, b] of built.entries()) {
    const f = factOf(b.event);
    const first = seen.get(f);
    if (first === undefined) seen.set(f, i);
    else if (candidates.some((c) => c.index === i)) out.set(i, built[first]!.id);
  }
  if (candidates.length === 0) return out;
  // A correlated subquery per candidate is one probe of (service, subject) each, whatever the
  // planner guesses about the recordset (a join was planned as a scan of the service's events).
  const { rows } = await db.query<{ i: number; id: string | null }>(
    `SELECT x.i,
            (SELECT e.id FROM custody_events e
              WHERE e.service = $1 AND e.subject = x.subject AND e.kind = x.kind AND e.org = $2
                AND e.status <> 'refused' AND e.event->>'occurredAt' = x.occurred_at AND e.event->'data' = x.data
              LIMIT 1) AS id
       FROM jsonb_to_recordset($3::jsonb) AS x(i int, subject text, kind text, occurred_at text, data jsonb)`,
    [service, org, JSON.stringify(candidates.map((c) => ({ i: c.index, subject: c.event.subject, kind: c.event.kind, occurred_at: c.event.occurredAt, data: c.event.data })))],
  );
  for (const r of rows) if (r.id !== null && !out.has(r.i)) out.set(r.i, r.id);
  return out;
}

export class CommandPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /**
   * Runs commands (one, or a batch that stands or falls together) for `principal` and stores
   * their events as one ledger submission. Throws AppError on any refusal; nothing is written then.
   */
  async execute(commands: Array<{ def: CommandDefinition; body: unknown; prefix?: string }>, principal: Principal): Promise<Executed> {
    const { service, pool, tables, signer, ledger, clock } = this.deps;
    const parsed = commands.map(({ def, body, prefix = '' }) => {
      authorise(def, principal);
      return { def, cmd: parseBody(def, body, prefix), prefix };
    });
    const now = clock();
    const commandId = randomUUID();
    const client = await pool.connect();
    try {
      await tables.beginLocked(client, principal.org);
      const objects = new Map<string, CustodyObject>();
      const changed = new Map<string, CustodyObject>();
      const heads = new Map<string, string>();
      const built: Array<{ id: string; event: LedgerEvent; touched: string[] }> = [];
      /** Index in `built` of each command's first event, for the duplicate check. */
      const firsts: Array<{ index: number; prefix: string }> = [];
      /** Subjects whose objects were read (found or not), and whose heads were looked up. */
      const read = new Set<string>();
      const looked = new Set<string>();
      /** Organisations whose animals were read (the objects map then holds them, newest first). */
      const herdsRead = new Set<string>();

      // prev and inputs come from this request's own earlier events first, then the service's
      // own unsequenced events, then the ledger's heads: looked up for many subjects at once.
      const lookUpHeads = async (subjects: string[]) => {
        const wanted = [...new Set(subjects)].filter((s) => !heads.has(s) && !looked.has(s));
        if (wanted.length === 0) return;
        const pending = await tables.pendingHeads(client, wanted);
        const rest = wanted.filter((s) => !pending.has(s));
        const fromLedger = rest.length > 0 ? await ledger.heads(rest) : new Map<string, string>();
        for (const s of wanted) {
          looked.add(s);
          const h = pending.get(s) ?? fromLedger.get(s);
          if (h) heads.set(s, h);
        }
      };
      // A batch names most of what it touches in its commands' needs: read those objects and
      // their heads in one go, not once per command.
      if (parsed.length > 1) {
        const named = [...new Set(parsed.flatMap(({ def, cmd }) => def.needs(cmd, { org: principal.org }).subjects))];
        for (const [s, o] of await tables.load(client, { subjects: named })) objects.set(s, o);
        for (const s of named) read.add(s);
        await lookUpHeads(named);
      }

      for (const { def, cmd, prefix } of parsed) {
        const needs = def.needs(cmd, { org: principal.org });
        const { animalsOf, ...rest } = needs;
        const missing = {
          ...rest,
          subjects: needs.subjects.filter((s) => !objects.has(s) && !read.has(s)),
          // A herd read once stays in `objects`, with this request's own changes folded in.
          ...(animalsOf && !herdsRead.has(animalsOf.org) ? { animalsOf } : {}),
        };
        for (const [s, o] of await tables.load(client, missing)) if (!objects.has(s)) objects.set(s, o);
        for (const s of missing.subjects) read.add(s);
        if (animalsOf) herdsRead.add(animalsOf.org);
        const decision = def.decide(cmd, { now, org: principal.org, roles: principal.roles, objects });
        if (isRefusal(decision)) throw refusalError(decision, prefix);
        if (decision.length > 0) firsts.push({ index: built.length, prefix });
        await lookUpHeads(decision.flatMap((d) => [d.subject, ...d.inputSubjects]));
        for (const draft of decision) {
          const inputs = draft.inputSubjects.map((s) => {
            const h = heads.get(s);
            if (!h) throw new AppError('CONFLICT', `${s} 还没有记入账本，请稍后重试 / ${s} is not in the ledger yet; try again in a moment`, { subject: s });
            return h;
          });
          const event: LedgerEvent = {
            v: 1,
            kind: draft.kind,
            kindVersion: draft.kindVersion,
            org: principal.org,
            subject: draft.subject,
            prev: heads.get(draft.subject) ?? null,
            inputs,
            occurredAt: draft.occurredAt,
            data: draft.data,
          };
          const valid = validateEvent(event);
          if (!valid.ok) {
            // The command passed its schema but the event it makes would not: name the fields.
            throw validationFailed(valid.problems.map((p) => ({ ...p, path: `${prefix}/event${p.path}` })));
          }
          const id = eventIdFromBytes(canonicalBytes(event));
          heads.set(draft.subject, id);
          for (const o of evolve(objects, event, id)) {
            objects.set(o.subject, o);
            changed.set(o.subject, o);
          }
          built.push({ id, event, touched: touches(event, objects) });
        }
      }
      if (built.length === 0) throw new AppError('VALIDATION_FAILED', 'the command records nothing');
      const duplicates = await sameFactsRecorded(client, service, principal.org, firsts.map((f) => ({ index: f.index, event: built[f.index]!.event })), built);
      const dup = firsts.find((f) => duplicates.has(f.index));
      if (dup) {
        const same = duplicates.get(dup.index)!;
        throw refusalError(
          refuse('conflict', 'command.duplicate', `与已记录的事件 ${same} 完全相同（同一时间、同样内容）：重复提交，不再记录`, `This is exactly what event ${same} records (same time, same content): a duplicate submission, not recorded again`, {
            path: '',
            details: { event: same },
          }),
          dup.prefix,
        );
      }
      if (built.length > MAX_EVENTS) {
        throw validationFailed([{ path: '/commands', message: `these commands make ${built.length} events; at most ${MAX_EVENTS} fit in one request` }]);
      }

      const ids = built.map((b) => b.id);
      const signatures = await signer.sign({ token: principal.token, org: principal.org, ids });
      await tables.recordCommand(client, {
        events: built.map((b) => ({ ...b, status: 'pending' as const, seq: null, commandId })),
        objects: changed.values(),
        command: { id: commandId, name: parsed.map((p) => p.def.name).join(','), org: principal.org, eventIds: ids },
      });
      await enqueue(client, {
        service,
        topic: TOPICS.submissions,
        key: built[0]!.event.subject,
        messageId: ids[0]!,
        value: JSON.stringify({ events: built.map((b) => b.event), signatures }),
      });
      await client.query('COMMIT');
      return { commandId, events: built.map((b) => ({ id: b.id, kind: b.event.kind, subject: b.event.subject })) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
