/**
 * LabelCache on PostgreSQL: table `labels_qr` (migration 20261123150000_labels). Raw SQL on the
 * service's pool, one statement per call; `ON CONFLICT DO NOTHING` makes the first writer win
 * across processes.
 */
import type { Pool } from '@milkchain/store';
import type { LabelCache, RenderedQr } from './cache.ts';

interface Row {
  uri: string;
  svg: string;
  png: Buffer;
}

export function createPgLabelCache(pool: Pool): LabelCache {
  const get = async (uri: string): Promise<RenderedQr | undefined> => {
    const { rows } = await pool.query<Row>('SELECT uri, svg, png FROM labels_qr WHERE uri = $1', [uri]);
    return rows[0];
  };
  return {
    get,
    async putIfAbsent(qr) {
      const { rows } = await pool.query<Row>(
        'INSERT INTO labels_qr (uri, svg, png) VALUES ($1, $2, $3) ON CONFLICT (uri) DO NOTHING RETURNING uri, svg, png',
        [qr.uri, qr.svg, qr.png],
      );
      const stored = rows[0] ?? (await get(qr.uri));
      // Rows are never deleted, so a conflicting row is there to read.
      if (!stored) throw new Error(`labels_qr lost the row for ${qr.uri}`);
      return stored;
    },
  };
}
