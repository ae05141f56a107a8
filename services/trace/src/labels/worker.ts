// The label worker: every lot the lineage projection has seen packed gets its Digital Link QR code
// (SVG and PNG) rendered once into labels_qr. Rendering costs milliseconds of CPU per code, so it
// runs here, after the projection's transaction, never inside it. The worker reads trace_events
// for `lot.packed` past its own cursor (table labels_worker); the projection commits in log order,
// so nothing can appear behind the cursor later. A code that fails to render stops the round at
// that entry (the cursor stays before it) and is tried again on the next one.
import { ensureLotLabel, type LabelCache, type QrRenderer } from '@milkchain/labels';
import type { Logger } from '@milkchain/http';
import type { Pool } from '@milkchain/store';
import { startPolling } from '../polling.ts';

export const LABEL_WORKER_NAME = 'lot-packed';

export interface LabelWorkerOptions {
  pool: Pool;
  cache: LabelCache;
  /** The resolver's public base URL the codes point to. */
  resolverBase: string;
  logger: Logger;
  /** How often to look for newly packed lots (default 500 ms). */
  pollMs?: number;
  /** Entries read per round (default 200). */
  batch?: number;
  render?: QrRenderer;
}

export interface LabelWorker {
  /** One round now: render the codes of lots packed past the cursor; returns how many were seen. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

interface Packed {
  seq: string;
  gtin: string | null;
  lot: string | null;
}

async function cursorOf(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ last_seq: string }>('SELECT last_seq FROM labels_worker WHERE name = $1', [LABEL_WORKER_NAME]);
  return rows[0]?.last_seq ?? '-1';
}

async function advance(pool: Pool, seq: string): Promise<void> {
  await pool.query(
    `INSERT INTO labels_worker (name, last_seq) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET last_seq = GREATEST(labels_worker.last_seq, EXCLUDED.last_seq), updated_at = now()`,
    [LABEL_WORKER_NAME, seq],
  );
}

/** One round of the worker (exported for tests and the one-shot use). */
export async function renderPackedLots(opts: Omit<LabelWorkerOptions, 'pollMs'>): Promise<number> {
  const from = await cursorOf(opts.pool);
  const { rows } = await opts.pool.query<Packed>(
    `SELECT seq::text AS seq, data->>'gtin' AS gtin, data->>'lot' AS lot FROM trace_events
      WHERE kind = 'lot.packed' AND seq > $1 ORDER BY seq LIMIT $2`,
    [from, opts.batch ?? 200],
  );
  let done = 0;
  try {
    for (const r of rows) {
      if (r.gtin && r.lot) await ensureLotLabel(opts.cache, opts.resolverBase, { type: 'gtin', gtin: r.gtin, lot: r.lot }, ...(opts.render ? [opts.render] : []));
      done++;
    }
  } finally {
    const last = rows[done - 1];
    if (last) await advance(opts.pool, last.seq);
  }
  return done;
}

/** The background loop: render, sleep, again; a failed round is logged and retried. */
export function startLabelWorker(opts: LabelWorkerOptions): LabelWorker {
  const round = () => renderPackedLots(opts);
  const loop = startPolling({
    pollMs: opts.pollMs ?? 500,
    // A full batch means more may be waiting: go again at once.
    round: async () => (await round()) === (opts.batch ?? 200),
    onError: (err) => opts.logger.error('labels: round failed', { error: (err as Error).message }),
  });
  return { runOnce: round, stop: () => loop.stop() };
}
