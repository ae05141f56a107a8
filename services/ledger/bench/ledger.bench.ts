// npm run bench:ledger: the ledger's figures, each next to a baseline measured in the same run.
// Embedded PostgreSQL with fsync on (durable, as in production). BENCH_LOG_SIZE sets the size of
// the log used for proof serving and audit (default 1,000,000).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { kindInfo } from '@milkchain/domain';
import { canonicalBytes, eventIdFromBytes, generateOrgKey, sha256, signEventId, signEventIds, type LedgerEvent } from '@milkchain/ledger';
import { createPool, migrate, startEmbeddedPostgres } from '@milkchain/store';
import { admit, OrgKeyCache } from '../src/admission.ts';
import { generateLogKeyJwk, logKeyFromJwk } from '../src/keys.ts';
import { Operator } from '../src/operator.ts';
import { Sequencer } from '../src/sequencer.ts';
import { PostgresLedgerStore } from '../src/store/postgres.ts';
import { readSide } from './read-side.ts';

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

await readSide({ store, pool, sequencer, logKey, size, operatorOrg: OPERATOR, row });

await sequencer.stop();
await pool.end();
await pg.stop();
rmSync(dir, { recursive: true, force: true });
