// Recall notifications through webhooks. An organisation registers a URL and a secret; every
// recall event that concerns it (a recall naming lots it holds, its closure; for the initiator,
// each acknowledgement) becomes a delivery in an outbox table, enqueued from the trace projection
// (trace_events, read in log order behind a cursor, so each ledger event is enqueued once, and
// only once the ledger has admitted it), and POSTed with retries and exponential backoff. The
// body is fixed when enqueued and signed with HMAC-SHA256 under the subscription's secret:
// `X-Milkchain-Signature: sha256=<hex of HMAC(secret, body bytes)>`.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@milkchain/http';
import type { Pool } from '@milkchain/store';
import type { Queryable } from '../lineage/queries.ts';
import { startPolling } from '../polling.ts';

export const SIGNATURE_HEADER = 'x-milkchain-signature';
export const DELIVERY_HEADER = 'x-milkchain-delivery';
export const EVENT_HEADER = 'x-milkchain-event';

export const RECALL_EVENT_KINDS = ['recall.initiated', 'recall.acknowledged', 'recall.closed'] as const;
export type RecallEventKind = (typeof RECALL_EVENT_KINDS)[number];

export interface Subscription {
  id: string;
  org: string;
  url: string;
  events: string[];
  createdAt: string;
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes under the subscription's secret. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What a receiver does: recompute the signature over the raw body and compare in constant time. */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const want = Buffer.from(signBody(secret, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

export async function createSubscription(db: Queryable, s: { org: string; url: string; secret: string; events: readonly string[] }): Promise<Subscription> {
  const { rows } = await db.query<Subscription>(
    `INSERT INTO trace_webhook_subscriptions (id, org, url, secret, events) VALUES ($1, $2, $3, $4, $5::text[])
     RETURNING id, org, url, events, created_at AS "createdAt"`,
    [randomUUID(), s.org, s.url, s.secret, [...s.events]],
  );
  return rows[0]!;
}

export async function listSubscriptions(db: Queryable, org: string): Promise<Subscription[]> {
  const { rows } = await db.query<Subscription>(
    `SELECT id, org, url, events, created_at AS "createdAt" FROM trace_webhook_subscriptions WHERE org = $1 AND active ORDER BY created_at`,
    [org],
  );
  return rows;
}

export async function deleteSubscription(db: Queryable, org: string, id: string): Promise<boolean> {
  const r = await db.query('UPDATE trace_webhook_subscriptions SET active = false WHERE id = $1 AND org = $2 AND active', [id, org]);
  return (r.rowCount ?? 0) > 0;
}

/** Delivery status of a recall's notifications, per organisation (for the recall's view). */
export async function deliveriesOf(db: Queryable, recallId: string): Promise<Array<{ org: string; kind: string; status: string; attempts: number; lastStatus: number | null }>> {
  const { rows } = await db.query<{ org: string; kind: string; status: string; attempts: number; lastStatus: number | null }>(
    `SELECT org, kind, status, attempts, last_status AS "lastStatus" FROM trace_webhook_deliveries WHERE recall_id = $1 ORDER BY created_at, org`,
    [recallId],
  );
  return rows;
}

// ---- enqueueing ---------------------------------------------------------------------------------

interface RecallRow {
  id: string;
  seq: string;
  kind: RecallEventKind;
  org: string;
  occurred_at: Date;
  data: Record<string, unknown>;
  subject: string;
  state: { org: string; data: Record<string, unknown> } | null;
}

interface Lot {
  gtin: string;
  lot: string;
  holdings: Record<string, number>;
}

function message(kind: RecallEventKind, e: RecallRow, recallId: string, to: string): { 'zh-CN': string; en: string } {
  const d = e.data;
  switch (kind) {
    case 'recall.initiated':
      return {
        'zh-CN': `召回通知（${String(d.level)}级）：${recallId}。您持有或即将收到的下列包装批已被暂扣：请立即停止销售、下架封存，并在系统中确认。`,
        en: `Recall notice (class ${String(d.level)}): ${recallId}. The lots below that you hold or are about to receive are on hold: stop selling them, take them off sale, and acknowledge the recall.`,
      };
    case 'recall.acknowledged':
      return { 'zh-CN': `${e.org} 已确认召回 ${recallId}。`, en: `${e.org} has acknowledged the recall ${recallId}.` };
    case 'recall.closed':
      return { 'zh-CN': `召回 ${recallId} 已关闭（${String(d.outcome)}）。`, en: `The recall ${recallId} is closed (${String(d.outcome)}).` };
    default:
      return { 'zh-CN': `召回 ${recallId} 有新动态（${to}）。`, en: `News about the recall ${recallId}.` };
  }
}

/** Who is told of a recall event: the holders of its lots (start, close), the initiator (acknowledgements). */
function recipients(e: RecallRow): string[] {
  const holders = Array.isArray(e.state?.data.holders) ? (e.state.data.holders as string[]) : [];
  if (e.kind === 'recall.acknowledged') return e.state ? [e.state.org] : [];
  return holders;
}

function bodyFor(deliveryId: string, e: RecallRow, to: string, publicUrl: string): string {
  const recallId = String(e.data.recallId);
  const lots = Array.isArray(e.state?.data.lots) ? (e.state.data.lots as Lot[]) : [];
  return JSON.stringify({
    id: deliveryId,
    type: e.kind,
    recallId,
    to,
    message: message(e.kind, e, recallId, to),
    event: { id: e.id, seq: Number(e.seq), kind: e.kind, org: e.org, occurredAt: e.occurred_at.toISOString(), receiptUrl: `${publicUrl}/ledger/v1/events/${e.id}` },
    recall: {
      subject: e.subject,
      initiator: e.state?.org ?? null,
      level: e.state?.data.level ?? null,
      cause: e.state?.data.cause ?? null,
      action: e.state?.data.action ?? null,
      root: e.state?.data.root ?? null,
      // Each lot in scope with what the recipient held of it when the recall started.
      lots: lots.map((l) => ({ gtin: l.gtin, lot: l.lot, unitsYouHeld: l.holdings[to] ?? 0 })),
      url: `${publicUrl}/trace/v1/recalls/${encodeURIComponent(recallId)}`,
      acknowledgeUrl: `${publicUrl}/trace/v1/recalls/${encodeURIComponent(recallId)}/acknowledgements`,
    },
  });
}

const CURSOR = 'recall-webhooks';

/**
 * Enqueues the deliveries of the recall events the trace projection has folded since the last
 * call, and moves the cursor past them, in one transaction. Returns how many deliveries it made.
 */
export async function enqueueRecallNotifications(pool: Pool, opts: { publicUrl?: string; batch?: number } = {}): Promise<number> {
  const publicUrl = (opts.publicUrl ?? '').replace(/\/+$/, '');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO trace_recall_cursor (name) VALUES ($1) ON CONFLICT DO NOTHING', [CURSOR]);
    const cursor = await client.query<{ next_seq: string }>('SELECT next_seq FROM trace_recall_cursor WHERE name = $1 FOR UPDATE', [CURSOR]);
    const from = Number(cursor.rows[0]?.next_seq ?? 0);
    const { rows } = await client.query<RecallRow>(
      `SELECT t.id, t.seq, t.kind, t.org, t.occurred_at, t.data, t.subject, n.state
         FROM trace_events t LEFT JOIN trace_nodes n ON n.subject = t.subject
        WHERE t.seq >= $1 AND t.kind = ANY($2::text[]) ORDER BY t.seq LIMIT $3`,
      [from, [...RECALL_EVENT_KINDS], opts.batch ?? 200],
    );
    let made = 0;
    for (const e of rows) {
      const to = recipients(e);
      if (to.length === 0) continue;
      const subs = await client.query<{ id: string; org: string }>(
        `SELECT id, org FROM trace_webhook_subscriptions WHERE active AND org = ANY($1::text[]) AND (cardinality(events) = 0 OR $2 = ANY(events))`,
        [to, e.kind],
      );
      for (const s of subs.rows) {
        const id = randomUUID();
        const r = await client.query(
          `INSERT INTO trace_webhook_deliveries (id, subscription_id, org, event_id, kind, recall_id, body) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (subscription_id, event_id) DO NOTHING`,
          [id, s.id, s.org, e.id, e.kind, String(e.data.recallId), bodyFor(id, e, s.org, publicUrl)],
        );
        made += r.rowCount ?? 0;
      }
    }
    const last = rows.at(-1);
    if (last) await client.query('UPDATE trace_recall_cursor SET next_seq = $2 WHERE name = $1', [CURSOR, Number(last.seq) + 1]);
    await client.query('COMMIT');
    return made;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

// ---- delivering ---------------------------------------------------------------------------------

export interface DeliveryOptions {
  /** Attempts before a delivery is marked failed (default 8). */
  maxAttempts?: number;
  /** First retry after this long; doubles each attempt (default 2 s), up to `maxBackoffMs` (default 10 min). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Deliveries claimed per round (default 20). */
  batch?: number;
  fetch?: typeof fetch;
}

/** The wait before attempt `attempts + 1`, after `attempts` failed ones. */
export function backoff(attempts: number, opts: Pick<DeliveryOptions, 'backoffMs' | 'maxBackoffMs'> = {}): number {
  const base = opts.backoffMs ?? 2000;
  return Math.min(opts.maxBackoffMs ?? 600_000, base * 2 ** Math.max(0, attempts - 1));
}

/**
 * Sends the deliveries that are due. Each is claimed first (its next attempt moved past the
 * request's timeout), so two workers never send the same one at once; the HTTP call runs outside
 * any transaction. A 2xx answer delivers it; anything else schedules a retry, or fails it after
 * `maxAttempts`. Returns {delivered, failed, retried}.
 */
export async function deliverDue(pool: Pool, opts: DeliveryOptions = {}): Promise<{ delivered: number; retried: number; failed: number }> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxAttempts = opts.maxAttempts ?? 8;
  const send = opts.fetch ?? fetch;
  const { rows } = await pool.query<{ id: string; body: string; kind: string; attempts: number; url: string; secret: string }>(
    `UPDATE trace_webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $1::double precision / 1000)
      FROM trace_webhook_subscriptions s
     WHERE s.id = d.subscription_id AND d.id IN (
       SELECT id FROM trace_webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING d.id, d.body, d.kind, d.attempts, s.url, s.secret`,
    [timeoutMs * 2, opts.batch ?? 20],
  );
  const out = { delivered: 0, retried: 0, failed: 0 };
  await Promise.all(
    rows.map(async (d) => {
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await send(d.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', [SIGNATURE_HEADER]: signBody(d.secret, d.body), [DELIVERY_HEADER]: d.id, [EVENT_HEADER]: d.kind, 'user-agent': 'milkchain-webhooks/1' },
          body: d.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
      } catch (err) {
        error = (err as Error).message.slice(0, 300);
      }
      const attempts = d.attempts + 1;
      if (error === null) {
        await pool.query(`UPDATE trace_webhook_deliveries SET status = 'delivered', attempts = $2, last_status = $3, last_error = NULL, delivered_at = now() WHERE id = $1`, [d.id, attempts, status]);
        out.delivered++;
      } else if (attempts >= maxAttempts) {
        await pool.query(`UPDATE trace_webhook_deliveries SET status = 'failed', attempts = $2, last_status = $3, last_error = $4 WHERE id = $1`, [d.id, attempts, status, error]);
        out.failed++;
      } else {
        await pool.query(
          `UPDATE trace_webhook_deliveries SET attempts = $2, last_status = $3, last_error = $4, next_attempt_at = now() + make_interval(secs => $5::double precision / 1000) WHERE id = $1`,
          [d.id, attempts, status, error, backoff(attempts, opts)],
        );
        out.retried++;
      }
    }),
  );
  return out;
}

export interface NotifierOptions extends DeliveryOptions {
  pool: Pool;
  logger: Logger;
  /** Base URL the notifications link to (default relative). */
  publicUrl?: string;
  /** How often to look for new recall events and due deliveries (default 500 ms). */
  pollMs?: number;
}

export interface Notifier {
  /** One round now: enqueue, then deliver what is due. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** The background loop: enqueue new recall events' deliveries, send the due ones, sleep, again. */
export function startRecallNotifier(opts: NotifierOptions): Notifier {
  const round = async () => {
    await enqueueRecallNotifications(opts.pool, opts.publicUrl === undefined ? {} : { publicUrl: opts.publicUrl });
    await deliverDue(opts.pool, opts);
  };
  const loop = startPolling({
    pollMs: opts.pollMs ?? 500,
    round,
    onError: (err) => opts.logger.error('recall notifications: round failed', { error: (err as Error).message }),
  });
  return { runOnce: round, stop: () => loop.stop() };
}
