// npm run bench:capture — capture through the HTTP API in one-process mode, on a durable embedded
// PostgreSQL (fsync on), next to the ledger's own append rate measured in the same run.
//
//   1. the ledger alone: pre-signed submissions of 1,000 events straight into the sequencer (ceiling)
//   2. single collections, one request at a time (closed loop): rate and latency p50/p99
//   3. single collections offered at 200 requests/s (open loop): latency p50/p99 (target p99 ≤ 50 ms),
//      once from one farm (its writes are serialised by the farm's custody lock, so this is that
//      lock's ceiling) and once from 20 farms at 10 requests/s each (how such a load really arrives)
//   4. the batch endpoint, 500 collections a request: events/s and latency (target ≥ 5k events/s)
// A response is 202: the events are signed and durably in the service's outbox. The requests come
// from the load generator in its own process (@milkchain/http/testing), as a separate client's would.
// The CPU each step cost until every projection had folded what it made is printed too.
import { commandsOf } from '@milkchain/domain';
import { DEPLOYMENT_GS1_PREFIX, gln, makeUscc, WORLD_ORGS } from '@milkchain/seeds';
import { seedOrgs } from '../src/index.ts';
import { canonicalBytes, eventIdFromBytes, generateOrgKey, signEventId, type LedgerEvent } from '@milkchain/ledger';
import { admit, Operator, OrgKeyCache } from '@milkchain/ledger-service';
import { startLoadGenerator, type LoadJob, type LoadRequest } from '@milkchain/http/testing';
import { ms, pct, startBenchProduct } from './support.ts';

const quick = process.argv.includes('--quick');
const FARM = 'org_tumed_left_pasture';
const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString('en-US');

const { base, composed, tokens, adminPassword, cpu, close } = await startBenchProduct('capture');
const token = tokens.get(FARM)!;

const collect = commandsOf('farm').find((d) => d.name === 'collection.record');
if (!collect) throw new Error('no collection.record command');
let serial = 0;
function collection(): Record<string, unknown> {
  const now = Date.now();
  return {
    ...(collect!.example as Record<string, unknown>),
    collectionId: `bench-${process.pid}-${serial++}`,
    tankTemperatureC: 3.4,
    animalsExcluded: [],
    milkingWindow: { start: new Date(now - 90 * 60_000).toISOString(), end: new Date(now - 30 * 60_000).toISOString() },
    occurredAt: new Date(now).toISOString(),
  };
}
async function post(pathname: string, body: unknown, as = token): Promise<void> {
  const res = await fetch(base + pathname, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`${pathname} answered ${res.status}: ${text.slice(0, 300)}`);
}
const collectionRequest = (as: string): LoadRequest => ({ method: 'POST', path: '/farm/v1/collections', body: JSON.stringify(collection()), headers: { authorization: `Bearer ${as}` } });

const load = startLoadGenerator();
/** Runs a job in the load generator; every request must be answered 202. */
type JobSpec = LoadJob extends infer J ? (J extends unknown ? Omit<J, 'base' | 'expect'> : never) : never;
async function measure(job: JobSpec) {
  const r = await load.run({ ...job, base, expect: 202 } as LoadJob);
  if (r.failures > 0) throw new Error(`${r.failures} requests failed, the first: ${r.firstFailure}`);
  return r;
}

console.log(`milkchain bench:capture — one process, durable PostgreSQL, Node ${process.version}${quick ? ' (quick)' : ''}`);

// 1. The ledger's own append rate, same run: pre-signed submissions of 1,000 events.
{
  const key = await generateOrgKey();
  const operator = new Operator({ ...composed.ledger, operatorOrg: 'org_milkchain', clock: () => new Date() });
  await operator.registerOrgKey('org_bench_direct', { jwk: key.publicJwk });
  const cache = new OrgKeyCache(composed.ledger.store);
  const template = { v: 1, kind: 'milk.collected', kindVersion: 1, org: 'org_bench_direct', prev: null, inputs: [], occurredAt: new Date().toISOString() };
  const data = (collect.example as Record<string, unknown>) ?? {};
  const batches = quick ? 3 : 10;
  const prepared = [];
  for (let b = 0; b < batches; b++) {
    const events: LedgerEvent[] = [];
    for (let i = 0; i < 1000; i++) {
      const { collectionId: _c, occurredAt: _o, ...rest } = data as Record<string, unknown>;
      events.push({ ...template, subject: `urn:milkchain:collection:org_bench_direct:d${b}-${i}`, data: rest } as LedgerEvent);
    }
    const signatures = await Promise.all(events.map((e) => signEventId(eventIdFromBytes(canonicalBytes(e)), key.privateJwk, key.kid)));
    prepared.push({ events, signatures });
  }
  const t0 = performance.now();
  for (const p of prepared) await composed.ledger.sequencer.submit(await admit(p, cache));
  const s = (performance.now() - t0) / 1000;
  console.log(`ledger alone (baseline)      ${rate(batches * 1000, s).padStart(8)} events/s   (submissions of 1,000, admission + durable append)`);
}

