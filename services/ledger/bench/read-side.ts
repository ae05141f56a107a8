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
import { startLoadGenerator, type LoadJob } from '@milkchain/http/testing';

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
  /** Which sections to run (all by default): to iterate on one of them. */
  sections?: ReadonlyArray<'proofs' | 'verification' | 'audit'>;
}

export async function readSide(deps: ReadSideDeps): Promise<void> {
  const sections = deps.sections ?? ['proofs', 'verification', 'audit'];
  if (sections.includes('proofs')) await proofServing(deps);
  if (sections.includes('verification')) await proofVerification(deps);
  if (sections.includes('audit')) await auditRate(deps);
}

async function proofServing({ store, pool, sequencer, logKey, size, operatorOrg, row }: ReadSideDeps): Promise<void> {
  console.log(`\n## Inclusion proof serving over HTTP, log of ${size.toLocaleString('en-US')} entries`);
  console.log('(load generator in a separate process: node:http, keep-alive; the server alone in this one)');
  // The id -> seq index is built from the stored level-0 tiles before the measurements (a
  // server builds it in the background from its first proof request on; lookups go to the
  // database until then). Its build time is reported on its own.
  const ledgerLog = new LedgerLog(store, sequencer);
  const indexStart = performance.now();
  await ledgerLog.catchUpIndex();
  console.log(`(id index built from the stored tiles: ${size.toLocaleString('en-US')} entries in ${((performance.now() - indexStart) / 1000).toFixed(2)} s)`);
  const app = createLedgerApp({ store, sequencer, logKey, operatorOrg, adminToken: 'bench-admin-token-0000', logger: { info() {}, warn() {}, error() {} }, log: ledgerLog });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  // Each measurement asks for ids no earlier one asked for: nothing is served from a cache that
  // a previous phase filled with the same ids (tiles are shared by many ids, as in production).
  const PER_PHASE = 3000;
  const PHASES = 6;
  const { rows: idRows } = await pool.query<{ id: Buffer }>('SELECT id FROM ledger_entries WHERE seq = ANY($1::bigint[])', [
    Array.from({ length: PER_PHASE * PHASES * 1.1 }, () => Math.floor(Math.random() * size)),
  ]);
  const ids = [...new Set(idRows.map((r) => r.id.toString('hex')))];
  const phase = (i: number) => ids.slice(i * PER_PHASE, (i + 1) * PER_PHASE).map((id) => `/ledger/v1/proofs/inclusion?id=${id}&treeSize=${size}`);
  const generator = startLoadGenerator();
  const load = (job: LoadJob) => generator.run(job);
  // Server CPU per request (this process: user + system time over the phase) does not depend on
  // what else the machine is running, unlike the latencies: compare it across runs.
  const measure = async (label: string, job: LoadJob) => {
    const cpu = process.cpuUsage();
    const r = await load(job);
    const used = process.cpuUsage(cpu);
    if (r.failures > 0) throw new Error(`${label}: ${r.failures} requests failed, first: ${r.firstFailure}`);
    const cpuUs = (used.user + used.system) / r.latencies.length;
    row(label, String(r.latencies.length), ms(pct(r.latencies, 50)), ms(pct(r.latencies, 99)), ms(Math.max(...r.latencies)), rate(r.latencies.length, r.seconds), `${Math.round(cpuUs)} µs`);
  };
  const health = (n: number) => Array.from({ length: n }, () => '/healthz');
  try {
    // Warm-up of the client, the server's code paths and the connection (not a measurement).
    await load({ kind: 'closed', base, paths: health(500), concurrency: 1 });
    row('what', 'requests', 'p50', 'p99', 'max', 'req/s', 'server CPU / request');
    await measure('inclusion proof, one at a time, first touch of each tile (cold expanded-tile cache)', { kind: 'closed', base, paths: phase(0), concurrency: 1 });
    await measure('inclusion proof, one at a time', { kind: 'closed', base, paths: phase(1), concurrency: 1 });
    await measure('baseline: GET /healthz, one at a time (HTTP round trip, no I/O)', { kind: 'closed', base, paths: health(PER_PHASE), concurrency: 1 });
    for (const [i, offered] of [
      [2, 200],
      [3, 500],
    ] as const) {
      await measure(`inclusion proof, open loop at ${offered} req/s offered`, { kind: 'open', base, paths: phase(i), rate: offered });
      await measure(`baseline: GET /healthz, open loop at ${offered} req/s offered`, { kind: 'open', base, paths: health(PER_PHASE), rate: offered });
    }
    await measure('inclusion proof, 4 in flight (closed loop, throughput)', { kind: 'closed', base, paths: phase(4), concurrency: 4 });
  } finally {
    generator.close();
  }
  const lookups: number[] = [];
  for (const id of ids.slice(5 * PER_PHASE, 6 * PER_PHASE)) {
    const start = performance.now();
    await pool.query('SELECT seq FROM ledger_entries WHERE id = $1', [Buffer.from(id, 'hex')]);
    lookups.push(performance.now() - start);
  }
  row('baseline: bare indexed lookup by id (pg, in process, no HTTP)', String(lookups.length), ms(pct(lookups, 50)), ms(pct(lookups, 99)), ms(Math.max(...lookups)), '-', '-');
  server.close();
}

