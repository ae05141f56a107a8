/**
 * Dead letters: messages a consumer gave up on (see consumer.ts). Operators list them, fix the
 * cause, and replay them (the original message goes back on its topic with its message id, so
 * every other consumer of the topic skips it as a duplicate) or resolve them without replay.
 */
import express, { type Router } from 'express';
import { AppError, validationFailed } from '@milkchain/http';
import type { Pool } from '@milkchain/store';
import { MESSAGE_ID_HEADER, type Bus } from './port.ts';

export interface DeadLetter {
  id: number;
  consumer: string;
  topic: string;
  key: string;
  messageId: string;
  value: string;
  headers: Record<string, string> | null;
  error: string;
  attempts: number;
  createdAt: string;
  resolvedAt: string | null;
}

export interface ListDeadLettersOptions {
  consumer?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  /** Also list resolved ones (default: open ones only). */
  includeResolved?: boolean;
}

interface Row {
  id: string | number;
  consumer: string;
  topic: string;
  key: string;
  message_id: string;
  value: string;
  headers: Record<string, string> | null;
  error: string;
  attempts: number;
  created_at: Date;
  resolved_at: Date | null;
}

const COLUMNS = 'id, consumer, topic, key, message_id, value, headers, error, attempts, created_at, resolved_at';

function toDeadLetter(r: Row): DeadLetter {
  return {
    id: Number(r.id),
    consumer: r.consumer,
    topic: r.topic,
    key: r.key,
    messageId: r.message_id,
    value: r.value,
    headers: r.headers,
    error: r.error,
    attempts: r.attempts,
    createdAt: r.created_at.toISOString(),
    resolvedAt: r.resolved_at ? r.resolved_at.toISOString() : null,
  };
}

/** Oldest first. */
export async function listDeadLetters(pool: Pool, opts: ListDeadLettersOptions = {}): Promise<DeadLetter[]> {
  const limit = Math.min(Math.max(1, opts.limit ?? 100), 1000);
  const { rows } = await pool.query<Row>(
    `SELECT ${COLUMNS} FROM bus_dead_letters
      WHERE ($1::text IS NULL OR consumer = $1) AND ($2 OR resolved_at IS NULL)
      ORDER BY id LIMIT $3`,
    [opts.consumer ?? null, opts.includeResolved ?? false, limit],
  );
  return rows.map(toDeadLetter);
}

/** Marks an open dead letter resolved without replaying it. False when there is no open one with that id. */
export async function resolveDeadLetter(pool: Pool, id: number): Promise<boolean> {
  const res = await pool.query('UPDATE bus_dead_letters SET resolved_at = now() WHERE id = $1 AND resolved_at IS NULL', [id]);
  return res.rowCount === 1;
}

/**
 * Publishes the original message again and marks the dead letter resolved, in one transaction
 * with clearing its id from the consumer's inbox (so that consumer applies it this time). False
 * when there is no open dead letter with that id. A publish failure changes nothing (it throws).
 * The consumer may see the message before this commits: its inbox insert then waits for this
 * transaction, and proceeds once the id is cleared.
 */
export async function replayDeadLetter(pool: Pool, bus: Bus, id: number): Promise<boolean> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM bus_dead_letters WHERE id = $1 AND resolved_at IS NULL FOR UPDATE`, [id]);
    const row = rows[0];
    if (!row) {
      await client.query('ROLLBACK');
      return false;
    }
    await client.query('DELETE FROM bus_inbox WHERE consumer = $1 AND message_id = $2', [row.consumer, row.message_id]);
    await client.query('UPDATE bus_dead_letters SET resolved_at = now() WHERE id = $1', [id]);
    await bus.publish(row.topic, [{ key: row.key, value: row.value, headers: { ...(row.headers ?? {}), [MESSAGE_ID_HEADER]: row.message_id } }]);
    await client.query('COMMIT');
    return true;
  } catch (err) {
    broken = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * `GET /` lists open dead letters (`?consumer=`, `?limit=`, `?includeResolved=true`);
 * `POST /:id/replay` replays one, `POST /:id/resolve` closes one without replay. Mount it behind
 * the caller's own authentication; errors go to the caller's problem handler.
 */
export function deadLettersRouter(deps: { pool: Pool; bus: Bus }): Router {
  const router = express.Router();

  router.get('/', async (req, res) => {
    const q = req.query;
    const problems: Array<{ path: string; message: string }> = [];
    const consumer = q.consumer;
    if (consumer !== undefined && (typeof consumer !== 'string' || consumer === '')) problems.push({ path: 'consumer', message: 'must be a consumer name' });
    let limit: number | undefined;
    if (q.limit !== undefined) {
      limit = typeof q.limit === 'string' && /^\d{1,4}$/.test(q.limit) ? Number(q.limit) : NaN;
      if (!(limit >= 1 && limit <= 1000)) problems.push({ path: 'limit', message: 'must be an integer from 1 to 1000' });
    }
    const all = q.includeResolved;
    if (all !== undefined && all !== 'true' && all !== 'false') problems.push({ path: 'includeResolved', message: 'must be true or false' });
    if (problems.length) throw validationFailed(problems);
    const deadLetters = await listDeadLetters(deps.pool, {
      ...(typeof consumer === 'string' ? { consumer } : {}),
      ...(limit !== undefined ? { limit } : {}),
      includeResolved: all === 'true',
    });
    res.json({ deadLetters });
  });

  const idOf = (raw: string | string[] | undefined): number => {
    if (typeof raw !== 'string' || !/^[1-9]\d{0,15}$/.test(raw)) throw validationFailed([{ path: 'id', message: 'must be a positive integer' }]);
    return Number(raw);
  };
  const notFound = (id: number) => new AppError('NOT_FOUND', `没有待处理的死信 ${id} / no open dead letter ${id}`, { id });

  router.post('/:id/replay', async (req, res) => {
    const id = idOf(req.params.id);
    let replayed: boolean;
    try {
      replayed = await replayDeadLetter(deps.pool, deps.bus, id);
    } catch (err) {
      throw new AppError('UNAVAILABLE', `重放失败，请稍后重试 / the replay failed; try again shortly (${(err as Error).message})`, { id });
    }
    if (!replayed) throw notFound(id);
    res.json({ id, status: 'replayed' });
  });

  router.post('/:id/resolve', async (req, res) => {
    const id = idOf(req.params.id);
    if (!(await resolveDeadLetter(deps.pool, id))) throw notFound(id);
    res.json({ id, status: 'resolved' });
  });

  return router;
}
