/**
 * The idempotent consumer. The bus delivers at least once; this makes the effect exactly once:
 * each message's id goes into `bus_inbox` in the same transaction as the handler's changes, so a
 * redelivered message finds its id there and is skipped, and a failed handler leaves neither.
 *
 * Failures: a handler that throws is retried on the same message (after an exponential backoff,
 * so the key's order holds) up to `maxAttempts`; a `PermanentError`, or the last attempt, puts
 * the message into `bus_dead_letters` and the consumer goes on. A dead-lettered message counts as
 * handled (its id is in the inbox, so a redelivery does not dead-letter it twice); replaying it
 * clears that id and publishes the original message again. Database errors outside the handler
 * (connection lost, commit failed) are not the message's fault: the batch is left uncommitted on
 * the bus, which delivers it again.
 *
 * With `handleBatch`, a delivered batch is first tried as one transaction (every inbox row and
 * every change together: one commit instead of one per message, which is what lets a projection
 * keep up with the log). If that handler throws, the whole transaction is rolled back and the
 * batch is processed message by message through `handle`, with the retries and dead letters above.
 */
import type { Logger } from '@milkchain/http';
import type { Pool, PoolClient } from '@milkchain/store';
import { backoffDelay, MESSAGE_ID_HEADER, pause, type Bus, type Delivered, type Subscription } from './port.ts';

/** Thrown by a handler for a message that can never succeed: dead-lettered at once, not retried. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

export interface ConsumerOptions {
  pool: Pool;
  bus: Bus;
  topic: string;
  group: string;
  /** The consumer's name in `bus_inbox` and `bus_dead_letters` (for instance `farm.ledger`). */
  consumer: string;
  /** Runs inside the transaction that also records the message id; throw to roll both back. */
  handle: (client: PoolClient, msg: Delivered) => Promise<void>;
  /**
   * Optional: applies several fresh messages (in delivery order, duplicates already removed) in
   * the one transaction that records their ids. Must have the same effect as `handle` on each in
   * turn; when it throws, the consumer falls back to `handle`, one message per transaction.
   */
  handleBatch?: (client: PoolClient, msgs: Delivered[]) => Promise<void>;
  /** The dedupe key: default the `message-id` header, else `topic:partition:offset`. */
  messageId?: (msg: Delivered) => string;
  /**
   * Default true: record every applied message id in `bus_inbox` and skip ids found there. A
   * consumer whose handler is idempotent by itself (a log consumer: its cursor, committed with
   * its changes, skips what it applied) sets false and saves a row and a statement per message.
   * Dead letters are recorded in the inbox either way.
   */
  inbox?: boolean;
  /** Attempts before a message is dead-lettered (default 5). */
  maxAttempts?: number;
  /** First retry delay (default 200 ms); doubles per attempt up to `maxBackoffMs` (default 10 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Where a new group starts (default true: projections want the whole stream). */
  fromBeginning?: boolean;
  logger: Logger;
}

export function defaultMessageId(msg: Delivered): string {
  return msg.headers?.[MESSAGE_ID_HEADER] ?? `${msg.topic}:${msg.partition}:${msg.offset}`;
}

/** Raised inside the consumer when it is stopping, so the bus leaves the batch uncommitted. */
class Stopping extends Error {}