async function proofVerification({ store, pool, sequencer, size, row }: ReadSideDeps): Promise<void> {
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
}

async function auditRate({ store, size, operatorOrg, row }: ReadSideDeps): Promise<void> {
  console.log(`\n## Audit (milkchain verify over the database), ${size.toLocaleString('en-US')} entries`);
  console.log('(per-entry order-free checks on 0, 1 or 2 worker threads; 2 cores shared with PostgreSQL streaming the log)');
  const logKeys = (await store.logKeys()) as never[];
  const audits: Array<{ workers: number; report: Awaited<ReturnType<typeof audit>>; cpuUs: number }> = [];
  for (const workers of [0, 1, 2]) {
    // CPU of this process includes its worker threads (process.cpuUsage counts every thread).
    const cpu = process.cpuUsage();
    const report = await audit(storeSource(store), { logKeys, trust: 'bench', operatorOrg, workers });
    const used = process.cpuUsage(cpu);
    if (!report.ok) console.log(`  audit (${workers} workers) found issues: ${JSON.stringify(report.issues.slice(0, 3))}`);
    audits.push({ workers, report, cpuUs: (used.user + used.system) / report.entries });
  }
  // Baselines: the audit's own reader (one binary COPY) with a SHA-256 of each entry and nothing
  // else, and the paged reader it used before (SELECT pages of 5,000 through node-postgres).
  let t = performance.now();
  let scanned = 0;
  for await (const chunk of store.scanEntries(0, size)) {
    for (const e of chunk) sha256(e.canonical);
    scanned += chunk.length;
  }
  const scanSeconds = (performance.now() - t) / 1000;
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
  row('what', 'entries', 'seconds', 'entries/s', 'CPU of this process / entry');
  for (const { workers, report, cpuUs } of audits) {
    row(
      `full audit, ${workers === 0 ? 'all on the main thread' : `${workers} worker thread${workers > 1 ? 's' : ''} (start-up included)`} (ok=${report.ok}: hashes, canonical form, chains, inputs, signatures, ${report.checkpoints} checkpoints, ${report.tiles} tiles)`,
      String(report.entries),
      report.seconds.toFixed(1),
      rate(report.entries, report.seconds),
      `${cpuUs.toFixed(1)} µs`,
    );
  }
  row('baseline: read every entry with the audit\'s COPY reader and SHA-256 it, nothing else', String(scanned), scanSeconds.toFixed(1), rate(scanned, scanSeconds), '-');
  row('baseline: read every entry in SELECT pages of 5,000 and SHA-256 it, nothing else', String(hashed), readSeconds.toFixed(1), rate(hashed, readSeconds), '-');
}