/** Between steps: the ledger and every projection catch up, so each step pays for its own work only. */
async function quiesce() {
  await composed.settle();
  await composed.projected(600_000);
}

/**
 * The CPU a step cost per event, everything included (request, signing, sequencing, every
 * projection's fold), counted from before the step until the backlog it made is projected.
 */
async function cpuPerEvent<T>(events: number, step: () => Promise<T>): Promise<T> {
  const before = cpu();
  const out = await step();
  const t0 = performance.now();
  await quiesce();
  const after = cpu();
  console.log(`  then every projection caught up in ${((performance.now() - t0) / 1000).toFixed(1)} s; cpu per event, until projected: node ${((after.node - before.node) / events).toFixed(2)} ms, postgres ${((after.postgres - before.postgres) / events).toFixed(2)} ms (2 cores: ${Math.round((2000 * events) / (after.node - before.node + after.postgres - before.postgres)).toLocaleString('en-US')} events/s if nothing else ran)`);
  return out;
}

// 2. One at a time.
await quiesce();
{
  const n = quick ? 100 : 500;
  for (let i = 0; i < 20; i++) await post('/farm/v1/collections', collection()); // warm-up
  await quiesce();
  await cpuPerEvent(n, async () => {
    const r = await measure({ kind: 'closed', concurrency: 1, requests: Array.from({ length: n }, () => collectionRequest(token)) });
    console.log(`collections, one at a time   ${rate(n, r.seconds).padStart(8)} requests/s p50 ${ms(pct(r.latencies, 50))} p99 ${ms(pct(r.latencies, 99))}`);
  });
}

/**
 * Offered at 200 requests/s (open loop: requests start on schedule whatever the answers do;
 * latency counts from the scheduled start, so a late start counts against the server).
 */
async function offered(label: string, farmTokens: string[]) {
  await quiesce();
  const seconds = quick ? 3 : 10;
  const r = await measure({ kind: 'open', rate: 200, requests: Array.from({ length: seconds * 200 }, (_, i) => collectionRequest(farmTokens[i % farmTokens.length]!)) });
  console.log(`${label.padEnd(29)}${rate(r.latencies.length, r.seconds).padStart(8)} requests/s p50 ${ms(pct(r.latencies, 50))} p99 ${ms(pct(r.latencies, 99))}   target p99 ≤ 50 ms`);
}

// 3. One farm, then twenty (demo farm profiles under new ids, each with its own user).
await offered('at 200/s from one farm', [token]);
{
  const template = WORLD_ORGS.find((o) => o.id === FARM)!;
  const farms = Array.from({ length: 20 }, (_, i) => ({
    ...template,
    id: `org_bench_farm_${i}`,
    name: { 'zh-CN': `压测牧场 ${i}`, en: `Bench farm ${i}` },
    gln: gln(DEPLOYMENT_GS1_PREFIX, 900 + i),
    uscc: makeUscc('91', '150121', `MA0BEN${String(i).padStart(2, '0')}`),
    users: [{ ...template.users[0]!, username: `bench.farm.${i}`, phone: `139047109${String(i).padStart(2, '0')}` }],
  }));
  const farmTokens = await seedOrgs(base, adminPassword, farms);
  await quiesce();
  await cpuPerEvent((quick ? 3 : 10) * 200, () => offered('at 200/s from 20 farms', farms.map((f) => farmTokens.get(f.id)!)));
}

// 4. The batch endpoint.
await quiesce();
{
  const requests = quick ? 4 : 20;
  const size = 500;
  await cpuPerEvent(requests * size, async () => {
    const batches: LoadRequest[] = Array.from({ length: requests }, () => ({
      method: 'POST',
      path: '/farm/v1/batch',
      body: JSON.stringify({ commands: Array.from({ length: size }, () => ({ command: 'collection.record', body: collection() })) }),
      headers: { authorization: `Bearer ${token}` },
    }));
    const r = await measure({ kind: 'closed', concurrency: 1, requests: batches });
    console.log(`batch capture (500/request)  ${rate(requests * size, r.seconds).padStart(8)} events/s   p50 ${ms(pct(r.latencies, 50))} p99 ${ms(pct(r.latencies, 99))} per request   target ≥ 5,000 events/s`);
  });
}
console.log(`log size at the end: ${composed.ledger.sequencer.size.toLocaleString('en-US')} entries`);

load.close();
await close();
