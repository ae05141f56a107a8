// The read side of `npm run bench:ledger`: inclusion proof serving, proof verification and the
// audit, each next to a baseline measured in the same run. Called by ledger.bench.ts once the
// log has been grown to its benchmark size.
import type { Server } from 'node:http';
import { fromHex, sha256, verifyInclusion } from '@milkchain/ledger';
import type { Pool } from '@milkchain/store';
import { createLedgerApp } from '../src/app.ts';
import { audit, storeSource } from '../src/audit.ts';
import type { LogKey } from '../src/keys.ts';
import { LedgerLog } from '../src/log.ts';
import type { Sequencer } from '../src/sequencer.ts';
import type { PostgresLedgerStore } from '../src/store/postgres.ts';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;
const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString('en-US');

export interface ReadSideDeps {
  store: PostgresLedgerStore;
  pool: Pool;
  sequencer: Sequencer;
  logKey: LogKey;
  /** Entries in the log (the sequencer's size). */
  size: number;
  operatorOrg: string;
  /** Prints one table row (and keeps it for the caller). */
  row: (...cells: string[]) => void;
}

export async function readSide({ store, pool, sequencer, logKey, size, operatorOrg, row }: ReadSideDeps): Promise<void> {
  console.log(`\n## Inclusion proof serving over HTTP, log of ${size.toLocaleString('en-US')} entries`);
  const app = createLedgerApp({ store, sequencer, logKey, operatorOrg, adminToken: 'bench-admin-token-0000', logger: { info() {}, warn() {}, error() {} } });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const port = (server.address() as { port: number }).port;
  const sampleIds: string[] = [];
  const { rows: idRows } = await pool.query<{ id: Buffer }>('SELECT id FROM ledger_entries WHERE seq = ANY($1::bigint[])', [
    Array.from({ length: 3000 }, () => Math.floor(Math.random() * size)),
  ]);
  for (const r of idRows) sampleIds.push(r.id.toString('hex'));
  async function timeRequests(paths: string[], concurrency: number) {
    const latencies: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < paths.length) {
          const p = paths[next++]!;
          const start = performance.now();
          const res = await fetch(`http://127.0.0.1:${port}${p}`);
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`${p}: ${res.status}`);
          latencies.push(performance.now() - start);
        }
      }),
    );
    return { latencies, seconds: (performance.now() - t0) / 1000 };
  }
  const proofPaths = sampleIds.map((id) => `/ledger/v1/proofs/inclusion?id=${id}&treeSize=${size}`);
  row('what', 'requests', 'p50', 'p99', 'req/s');
  const cold = await timeRequests(proofPaths, 4);
  row('inclusion proof, 4 in flight, first touch of each tile (cold cache)', String(proofPaths.length), ms(pct(cold.latencies, 50)), ms(pct(cold.latencies, 99)), rate(proofPaths.length, cold.seconds));
  const warm = await timeRequests(proofPaths, 4);
  row('inclusion proof, 4 in flight, warm tile cache', String(proofPaths.length), ms(pct(warm.latencies, 50)), ms(pct(warm.latencies, 99)), rate(proofPaths.length, warm.seconds));
  const health = await timeRequests(proofPaths.map(() => '/healthz'), 4);
  row('baseline: GET /healthz, 4 in flight (HTTP round trip, no I/O)', String(proofPaths.length), ms(pct(health.latencies, 50)), ms(pct(health.latencies, 99)), rate(proofPaths.length, health.seconds));
  // The load generator shares this process's event loop with the server: at 4 in flight each
  // request also waits for the others. One at a time shows the serving latency itself.
  const single = await timeRequests(proofPaths.slice(0, 1500), 1);
  row('inclusion proof, one request at a time', '1500', ms(pct(single.latencies, 50)), ms(pct(single.latencies, 99)), rate(1500, single.seconds));
  const singleHealth = await timeRequests(proofPaths.slice(0, 1500).map(() => '/healthz'), 1);
  row('baseline: GET /healthz, one at a time', '1500', ms(pct(singleHealth.latencies, 50)), ms(pct(singleHealth.latencies, 99)), rate(1500, singleHealth.seconds));
  const lookups: number[] = [];
  for (const id of sampleIds) {
    const start = performance.now();
    await pool.query('SELECT seq FROM ledger_entries WHERE id = $1', [Buffer.from(id, 'hex')]);
    lookups.push(performance.now() - start);
  }
  row('baseline: bare indexed lookup by id (pg, no HTTP)', String(sampleIds.length), ms(pct(lookups, 50)), ms(pct(lookups, 99)), '-');
  server.close();

  console.log('\n## Proof verification (in process)');
  const root = fromHex(sequencer.checkpoint.rootHash);
  const entriesForProofs = (await pool.query<{ id: Buffer; seq: number }>('SELECT id, seq FROM ledger_entries WHERE seq = ANY($1::bigint[])', [Array.from({ length: 500 }, () => Math.floor(Math.random() * size))])).rows;
  const log = new LedgerLog(store, sequencer);
  const prepared = await Promise.all(entriesForProofs.map(async (e) => ({ leaf: new Uint8Array(e.id), seq: e.seq, proof: (await log.inclusionProof(e.seq, size)).map(fromHex) })));
  const ROUNDS = 20;
  let t = performance.now();
  for (let r = 0; r < ROUNDS; r++) for (const p of prepared) verifyInclusion(p.leaf, p.seq, size, p.proof, root);
  const verifyUs = ((performance.now() - t) * 1000) / (ROUNDS * prepared.length);
  const buf = new Uint8Array(65);
  t = performance.now();
  for (let i = 0; i < 200_000; i++) sha256(buf);
  const hashUs = ((performance.now() - t) * 1000) / 200_000;
  row('what', 'µs each');
  row(`verify an inclusion proof (${prepared[0]?.proof.length ?? 0} hashes, log of ${size})`, verifyUs.toFixed(2));
  row('baseline: one SHA-256 of a 65-byte node', hashUs.toFixed(3));

  console.log(`\n## Audit (milkchain verify over the database), ${size.toLocaleString('en-US')} entries`);
  const report = await audit(storeSource(store), { logKeys: (await store.logKeys()) as never[], trust: 'bench', operatorOrg });
  if (!report.ok) console.log(`  audit found issues: ${JSON.stringify(report.issues.slice(0, 3))}`);
  t = performance.now();
  let hashed = 0;
  for (let start = 0; start < size; start += 5000) {
    const page = await store.entries(start, 5000);
    for (const e of page) {
      sha256(e.canonical);
      hashed++;
    }
  }
  const readSeconds = (performance.now() - t) / 1000;
  row('what', 'entries', 'seconds', 'entries/s');
  row(`full audit (ok=${report.ok}: hashes, canonical form, chains, inputs, signatures, ${report.checkpoints} checkpoints, ${report.tiles} tiles)`, String(report.entries), report.seconds.toFixed(1), rate(report.entries, report.seconds));
  row('baseline: read every entry and SHA-256 it, nothing else', String(hashed), readSeconds.toFixed(1), rate(hashed, readSeconds));
}
