// npm run bench:lookup — the speed of a scan: the resolver's consumer page and its verification
// bundle, offered at 500 requests/s (open loop: requests start on schedule whatever the answers
// do), p50/p99, next to a same-run baseline: a bare indexed lookup of the same lots in PostgreSQL
// at the same rate. One process, durable embedded PostgreSQL (fsync on).
//
// What it loads: the demo world's first `--days D` days (default 6) through the services' HTTP
// APIs, so every lot, its lineage, signatures and proofs are real; then `--events N` more events
// (default 50,000) from the seeds' generator, signed and appended through the real sequencer and
// folded by every projection, so the ledger and trace tables are bigger than the world alone. The
// issue asks for a ledger of 10 million events: on this 2-core machine every projection folds every
// event at about a thousand events/s, so 10M would take hours; the run prints the size it measured on.
import pg from 'pg';
import { startLoadGenerator } from '@milkchain/http/testing';
import { generateOrgKey, signEventId } from '@milkchain/ledger';
import { admit, Operator, OrgKeyCache } from '@milkchain/ledger-service';
import { demoWorld, generateEntries } from '@milkchain/seeds';
import { runSteps, worldStart } from '../src/index.ts';
import { ms, pct, startBenchProduct } from './support.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]?.replace(/_/g, '')) : fallback;
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
  return v;
}
const DAYS = arg('days', 6);
const EXTRA = arg('events', 50_000);
const RATE = arg('rate', 500);
const SECONDS = arg('seconds', 10);

const progress = (label: string, done: number, total: number) => process.stderr.write(`\r  ${label}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}   `);

// Every request of the bench comes from one address: the per-IP rate limit would answer 429.
const { base, databaseUrl, composed, tokens, close } = await startBenchProduct('lookup', { resolverBase: 'http://localhost:8080', resolverRateLimit: false });
console.log(`milkchain bench:lookup — one process, durable PostgreSQL, Node ${process.version}`);
const steps = demoWorld({ days: DAYS, start: worldStart(new Date(), DAYS) });
await runSteps(base, tokens, steps, (done, total) => progress(`demo world, ${DAYS} days, steps`, done, total), () => composed.projected(600_000));
process.stderr.write('\n');

// More of the log: generated, signed by a registered key, appended through the sequencer.
if (EXTRA > 0) {
  const operator = new Operator({ ...composed.ledger, operatorOrg: 'org_milkchain', clock: () => new Date() });
  const keys = new Map<string, Awaited<ReturnType<typeof generateOrgKey>>>();
  const cache = new OrgKeyCache(composed.ledger.store);
  let batch: { events: unknown[]; signatures: string[] } = { events: [], signatures: [] };
  let done = 0;
  const flush = async () => {
    if (batch.events.length === 0) return;
    await composed.ledger.sequencer.submit(await admit(batch, cache));
    done += batch.events.length;
    batch = { events: [], signatures: [] };
    progress('generated events appended', done, EXTRA);
  };
  // The generator's organisations (org_gen_*) and subjects are its own: they never touch the world's objects.
  for (const { id, event } of generateEntries(EXTRA, { seed: 7 })) {
    const org = event.org;
    let key = keys.get(org);
    if (!key) {
      await flush();
      key = await generateOrgKey();
      await operator.registerOrgKey(org, { jwk: key.publicJwk });
      keys.set(org, key);
    }
    batch.events.push(event);
    batch.signatures.push(await signEventId(id, key.privateJwk, key.kid));
    if (batch.events.length === 1000) await flush();
  }
  await flush();
  process.stderr.write('\n');
}
const t0 = performance.now();
await composed.settle();
await composed.projected(3_600_000);
const size = composed.ledger.sequencer.size;
console.log(`ledger: ${size.toLocaleString('en-US')} entries (world ${DAYS} days + ${EXTRA.toLocaleString('en-US')} generated); projections caught up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// The lots people scan: every packed lot of the world.
const { rows: lots } = await composed.pool.query<{ subject: string }>(`SELECT subject FROM trace_nodes WHERE type = 'lot' AND org NOT LIKE 'org_gen_%' ORDER BY subject`);
if (lots.length === 0) throw new Error('the world has no packed lot yet: run more --days');
const links = lots.map(({ subject }) => {
  const [, , , gtin, lot] = subject.split(':');
  return { subject, page: `/01/${gtin}/10/${encodeURIComponent(lot!)}`, bundle: `/trace/v1/bundles/01/${gtin}/10/${encodeURIComponent(lot!)}` };
});
// Warm-up: the first request of a lot builds and caches its bundle (the scan path never does).
let bytes = 0;
for (const l of links) {
  for (const p of [l.bundle, l.page]) {
    const res = await fetch(base + p, { headers: { accept: 'text/html' } });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${p}: ${res.status} ${Buffer.from(body).toString().slice(0, 200)}`);
    if (p === l.bundle) bytes += body.byteLength;
  }
}
console.log(`${links.length} lots; verification bundles ${Math.round(bytes / links.length / 1024)} KB on average (uncompressed JSON)`);

