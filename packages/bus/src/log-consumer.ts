/**
 * A consumer of a log topic in log order. `milkchain.ledger` is keyed by subject, so its
 * partitions are delivered independently and one may run ahead of another; a projection that
 * folds the log (a load names its collections by event id, a lot its batch) needs the entries in
 * sequence order. In one transaction per delivery, with the consumer's cursor (`bus_log_cursor`)
 * locked (instances sharing a group take turns): delivered entries that continue the log from the
 * cursor are applied at once; entries beyond a gap wait in `bus_log_pending`; then parked entries
 * that now continue the log are applied and removed, and the cursor moves past everything applied.
 * The cursor, committed with the fold, is what makes a redelivery harmless (entries behind it are
 * skipped), so these consumers keep no `bus_inbox` rows.
 *
 * An entry that cannot be applied stops the consumer at that seq (a log projection cannot skip
 * one); its message is retried and dead-lettered as startConsumer does, where operators see it,
 * and replaying it resumes the fold.
 */
import type { Logger } from '@milkchain/http';
import type { Pool, PoolClient } from '@milkchain/store';
import { startConsumer } from './consumer.ts';
import type { Bus, Delivered, Subscription } from './port.ts';

export interface LogConsumerOptions {
  pool: Pool;
  bus: Bus;
  topic: string;
  group: string;
  /** The consumer's name in `bus_inbox`, `bus_log_cursor` and `bus_log_pending`. */
  consumer: string;
  /** The entry's position in the log (0, 1, 2 ... without gaps). */
  seqOf: (msg: Delivered) => number;
  /** Applies a contiguous run of entries, in seq order, inside the consumer's transaction. */
  apply: (client: PoolClient, run: Delivered[]) => Promise<void>;
  /** Entries applied per call of `apply` at most (default 1,000). */
  maxRun?: number;
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  logger: Logger;
}

