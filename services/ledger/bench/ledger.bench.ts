// npm run bench:ledger: the ledger's figures, each next to a baseline measured in the same run.
// Embedded PostgreSQL with fsync on (durable, as in production). BENCH_LOG_SIZE sets the size of
// the log used for proof serving and audit (default 1,000,000).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { kindInfo } from '@milkchain/domain';
import { canonicalBytes, eventIdFromBytes, fromHex, generateOrgKey, sha256, signEventId, signEventIds, verifyInclusion, type LedgerEvent } from '@milkchain/ledger';
import { createPool, migrate, startEmbeddedPostgres } from '@milkchain/store';
import { admit, OrgKeyCache } from '../src/admission.ts';
import { createLedgerApp } from '../src/app.ts';
import { audit, storeSource } from '../src/audit.ts';
import { generateLogKeyJwk, logKeyFromJwk } from '../src/keys.ts';
import { LedgerLog } from '../src/log.ts';
import { Operator } from '../src/operator.ts';
import { Sequencer } from '../src/sequencer.ts';
import { PostgresLedgerStore } from '../src/store/postgres.ts';

const LOG_SIZE = Number(process.env.BENCH_LOG_SIZE ?? 1_000_000);
const OPERATOR = 'org_milkchain';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;
const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString('en-US');
const rows: string[][] = [];
const row = (...cells: string[]) => {
  rows.push(cells);
  console.log(cells.join('  |  '));
};

const dir = mkdtempSync(path.join(tmpdir(), 'milkchain-bench-'));
chmodSync(dir, 0o755);
const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), durable: true });
const url = await pg.createDatabase('bench');
await migrate(url);
const pool = createPool(url, 8);
const store = new PostgresLedgerStore(pool);
const logKey = await logKeyFromJwk(await generateLogKeyJwk());
await store.addLogKey(logKey.kid, logKey.publicJwk);
let sequencer = new Sequencer({ store, logKey, origin: 'bench.milkchain/ledger' });
await sequencer.start();

// One farm whose key is registered through the log, as in production.
const farm = await generateOrgKey();
await new Operator({ store, sequencer, logKey, operatorOrg: OPERATOR, clock: () => new Date() }).registerOrgKey('org_bench_farm', { jwk: farm.publicJwk });
const keys = new OrgKeyCache(store);
const template = kindInfo('milk.collected', 1)!.fixture as LedgerEvent;
let serial = 0;
function makeEvent(): LedgerEvent {
  serial++;
  return { ...template, org: 'org_bench_farm', subject: `urn:milkchain:collection:bench-${serial}`, prev: null, inputs: [] };
}
/** Submission bodies as a client would send them: one JWS per event, or one bulk JWS. */
async function makeBodies(batch: number, count: number) {
  const bodies: Array<{ events: LedgerEvent[]; signatures: string[] }> = [];
  for (let i = 0; i < count; i += batch) {
    const events = Array.from({ length: Math.min(batch, count - i) }, makeEvent);
    const ids = events.map((e) => eventIdFromBytes(canonicalBytes(e)));
    const signatures = events.length === 1 ? [await signEventId(ids[0]!, farm.privateJwk, farm.kid)] : [await signEventIds(ids, farm.privateJwk, farm.kid)];
    bodies.push({ events, signatures });
  }
  return bodies;
}

/** Admits (schema + signature) and sequences each body; `inFlight` submissions at a time. */
async function runAppend(bodies: Array<{ events: LedgerEvent[]; signatures: string[] }>, inFlight: number) {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const start = performance.now();
        await sequencer.submit(await admit(body, keys));
        latencies.push(performance.now() - start);
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, latencies };
}