/** Offers `fn` at RATE per second for SECONDS; returns latencies and the rate achieved. */
async function openLoop(fn: (i: number) => Promise<void>) {
  const lat: number[] = [];
  const inflight: Array<Promise<void>> = [];
  let failures = 0;
  const start = performance.now();
  const n = RATE * SECONDS;
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // From the scheduled start (a late start counts against the server, as a user would feel it),
    // or from the actual start when a timer fired a fraction early.
    const from = Math.min(due, performance.now());
    inflight.push(
      fn(i).then(
        () => void lat.push(performance.now() - from),
        () => void failures++,
      ),
    );
  }
  await Promise.all(inflight);
  return { lat, failures, rps: Math.round(lat.length / ((performance.now() - start) / 1000)) };
}
const client = new pg.Pool({ connectionString: databaseUrl, max: 10 });
const row = (what: string, r: { lat: number[]; failures: number; rps: number }, extra = '') =>
  console.log(`${what.padEnd(58)} ${String(r.rps).padStart(5)} req/s  p50 ${ms(pct(r.lat, 50)).padStart(10)}  p99 ${ms(pct(r.lat, 99)).padStart(10)}  failed ${r.failures}  ${extra}`);

// The HTTP requests come from a load generator in its own process (keep-alive connections, open
// loop, latency from each request's scheduled start): its event loop and garbage collection are
// not the server's. Server CPU per request (this process) is printed beside each row: unlike the
// latencies it hardly depends on what else the machine runs.
const generator = startLoadGenerator();
const paths = (p: (l: (typeof links)[number]) => string) => Array.from({ length: RATE * SECONDS }, (_, i) => p(links[i % links.length]!));
async function http(what: string, ps: string[], headers: Record<string, string>, target = '') {
  const cpu = process.cpuUsage();
  const r = await generator.run({ kind: 'open', base, paths: ps, rate: RATE, headers });
  const used = process.cpuUsage(cpu);
  row(what, { lat: r.latencies, failures: r.failures, rps: Math.round(r.latencies.length / r.seconds) }, `server CPU ${Math.round((used.user + used.system) / r.latencies.length)} µs/request  ${target}`);
}

console.log(`\noffered at ${RATE} requests/s for ${SECONDS} s each (latency counted from each request's scheduled start)`);
row('baseline: bare indexed lookup (pg, trace_nodes by subject)', await openLoop(async (i) => void (await client.query('SELECT status FROM trace_nodes WHERE subject = $1', [links[i % links.length]!.subject]))));
await http('baseline: GET /healthz (HTTP round trip, no I/O)', paths(() => '/healthz'), {});
await http('consumer page (GET /01/{gtin}/10/{lot}, text/html)', paths((l) => l.page), { accept: 'text/html' }, 'target p99 ≤ 20 ms');
await http('verification bundle (GET /trace/v1/bundles/...)', paths((l) => l.bundle), { accept: 'application/json' }, 'target p99 ≤ 20 ms');
await http('linkset (Accept: application/linkset+json)', paths((l) => l.page), { accept: 'application/linkset+json' });
generator.close();

await client.end();
await close();