export async function startLogConsumer(opts: LogConsumerOptions): Promise<Subscription> {
  const { consumer } = opts;
  const maxRun = opts.maxRun ?? 1000;

  /** Set once this process has made sure the consumer's cursor row exists. */
  let cursorMade = false;

  async function take(client: PoolClient, msgs: Delivered[]): Promise<void> {
    if (!cursorMade) {
      await client.query('INSERT INTO bus_log_cursor (consumer) VALUES ($1) ON CONFLICT DO NOTHING', [consumer]);
      cursorMade = true;
    }
    // The row lock returns the latest committed cursor row, `parked` included (whether entries
    // wait in bus_log_pending): the usual delivery costs no query for parked entries.
    const cursor = await client.query<{ next_seq: string; parked: boolean }>('SELECT next_seq, parked FROM bus_log_cursor WHERE consumer = $1 FOR UPDATE', [consumer]);
    const start = Number(cursor.rows[0]!.next_seq);
    const parkedAtStart = cursor.rows[0]!.parked;
    let parkedBefore = parkedAtStart;
    let next = start;
    // Entries behind the cursor were applied already (a redelivery under another message id).
    // The same entry delivered twice (under one message id or two) is taken once.
    const ahead = msgs
      .filter((m) => opts.seqOf(m) >= next)
      .sort((a, b) => opts.seqOf(a) - opts.seqOf(b))
      .filter((m, i, all) => i === 0 || opts.seqOf(m) !== opts.seqOf(all[i - 1]!));
    // The usual case: what was delivered continues the log from the cursor; apply it as it is.
    let inHand = 0;
    while (inHand < ahead.length && opts.seqOf(ahead[inHand]!) === next + inHand) inHand++;
    if (inHand > 0) {
      for (let i = 0; i < inHand; i += maxRun) await opts.apply(client, ahead.slice(i, Math.min(inHand, i + maxRun)));
      next += inHand;
    }
    // The rest is ahead of a gap: it waits in bus_log_pending for the entries another partition has not delivered yet.
    const parked = ahead.slice(inHand);
    if (parked.length > 0) {
      parkedBefore = true;
      await client.query(
        `INSERT INTO bus_log_pending (consumer, seq, topic, key, value, headers)
         SELECT $1, x.seq, x.topic, x.key, x.value, x.headers
           FROM jsonb_to_recordset($2::jsonb) AS x(seq bigint, topic text, key text, value text, headers jsonb)
         ON CONFLICT DO NOTHING`,
        [consumer, JSON.stringify(parked.map((m) => ({ seq: opts.seqOf(m), topic: m.topic, key: m.key, value: m.value, headers: m.headers ?? null })))],
      );
    }
    // Entries parked earlier (by this process or another) that now continue the log.
    while (parkedBefore) {
      const { rows } = await client.query<{ seq: string; topic: string; key: string; value: string; headers: Record<string, string> | null }>(
        'SELECT seq, topic, key, value, headers FROM bus_log_pending WHERE consumer = $1 AND seq >= $2 AND seq < $3 ORDER BY seq',
        [consumer, next, next + maxRun],
      );
      const run: Delivered[] = [];
      for (const r of rows) {
        if (Number(r.seq) !== next + run.length) break;
        run.push({ topic: r.topic, key: r.key, value: r.value, ...(r.headers ? { headers: r.headers } : {}), partition: -1, offset: r.seq });
      }
      if (run.length === 0) break;
      await opts.apply(client, run);
      await client.query('DELETE FROM bus_log_pending WHERE consumer = $1 AND seq >= $2 AND seq < $3', [consumer, next, next + run.length]);
      next += run.length;
      if (run.length < rows.length || rows.length < maxRun) break;
    }
    // Statements after the lock see everything committed before it: `parked` is exact here.
    if (next !== start || parkedBefore || parkedAtStart) {
      await client.query(
        'UPDATE bus_log_cursor SET next_seq = $2, parked = EXISTS (SELECT 1 FROM bus_log_pending p WHERE p.consumer = $1 AND p.seq >= $2) WHERE consumer = $1',
        [consumer, next],
      );
    }
  }

  return startConsumer({
    pool: opts.pool,
    bus: opts.bus,
    topic: opts.topic,
    group: opts.group,
    consumer,
    logger: opts.logger,
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.backoffMs !== undefined ? { backoffMs: opts.backoffMs } : {}),
    ...(opts.maxBackoffMs !== undefined ? { maxBackoffMs: opts.maxBackoffMs } : {}),
    // The cursor makes the fold idempotent (entries behind it are skipped): no inbox rows.
    inbox: false,
    handleBatch: take,
    handle: (client, msg) => take(client, [msg]),
  });
}

/** Where a log-ordered consumer is: the next seq it will apply. */
export async function logCursor(db: Pick<Pool, 'query'>, consumer: string): Promise<number> {
  const { rows } = await db.query<{ next_seq: string }>('SELECT next_seq FROM bus_log_cursor WHERE consumer = $1', [consumer]);
  return rows[0] ? Number(rows[0].next_seq) : 0;
}

/**
 * Resolves once every one of `consumers` has applied the first `size` entries of the log (its
 * cursor, committed with its folds, is at `size` or beyond); throws after `timeoutMs`, naming
 * those behind.
 */
export async function waitForLogCursors(db: Pick<Pool, 'query'>, consumers: readonly string[], size: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ consumer: string; next_seq: string }>('SELECT consumer, next_seq FROM bus_log_cursor WHERE consumer = ANY($1::text[])', [[...consumers]]);
    const at = new Map(rows.map((r) => [r.consumer, Number(r.next_seq)]));
    const behind = consumers.filter((c) => (at.get(c) ?? 0) < size);
    if (behind.length === 0) return;
    if (Date.now() > until) throw new Error(`projections behind the log (size ${size}): ${behind.map((c) => `${c} at ${at.get(c) ?? 0}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
