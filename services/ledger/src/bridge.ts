// The ledger on the bus: it admits submissions from `milkchain.submissions`, publishes every
// sequenced entry on `milkchain.ledger` (in log order, keyed by subject) and every refusal on
// `milkchain.refusals`. The log is its own outbox: a cursor row says how far publishing got, so a
// crash re-publishes at most the entries after the cursor (consumers dedupe by event id).
import { setTimeout as sleep } from 'node:timers/promises';
import { TOPICS, type Bus, type Delivered, type Subscription } from '@milkchain/bus';
import { AppError, type Logger } from '@milkchain/http';
import { canonicalBytes, eventIdFromBytes, type LedgerEvent } from '@milkchain/ledger';
import type { Pool } from '@milkchain/store';
import { admit, type OrgKeyCache } from './admission.ts';
import type { LedgerLog } from './log.ts';
import type { Sequencer } from './sequencer.ts';
import type { LedgerStore } from './store/port.ts';

export interface Refusal {
  ids: string[];
  subject: string;
  problem: Record<string, unknown>;
}

export interface BridgeDeps {
  bus: Bus;
  pool: Pool;
  store: LedgerStore;
  sequencer: Sequencer;
  log: LedgerLog;
  keys: OrgKeyCache;
  logger: Logger;
  /** How long a submission whose `prev` or `inputs` are not in the log yet is retried before it is refused. */
  awaitInputsMs?: number;
}

interface Submission {
  events?: Array<{ subject?: unknown; prev?: unknown; inputs?: unknown }>;
}

/**
 * Whether the submission names a `prev` or an input that is not in the log yet. Over a
 * partitioned bus a transformation can arrive before the events it consumes (they are keyed by
 * other subjects): that is worth waiting for. A `prev` that is in the log but not the head is a
 * real fork attempt and is refused at once.
 */
async function waitsForUnknown(store: LedgerStore, body: unknown): Promise<boolean> {
  const events = (body as Submission | null)?.events;
  if (!Array.isArray(events)) return false;
  const named = new Set<string>();
  const own = new Set<string>();
  for (const e of events) {
    if (typeof e.prev === 'string') named.add(e.prev);
    if (Array.isArray(e.inputs)) for (const i of e.inputs) if (typeof i === 'string') named.add(i);
  }
  // Links between events of the same submission are resolved by the sequencer itself.
  const prepared = admitIds(body);
  for (const id of prepared) own.add(id);
  const outside = [...named].filter((id) => !own.has(id));
  if (outside.length === 0) return false;
  const known = await store.seqsOf(outside);
  return known.size < outside.length;
}

function admitIds(body: unknown): string[] {
  const events = (body as Submission | null)?.events;
  if (!Array.isArray(events)) return [];
  const ids: string[] = [];
  for (const e of events) {
    try {
      ids.push(eventIdFromBytes(canonicalBytes(e as LedgerEvent)));
    } catch {
      // not canonicalisable: admission refuses it anyway
    }
  }
  return ids;
}

export async function startSubmissionConsumer(deps: BridgeDeps): Promise<Subscription> {
  const { bus, store, sequencer, keys, logger } = deps;
  const awaitMs = deps.awaitInputsMs ?? 15_000;

  async function refuse(msg: Delivered, body: unknown, err: AppError): Promise<void> {
    const ids = admitIds(body);
    const refusal: Refusal = { ids, subject: msg.key, problem: err.toProblem() };
    logger.warn('submission refused', { subject: msg.key, code: err.code, detail: err.message });
    await bus.publish(TOPICS.refusals, [{ key: msg.key, value: JSON.stringify(refusal), headers: { 'message-id': `refusal:${ids[0] ?? msg.offset}` } }]);
  }

  async function handleOne(msg: Delivered): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(msg.value);
    } catch {
      await refuse(msg, undefined, new AppError('MALFORMED_JSON', 'the submission on the bus is not JSON'));
      return;
    }
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await sequencer.submit(await admit(body, keys));
        return;
      } catch (err) {
        if (!(err instanceof AppError)) throw err; // infrastructure: let the bus redeliver
        if (err.status >= 500) throw err;
        if (Date.now() - started < awaitMs && (await waitsForUnknown(store, body))) {
          await sleep(Math.min(25 * 2 ** attempt, 1000));
          continue;
        }
        await refuse(msg, body, err);
        return;
      }
    }
  }

  return bus.subscribe({
    topic: TOPICS.submissions,
    group: 'ledger',
    fromBeginning: true,
    handle: async (batch) => {
      // Submitted together, so the sequencer can put them in one batch; in order, so a subject's
      // events keep their order. A failure is retried alone, after the others.
      const first = await Promise.allSettled(
        batch.map(async (msg) => {
          const body = JSON.parse(msg.value) as unknown;
          return sequencer.submit(await admit(body, keys));
        }),
      );
      for (const [i, r] of first.entries()) {
        if (r.status === 'fulfilled') continue;
        await handleOne(batch[i]!);
      }
    },
  });
}

/** Publishes the log, in order, from a durable cursor. */
export function startLedgerPublisher(deps: Pick<BridgeDeps, 'bus' | 'pool' | 'log' | 'sequencer' | 'logger'> & { batchSize?: number; idleMs?: number }) {
  const { bus, pool, log, sequencer, logger } = deps;
  const batchSize = deps.batchSize ?? 500;
  const idleMs = deps.idleMs ?? 10;
  let stopped = false;
  let next = -1;
  const done = (async () => {
    await pool.query(`INSERT INTO ledger_publish_cursor (name, next_seq) VALUES ('bus', 0) ON CONFLICT (name) DO NOTHING`);
    const row = await pool.query<{ next_seq: string }>(`SELECT next_seq FROM ledger_publish_cursor WHERE name = 'bus'`);
    next = Number(row.rows[0]!.next_seq);
    let failures = 0;
    while (!stopped) {
      if (sequencer.size <= next) {
        await sleep(idleMs);
        continue;
      }
      try {
        const { entries } = await log.entries(next, batchSize);
        if (entries.length === 0) {
          await sleep(idleMs);
          continue;
        }
        await bus.publish(
          TOPICS.ledger,
          entries.map((e) => ({ key: e.event.subject, value: JSON.stringify(e), headers: { 'message-id': e.id } })),
        );
        next = entries[entries.length - 1]!.seq + 1;
        await pool.query(`UPDATE ledger_publish_cursor SET next_seq = $1 WHERE name = 'bus'`, [next]);
        failures = 0;
      } catch (err) {
        if (stopped) break;
        failures++;
        logger.error('publishing the log failed; retrying', { error: (err as Error).message, next });
        await sleep(Math.min(50 * 2 ** failures, 5000));
      }
    }
  })();
  return {
    /** The next seq to publish. */
    get cursor() {
      return next;
    },
    async stop() {
      stopped = true;
      await done;
    },
  };
}
