// npm run bench:trace [-- --events N]: trace queries on a generated ledger of N events (default
// 10,000,000), each next to a baseline measured in the same run (a bare primary-key lookup on
// trace_nodes), with the issue's targets printed beside the figures.
//
// What it loads: ONLY the trace tables (trace_events, trace_nodes, trace_edges, with the
// migration's indexes in place), on a durable embedded PostgreSQL (fsync on). The ledger's own
// tables stay empty: trace queries read only the trace tables, so the ledger's copy of the events
// would change nothing measured here. The events come from the seeds' generator (realistic,
// correctly chained: 100 hubs of farms → collector → processor → lab → shop); each is folded
// with the SAME fold the projector uses (`foldEntry`), and the rows go in by COPY. Nodes are kept
// in memory while recent (two generations of GENERATION events) and written once they age out:
// the generator never touches an object again days later, and the bench counts any that would be.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { generateEntries } from '@milkchain/seeds';
import { createPool, migrate, MIGRATIONS_DIR, startEmbeddedPostgres, type PoolClient } from '@milkchain/store';
import { EDGE_COLUMNS, EVENT_COLUMNS, NODE_COLUMNS, edgeRow, eventRow, foldEntry, moreToLoad, nodeRow, traceNeeds, type Cell, type TraceNode } from '../src/lineage/fold.ts';
import { backward, farmCollections, forward, nodeBySubject } from '../src/lineage/queries.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]?.replace(/_/g, '')) : fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const N = arg('events', 10_000_000);
const SAMPLES = arg('samples', 1000);
const GENERATION = 1_000_000;
const CHUNK = 5_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** A value in COPY's text format. */
function copyCell(v: Cell): string {
  if (v === null) return '\\N';
  if (Array.isArray(v)) return copyText(`{${v.map((s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return copyText(v);
}
function copyText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** One COPY stream per table, fed in chunks; backpressure respected. */
class Copier {
  private buffer: string[] = [];
  private stream: Writable;
  constructor(client: PoolClient, table: string, columns: readonly string[]) {
    this.stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  }
  async add(row: Cell[]): Promise<void> {
    this.buffer.push(row.map(copyCell).join('\t'));
    if (this.buffer.length >= CHUNK) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    if (!this.stream.write(text)) await new Promise((r) => this.stream.once('drain', r));
  }
  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }
}

/** Reservoir sample of k items. */
class Reservoir<T> {
  items: T[] = [];
  seen = 0;
  constructor(private k: number) {}
  add(x: T) {
    this.seen++;
    if (this.items.length < this.k) this.items.push(x);
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < this.k) this.items[j] = x;
    }
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'milkchain-bench-trace-'));
chmodSync(dir, 0o755);
console.log(`bench:trace — ${N.toLocaleString('en-US')} generated events, durable embedded PostgreSQL in ${dir}`);
const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), durable: true });
try {
  const url = await pg.createDatabase('bench');
  await migrate(url);
  const pool = createPool(url, 4);

  // ---- load --------------------------------------------------------------------------------------
  // Bulk-load practice: the secondary indexes are dropped for the COPY and built again afterwards
  // from the migration's own CREATE INDEX statements, so the queries run on the same indexes.
  const migration = readFileSync(path.join(MIGRATIONS_DIR, '20261123140000_trace', 'migration.sql'), 'utf8');
  const indexes = migration.split(';').map((x) => x.trim()).filter((x) => x.startsWith('CREATE INDEX'));
  for (const ddl of indexes) await pool.query(`DROP INDEX ${/CREATE INDEX ("[^"]+")/.exec(ddl)![1]}`);
  const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
  const [ce, cn, cd] = clients as [PoolClient, PoolClient, PoolClient];
  const events = new Copier(ce, 'trace_events', EVENT_COLUMNS);
  const nodesOut = new Copier(cn, 'trace_nodes', NODE_COLUMNS);
  const edges = new Copier(cd, 'trace_edges', EDGE_COLUMNS);

  let young = new Map<string, TraceNode>();
  let old = new Map<string, TraceNode>();
  let youngIds = new Map<string, string>();
  let oldIds = new Map<string, string>();
  const written = new Set<string>();
  let late = 0;
  let unresolved = 0;
  const lots = new Reservoir<string>(SAMPLES);
  const collections = new Reservoir<string>(SAMPLES);
  const anyNodes = new Reservoir<string>(SAMPLES);
  const farms = new Set<string>();
  let firstDay = Infinity;
  let lastDay = -Infinity;

  const get = (s: string) => young.get(s) ?? old.get(s);
  const t0 = performance.now();
  let n = 0;
  for (const { id, event } of generateEntries(N)) {
    const entry = { seq: n, id, event };
    const needs = traceNeeds(event);
    const loaded = new Map<string, TraceNode>();
    const load = (s: string) => {
      const node = get(s);
      if (node) loaded.set(s, node);
      else if (written.has(s)) late++;
    };
    for (const s of needs.subjects) load(s);
    for (const h of needs.heads ?? []) {
      const s = youngIds.get(h) ?? oldIds.get(h);
      if (s !== undefined) load(s);
    }
    for (const s of moreToLoad(event, loaded)) load(s);
    const folded = foldEntry(loaded, entry, (input) => youngIds.get(input) ?? oldIds.get(input));
    await events.add(eventRow(entry));
    for (const e of folded.edges) {
      if (e.parent === undefined) unresolved++;
      await edges.add(edgeRow(e));
    }
    for (const node of folded.nodes) {
      old.delete(node.object.subject);
      young.set(node.object.subject, node);
    }
    youngIds.set(id, event.subject);
    if (event.kind === 'lot.packed') lots.add(event.subject);
    if (event.kind === 'milk.collected') {
      collections.add(event.subject);
      farms.add(event.org);
      const day = Date.parse(event.occurredAt);
      firstDay = Math.min(firstDay, day);
      lastDay = Math.max(lastDay, day);
    }
    if (event.subject.startsWith('urn:milkchain:') && !event.subject.startsWith('urn:milkchain:org')) anyNodes.add(event.subject);
    n++;
    if (n % GENERATION === 0) {
      for (const [s, node] of old) {
        await nodesOut.add(nodeRow(node));
        written.add(s);
      }
      old = young;
      young = new Map();
      oldIds = youngIds;
      youngIds = new Map();
    }
    if (n % 250_000 === 0) {
      const secs = (performance.now() - t0) / 1000;
      console.log(`  loaded ${n.toLocaleString('en-US')} events  ${Math.round(n / secs).toLocaleString('en-US')}/s  ${secs.toFixed(0)} s`);
    }
  }
  for (const m of [old, young]) for (const node of m.values()) await nodesOut.add(nodeRow(node));
  await Promise.all([events.end(), nodesOut.end(), edges.end()]);
  for (const c of clients) c.release();
  const copySecs = (performance.now() - t0) / 1000;
  for (const ddl of indexes) await pool.query(ddl);
  const loadSecs = (performance.now() - t0) / 1000;
  console.log(`  COPY done in ${copySecs.toFixed(0)} s; indexes built in ${(loadSecs - copySecs).toFixed(0)} s`);
  await pool.query('VACUUM ANALYZE trace_events');
  await pool.query('VACUUM ANALYZE trace_nodes');
  await pool.query('VACUUM ANALYZE trace_edges');
  const counts = await pool.query<{ e: string; n: string; d: string; size: string }>(
    `SELECT (SELECT count(*) FROM trace_events) e, (SELECT count(*) FROM trace_nodes) n, (SELECT count(*) FROM trace_edges) d, pg_size_pretty(pg_database_size(current_database())) size`,
  );
  const c = counts.rows[0]!;
  console.log(
    `loaded in ${loadSecs.toFixed(0)} s (${Math.round(N / loadSecs).toLocaleString('en-US')} events/s): ${Number(c.e).toLocaleString('en-US')} events, ${Number(c.n).toLocaleString('en-US')} nodes, ${Number(c.d).toLocaleString('en-US')} edges, database ${c.size}; objects touched after they aged out: ${late}; links left unresolved: ${unresolved}`,
  );

  // ---- measure -----------------------------------------------------------------------------------
  /** Latencies of `run` over `inputs` after a warm-up, and the sum of what the runs counted. */
  async function time(inputs: string[], run: (x: string) => Promise<number>): Promise<[number[], number]> {
    for (const x of inputs.slice(0, 20)) await run(x);
    const out: number[] = [];
    let counted = 0;
    for (const x of inputs) {
      const s = performance.now();
      counted += await run(x);
      out.push(performance.now() - s);
    }
    return [out, counted];
  }
  const [baseline] = await time(anyNodes.items, async (s) => ((await nodeBySubject(pool, s)) ? 1 : 0));
  const [back, lotsFound] = await time(lots.items, async (s) => ((await backward(pool, s))?.collections.length ? 1 : 0));
  const [fwd, forwardLots] = await time(collections.items, async (s) => (await forward(pool, [s])).lots.length);
  const farmList = [...farms];
  const days = Math.max(1, Math.floor((lastDay - firstDay) / 86_400_000) - 6);
  const farmRuns = Array.from({ length: Math.min(SAMPLES, 500) }, (_, i) => `${farmList[i % farmList.length]}|${Math.floor(Math.random() * days)}`);
  const [farm, farmLots] = await time(farmRuns, async (x) => {
    const [org, d] = x.split('|') as [string, string];
    const from = new Date(firstDay + Number(d) * 86_400_000);
    const to = new Date(from.getTime() + 7 * 86_400_000);
    return (await forward(pool, await farmCollections(pool, org, from.toISOString(), to.toISOString()))).lots.length;
  });

  const rows: Array<[string, string, string, string]> = [
    ['backward trace, random lot', `p50 ${ms(pct(back, 50))}  p99 ${ms(pct(back, 99))}`, `p50 ${ms(pct(baseline, 50))}  p99 ${ms(pct(baseline, 99))}`, 'p99 ≤ 20 ms'],
    ['forward from one collection', `p50 ${ms(pct(fwd, 50))}  p99 ${ms(pct(fwd, 99))}`, `p50 ${ms(pct(baseline, 50))}  p99 ${ms(pct(baseline, 99))}`, 'p50 ≤ 25 ms'],
    ['forward, farm × 7 days', `p90 ${ms(pct(farm, 90))}`, `p90 ${ms(pct(baseline, 90))}`, 'p90 ≤ 100 ms'],
  ];
  console.log('');
  console.log(`trace on ${N.toLocaleString('en-US')} events (${back.length} lots, ${fwd.length} collections, ${farm.length} farm weeks; baseline: primary-key lookup on trace_nodes, ${baseline.length} subjects)`);
  console.log(['query', 'measured', 'baseline (same run)', 'target'].join('  |  '));
  for (const r of rows) console.log(r.join('  |  '));
  console.log(
    `checks: ${lotsFound}/${back.length} backward traces reached farm collections; ${(forwardLots / Math.max(1, fwd.length)).toFixed(2)} lots per collection; ${(farmLots / Math.max(1, farm.length)).toFixed(1)} lots per farm week`,
  );
  await pool.end();
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
