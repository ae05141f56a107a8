/**
 * The transactional outbox. A service writes the messages it means to publish into `bus_outbox`
 * in the same transaction as its own state change (`enqueue`), so both commit or neither does;
 * the relay publishes committed rows afterwards and marks them published once the broker has them.
 *
 * Guarantees: every committed row is published at least once (a crash between the broker's
 * acknowledgement and the mark publishes it again: consumers dedupe by message id); rows of one
 * service are published in id order by one relay at a time (a transaction-scoped advisory lock
 * per service), so writers that serialise on a key (the custody services lock each subject)
 * see that key's messages published in their commit order.
 */
import pg from 'pg';
import type { Logger } from '@milkchain/http';
import type { Pool, PoolClient } from '@milkchain/store';
import { backoffDelay, MESSAGE_ID_HEADER, pause, type Bus, type BusMessage } from './port.ts';

export interface OutboxMessage {
  /** The service whose relay publishes the row. */
  service: string;
  /** Logical topic (see TOPICS). */
  topic: string;
  key: string;
  /** Sent as the `message-id` header: the consumers' dedupe key. */
  messageId: string;
  /** JSON text. */
  value: string;
  headers?: Record<string, string>;
}

const CHANNEL = 'bus_outbox';

/**
 * Adds a message to the outbox inside the caller's transaction (the caller has run BEGIN on
 * `client`), and notifies the relay, which PostgreSQL delivers only if that transaction commits.
 */
export async function enqueue(client: PoolClient, row: OutboxMessage): Promise<void> {
  await client.query(
    `WITH added AS (
       INSERT INTO bus_outbox (service, topic, key, message_id, value, headers) VALUES ($1, $2, $3, $4, $5, $6)
     )
     SELECT pg_notify('${CHANNEL}', $1)`,
    [row.service, row.topic, row.key, row.messageId, row.value, row.headers ? JSON.stringify(row.headers) : null],
  );
}

export interface OutboxRelayOptions {
  pool: Pool;
  bus: Bus;
  service: string;
  logger: Logger;
  /** How often to look for rows even without a notification (default 1000 ms). */
  pollIntervalMs?: number;
  /** Most rows per publish (default 100). */
  batchSize?: number;
  /** First retry delay after a failed publish; doubles up to `maxRetryBackoffMs` (default 100 ms / 5 s). */
  retryBackoffMs?: number;
  maxRetryBackoffMs?: number;
}

export interface OutboxRelay {
  /** Ends after the pass in hand; rows not yet marked stay for the next relay. */
  stop(): Promise<void>;
  /** Resolves when this service has no unpublished row left (rejects if the relay stops first). */
  drain(): Promise<void>;
}

interface Row {
  id: string | number;
  topic: string;
  key: string;
  message_id: string;
  value: string;
  headers: Record<string, string> | null;
}

export function startOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const { pool, bus, service, logger } = opts;
  const pollIntervalMs = opts.pollIntervalMs ?? 1_000;
  const batchSize = opts.batchSize ?? 100;
  const retryBackoffMs = opts.retryBackoffMs ?? 100;
  const maxRetryBackoffMs = opts.maxRetryBackoffMs ?? 5_000;
  const stopping = new AbortController();

  // Wake-ups: a notification, drain(), or stop() end the wait between passes early.
  let woken = false;
  let wakeWaiter: (() => void) | undefined;
  const wake = () => {
    woken = true;
    wakeWaiter?.();
  };
  const waitForWake = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopping.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        wakeWaiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeWaiter = done;
    });

  // Everyone waiting for the end of the next pass (drain).
  let passWaiters: Array<() => void> = [];
  const passEnded = () => {
    const waiters = passWaiters;
    passWaiters = [];
    for (const w of waiters) w();
  };

  /** One pass: publishes up to batchSize rows. 'busy' when another relay of the service holds the lock. */
  async function pass(): Promise<number | 'busy'> {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok', [`${CHANNEL}:${service}`]);
      if (!lock.rows[0]?.ok) {
        await client.query('ROLLBACK');
        return 'busy';
      }
      const { rows } = await client.query<Row>(
        `SELECT id, topic, key, message_id, value, headers FROM bus_outbox
          WHERE service = $1 AND published_at IS NULL ORDER BY id LIMIT $2`,
        [service, batchSize],
      );
      // Consecutive rows of one topic go in one publish; topics alternate in id order.
      for (let i = 0; i < rows.length; ) {
        const topic = rows[i]!.topic;
        const run: BusMessage[] = [];
        for (; i < rows.length && rows[i]!.topic === topic; i++) {
          const r = rows[i]!;
          run.push({ key: r.key, value: r.value, headers: { ...(r.headers ?? {}), [MESSAGE_ID_HEADER]: r.message_id } });
        }
        await bus.publish(topic, run);
      }
      if (rows.length > 0) {
        await client.query('UPDATE bus_outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => String(r.id))]);
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (err) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(broken);
    }
  }

  const loop = (async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      woken = false;
      let next = pollIntervalMs;
      try {
        const n = await pass();
        failures = 0;
        if (n === 'busy') next = Math.min(pollIntervalMs, 200);
        else if (n === batchSize) next = 0;
      } catch (err) {
        failures++;
        const delay = backoffDelay(failures, retryBackoffMs, maxRetryBackoffMs);
        logger.error('outbox relay: publishing failed; the rows stay and are retried', {
          service,
          attempt: failures,
          delayMs: delay,
          error: (err as Error).message,
        });
        passEnded();
        await pause(delay, stopping.signal);
        continue;
      }
      passEnded();
      if (next > 0) await waitForWake(next);
    }
    passEnded();
  })();

  const listener = listen(pool, service, wake, logger, stopping.signal);

  return {
    async stop() {
      if (stopping.signal.aborted) return loop;
      stopping.abort();
      wake();
      await loop;
      await listener;
    },
    async drain() {
      for (;;) {
        if (stopping.signal.aborted) throw new Error(`outbox relay for ${service} stopped before the outbox drained`);
        const { rows } = await pool.query<{ pending: boolean }>(
          'SELECT EXISTS (SELECT 1 FROM bus_outbox WHERE service = $1 AND published_at IS NULL) AS pending',
          [service],
        );
        if (!rows[0]?.pending) return;
        const ended = new Promise<void>((resolve) => passWaiters.push(resolve));
        wake();
        await ended;
      }
    },
  };
}

/**
 * LISTENs on its own connection (not the pool's: a LISTEN must outlive any one transaction) and
 * reconnects after a loss; the slow poll covers the gaps. Resolves when `signal` aborts.
 */
async function listen(pool: Pool, service: string, wake: () => void, logger: Logger, signal: AbortSignal): Promise<void> {
  for (let failures = 0; !signal.aborted; ) {
    const client = new pg.Client(pool.options);
    const lost = new Promise<void>((resolve) => {
      client.on('error', (err) => {
        logger.warn('outbox relay: lost the notification connection; polling until it is back', { service, error: err.message });
        resolve();
      });
      client.on('end', () => resolve());
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    client.on('notification', (n) => {
      if (n.channel === CHANNEL && n.payload === service) wake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      failures = 0;
      wake(); // rows may have committed while nobody listened
      await lost;
    } catch (err) {
      failures++;
      logger.warn('outbox relay: cannot LISTEN; polling meanwhile', { service, error: (err as Error).message });
    } finally {
      await client.end().catch(() => undefined);
    }
    if (!signal.aborted) await pause(backoffDelay(failures + 1, 200, 5_000), signal);
  }
}