/** The ceiling: the same rows written by a bare COPY, one transaction per batch, no hashing or checks. */
async function runCopy(batch: number, count: number, inFlight: number) {
  await pool.query('CREATE TABLE IF NOT EXISTS bench_copy (LIKE ledger_entries INCLUDING ALL)');
  await pool.query('TRUNCATE bench_copy');
  const sample = (await store.entries(1, 1))[0]!;
  let seq = 0;
  let next = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      const client = await pool.connect();
      try {
        while (next < count) {
          const n = Math.min(batch, count - next);
          next += n;
          const lines: string[] = [];
          for (let i = 0; i < n; i++) {
            const s = seq++;
            const id = Buffer.from(sha256(Buffer.from(String(s)))).toString('hex');
            lines.push(`${s}\t\\\\x${id}\t${sample.subject}-${s}\t${sample.kind}\t${sample.org}\t\\N\t\\\\x${Buffer.from(sample.canonical).toString('hex')}\t${sample.signature ?? '\\N'}\t\\N\t2026-11-23 00:00:00+00\n`);
          }
          const start = performance.now();
          await client.query('BEGIN');
          await pipeline(Readable.from(lines), client.query(copyFrom('COPY bench_copy (seq, id, subject, kind, org, prev, canonical, signature, bulk_id, received_at) FROM STDIN')));
          await client.query('COMMIT');
          latencies.push(performance.now() - start);
        }
      } finally {
        client.release();
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, latencies };
}

console.log(`milkchain ledger benchmark, ${new Date().toISOString()}, node ${process.version}, PostgreSQL 17 embedded, fsync on`);
console.log('\n## Durable append (schema + Ed25519 signature verified, sequenced, committed, checkpoint signed)');
row('batch', 'events', 'milkchain events/s', 'commit p50', 'commit p99', 'bare COPY events/s', 'COPY p50', 'COPY p99', 'milkchain / COPY');
for (const [batch, count] of [
  [1, 2_000],
  [10, 10_000],
  [100, 40_000],
  [1000, 100_000],
] as const) {
  await sequencer.stop();
  sequencer = new Sequencer({ store, logKey, origin: 'bench.milkchain/ledger', maxBatch: batch });
  await sequencer.start();
  const bodies = await makeBodies(batch, count);
  const ours = await runAppend(bodies, batch === 1 ? 16 : 2);
  const copy = await runCopy(batch, count, batch === 1 ? 16 : 2);
  const oursRate = count / ours.seconds;
  const copyRate = count / copy.seconds;
  row(String(batch), String(count), rate(count, ours.seconds), ms(pct(ours.latencies, 50)), ms(pct(ours.latencies, 99)), rate(count, copy.seconds), ms(pct(copy.latencies, 50)), ms(pct(copy.latencies, 99)), `${((100 * oursRate) / copyRate).toFixed(0)} %`);
}

// Grow the log for the read-side figures.
await sequencer.stop();
sequencer = new Sequencer({ store, logKey, origin: 'bench.milkchain/ledger', maxBatch: 1000 });
await sequencer.start();
const have = await store.size();
if (have < LOG_SIZE) {
  const t0 = performance.now();
  let done = have;
  while (done < LOG_SIZE) {
    const chunk = Math.min(50_000, LOG_SIZE - done);
    await runAppend(await makeBodies(1000, chunk), 2);
    done += chunk;
    process.stderr.write(`\r  growing the log: ${done.toLocaleString('en-US')} / ${LOG_SIZE.toLocaleString('en-US')} entries`);
  }
  process.stderr.write('\n');
  console.log(`\n(log grown to ${done.toLocaleString('en-US')} entries at ${rate(done - have, (performance.now() - t0) / 1000)} events/s, generation and signing included)`);
}
const size = sequencer.size;

console.log(`\n## Inclusion proof serving over HTTP, log of ${size.toLocaleString('en-US')} entries`);
const app = createLedgerApp({ store, sequencer, logKey, operatorOrg: OPERATOR, adminToken: 'bench-admin-token-0000', logger: { info() {}, warn() {}, error() {} } });
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
const report = await audit(storeSource(store), { logKeys: (await store.logKeys()) as never[], trust: 'bench', operatorOrg: OPERATOR });
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

await sequencer.stop();
await pool.end();
await pg.stop();
rmSync(dir, { recursive: true, force: true });
