// Scans and webhook deliveries over a real PostgreSQL (the tables of migration 20261123171000_recalls).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, type Pool } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { COPY_WARNING, flaggedSerials, recordScan, scanVerdict, type ScanThresholds } from '../src/scans/scans.ts';
import { createSubscription, deliverDue, enqueueRecallNotifications, signBody } from '../src/recall/webhooks.ts';

let pool: Pool;
const T: ScanThresholds = { maxPlaces: 3, maxScans: 20, windowHours: 24 };
const NOW = new Date('2026-11-20T12:00:00Z');
const code = (serial: string) => ({ gtin: '06901234000016', lot: '261112U1', serial });
const at = (minutesBefore: number) => new Date(NOW.getTime() - minutesBefore * 60_000);

beforeAll(async () => {
  pool = createPool(await createTestDatabase(inject('postgresUrl'), 'scans'), 4);
});

afterAll(async () => {
  await pool?.end();
});

describe('scan verdicts', () => {
  it('a code scanned 20 times in 3 places in a day is not flagged', async () => {
    for (let i = 0; i < 20; i++) await recordScan(pool, { ...code('S-OK'), coarseLocation: ['呼和浩特', '包头', '鄂尔多斯'][i % 3]!, at: at(i * 30) });
    const v = await scanVerdict(pool, code('S-OK'), T, NOW);
    expect(v).toMatchObject({ flagged: false, reasons: [], scans: 20, recentScans: 20, places: 3, warning: null });
  });

  it('a fourth place flags it, with the warning the page shows', async () => {
    for (const [i, place] of ['呼和浩特', '包头', '鄂尔多斯', '广州'].entries()) await recordScan(pool, { ...code('S-PLACES'), coarseLocation: place, at: at(i) });
    const v = await scanVerdict(pool, code('S-PLACES'), T, NOW);
    expect(v.flagged).toBe(true);
    expect(v.places).toBe(4);
    expect(v.reasons.map((r) => r.code)).toEqual(['scans.many-places']);
    expect(v.warning).toEqual(COPY_WARNING);
    expect(v.warning!['zh-CN']).toBe('此码已在多地被扫描，可能是仿冒品');
  });

  it('a 21st scan within 24 hours flags it; scans older than the window do not count', async () => {
    for (let i = 0; i < 21; i++) await recordScan(pool, { ...code('S-OFTEN'), coarseLocation: '呼和浩特', at: at(i) });
    for (let i = 0; i < 30; i++) await recordScan(pool, { ...code('S-OLD'), coarseLocation: null, at: at(25 * 60 + i) });
    const often = await scanVerdict(pool, code('S-OFTEN'), T, NOW);
    expect(often).toMatchObject({ flagged: true, scans: 21, recentScans: 21, places: 1 });
    expect(often.reasons.map((r) => r.code)).toEqual(['scans.too-often']);
    expect(often.warning!.en).toMatch(/may be a copy/);
    const old = await scanVerdict(pool, code('S-OLD'), T, NOW);
    expect(old).toMatchObject({ flagged: false, scans: 30, recentScans: 0, places: 0 });
  });

  it('thresholds come from configuration', async () => {
    expect((await scanVerdict(pool, code('S-OK'), { ...T, maxPlaces: 2 }, NOW)).flagged).toBe(true);
    expect((await scanVerdict(pool, code('S-OFTEN'), { ...T, maxScans: 21 }, NOW)).flagged).toBe(false);
  });

  it('the regulator\'s list holds exactly the flagged serials, and the table holds no personal data', async () => {
    const flagged = await flaggedSerials(pool, T, { now: NOW });
    expect(flagged.map((f) => f.serial).sort()).toEqual(['S-OFTEN', 'S-PLACES']);
    expect(flagged.find((f) => f.serial === 'S-PLACES')).toMatchObject({ places: 4, placeNames: ['包头', '呼和浩特', '广州', '鄂尔多斯'].sort(), reasons: ['scans.many-places'] });
    const { rows } = await pool.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'trace_scans' ORDER BY ordinal_position`);
    expect(rows.map((r) => r.column_name)).toEqual(['n', 'gtin', 'lot', 'serial', 'place', 'at']);
  });
});

describe('webhook deliveries', () => {
  let server: Server;
  let url = '';
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let failFirst = 2;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = failFirst-- > 0 ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hook`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('a recall event in the projection is enqueued once per subscribed holder, retried with backoff after failures, and delivered signed', async () => {
    const secret = 'shop-secret-0123456789';
    await createSubscription(pool, { org: 'org_shop', url, secret, events: [] });
    await createSubscription(pool, { org: 'org_elsewhere', url, secret: 'other-secret-0123456789', events: [] });
    const state = { org: 'org_samr', data: { holders: ['org_shop'], level: 'I', lots: [{ gtin: '06901234000016', lot: '261112U1', holdings: { org_shop: 12 } }] } };
    await pool.query(
      `INSERT INTO trace_nodes (subject, type, org, head, head_seq, created_at, updated_at, species, holders, status, state)
       VALUES ('urn:milkchain:recall:RC-1', 'recall', 'org_samr', $1, 7, now(), now(), '{}', '{}', 'active', $2::jsonb)`,
      ['e'.repeat(64), JSON.stringify(state)],
    );
    await pool.query(
      `INSERT INTO trace_events (id, seq, subject, kind, org, occurred_at, data) VALUES ($1, 7, 'urn:milkchain:recall:RC-1', 'recall.initiated', 'org_samr', now(), $2::jsonb)`,
      ['e'.repeat(64), JSON.stringify({ recallId: 'RC-1', level: 'I' })],
    );
    expect(await enqueueRecallNotifications(pool)).toBe(1);
    expect(await enqueueRecallNotifications(pool)).toBe(0);

    const opts = { backoffMs: 1, maxBackoffMs: 5, maxAttempts: 5 };
    expect(await deliverDue(pool, opts)).toEqual({ delivered: 0, retried: 1, failed: 0 });
    const after1 = await pool.query<{ attempts: number; last_status: number; wait: number }>(
      `SELECT attempts, last_status, extract(epoch FROM next_attempt_at - now()) * 1000 AS wait FROM trace_webhook_deliveries`,
    );
    expect(after1.rows[0]).toMatchObject({ attempts: 1, last_status: 503 });
    for (let i = 0; i < 50 && received.length < 3; i++) {
      await deliverDue(pool, opts);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(received.length).toBe(3);
    const { rows } = await pool.query<{ status: string; attempts: number }>('SELECT status, attempts FROM trace_webhook_deliveries');
    expect(rows).toEqual([{ status: 'delivered', attempts: 3 }]);
    // Every attempt sent the same bytes under the same valid signature.
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    for (const r of received) expect(r.headers['x-milkchain-signature']).toBe(signBody(secret, r.body));
    const body = JSON.parse(received[0]!.body) as { type: string; recallId: string; to: string; message: { 'zh-CN': string; en: string }; recall: { lots: unknown[] } };
    expect(body).toMatchObject({ type: 'recall.initiated', recallId: 'RC-1', to: 'org_shop', recall: { lots: [{ gtin: '06901234000016', lot: '261112U1', unitsYouHeld: 12 }] } });
    expect(body.message['zh-CN']).toMatch(/召回通知/);
    expect(body.message.en).toMatch(/^Recall notice/);
  });

  it('a receiver that never answers 2xx is given up after maxAttempts', async () => {
    await pool.query(`UPDATE trace_webhook_subscriptions SET url = 'http://127.0.0.1:1/closed'`);
    await pool.query(`INSERT INTO trace_events (id, seq, subject, kind, org, occurred_at, data) VALUES ($1, 8, 'urn:milkchain:recall:RC-1', 'recall.closed', 'org_samr', now(), $2::jsonb)`, [
      'f'.repeat(64),
      JSON.stringify({ recallId: 'RC-1', outcome: 'completed' }),
    ]);
    expect(await enqueueRecallNotifications(pool)).toBe(1);
    const opts = { backoffMs: 1, maxBackoffMs: 2, maxAttempts: 3, timeoutMs: 1000 };
    for (let i = 0; i < 100; i++) {
      const { rows } = await pool.query<{ status: string }>(`SELECT status FROM trace_webhook_deliveries WHERE kind = 'recall.closed'`);
      if (rows[0]?.status === 'failed') break;
      await deliverDue(pool, opts);
      await new Promise((r) => setTimeout(r, 10));
    }
    const { rows } = await pool.query<{ status: string; attempts: number; last_error: string }>(`SELECT status, attempts, last_error FROM trace_webhook_deliveries WHERE kind = 'recall.closed'`);
    expect(rows[0]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(rows[0]!.last_error.length).toBeGreaterThan(0);
  });
});