export async function startConsumer(opts: ConsumerOptions): Promise<Subscription> {
  const { pool, consumer, logger } = opts;
  const idOf = opts.messageId ?? defaultMessageId;
  const maxAttempts = opts.maxAttempts ?? 5;
  const backoffMs = opts.backoffMs ?? 200;
  const maxBackoffMs = opts.maxBackoffMs ?? 10_000;
  const stopping = new AbortController();
  const useInbox = opts.inbox ?? true;

  /** One try: 'done' (applied or a duplicate), or the handler's error (the transaction was rolled back). */
  async function attempt(msg: Delivered, messageId: string): Promise<'done' | { failed: unknown }> {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const fresh = useInbox ? await client.query('INSERT INTO bus_inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [consumer, messageId]) : { rowCount: 1 };
      if (fresh.rowCount === 0) {
        await client.query('COMMIT');
        return 'done';
      }
      try {
        await opts.handle(client, msg);
      } catch (err) {
        await client.query('ROLLBACK');
        return { failed: err };
      }
      const commit = await client.query('COMMIT');
      // A handler that swallowed an SQL error leaves the transaction aborted: COMMIT then rolls
      // back, and nothing (not even the inbox row) was recorded.
      if (commit.command === 'ROLLBACK') return { failed: new Error('the handler left its transaction aborted (an SQL error was caught and ignored)') };
      return 'done';
    } catch (err) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async function deadLetter(msg: Delivered, messageId: string, err: unknown, attempts: number): Promise<void> {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO bus_dead_letters (consumer, topic, key, message_id, value, headers, error, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [consumer, msg.topic, msg.key, messageId, msg.value, msg.headers ? JSON.stringify(msg.headers) : null, describe(err), attempts],
      );
      await client.query('INSERT INTO bus_inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [consumer, messageId]);
      await client.query('COMMIT');
    } catch (e) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async function processOne(msg: Delivered): Promise<void> {
    const messageId = idOf(msg);
    for (let attempts = 1; ; attempts++) {
      if (stopping.signal.aborted) throw new Stopping('consumer stopping');
      const outcome = await attempt(msg, messageId);
      if (outcome === 'done') return;
      const err = outcome.failed;
      if (err instanceof PermanentError || attempts >= maxAttempts) {
        await deadLetter(msg, messageId, err, attempts);
        logger.error('message dead-lettered', {
          consumer,
          topic: msg.topic,
          key: msg.key,
          messageId,
          attempts,
          permanent: err instanceof PermanentError,
          error: describe(err),
        });
        return;
      }
      const delay = backoffDelay(attempts, backoffMs, maxBackoffMs);
      logger.warn('message handler failed; retrying', { consumer, topic: msg.topic, messageId, attempt: attempts, delayMs: delay, error: describe(err) });
      await pause(delay, stopping.signal);
    }
  }

  /** The whole batch in one transaction: true when applied, false when the handler failed (all rolled back). */
  async function attemptBatch(batch: Delivered[], handleBatch: NonNullable<ConsumerOptions['handleBatch']>): Promise<boolean> {
    const ids = batch.map(idOf);
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const fresh = new Set(
        useInbox
          ? (
              await client.query<{ message_id: string }>(
                'INSERT INTO bus_inbox (consumer, message_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING message_id',
                [consumer, ids],
              )
            ).rows.map((r) => r.message_id)
          : ids,
      );
      // A message delivered twice within one batch is applied once: its first copy takes the id.
      const todo = batch.filter((_, i) => fresh.delete(ids[i]!));
      if (todo.length > 0) {
        try {
          await handleBatch(client, todo);
        } catch (err) {
          await client.query('ROLLBACK');
          logger.warn('batch handler failed; applying the batch message by message', { consumer, topic: opts.topic, messages: batch.length, error: describe(err) });
          return false;
        }
      }
      const commit = await client.query('COMMIT');
      if (commit.command === 'ROLLBACK') {
        logger.warn('batch handler left its transaction aborted; applying the batch message by message', { consumer, topic: opts.topic });
        return false;
      }
      return true;
    } catch (err) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(broken);
    }
  }

  const sub = await opts.bus.subscribe({
    topic: opts.topic,
    group: opts.group,
    fromBeginning: opts.fromBeginning ?? true,
    handle: async (batch) => {
      if (stopping.signal.aborted) throw new Stopping('consumer stopping');
      if (opts.handleBatch && batch.length > 1 && (await attemptBatch(batch, opts.handleBatch))) return;
      for (const msg of batch) await processOne(msg);
    },
  });
  return {
    async stop() {
      stopping.abort();
      await sub.stop();
    },
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
