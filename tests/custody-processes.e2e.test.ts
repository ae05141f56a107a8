import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PostgresLedgerStore } from '@milkchain/ledger-service';
import { demoWorld, type WorldStep } from '@milkchain/seeds';
import { commandPaths, seedOrgs } from '@milkchain/embedded';
import { createPool, freePort, type Pool } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { ROOT, ServiceProcess } from './support/procs.ts';
import { startPathProxy, type PathProxy } from './support/proxy.ts';

/**
 * "One process, and many": every service runs as its own Node process (as `npm start -w
 * services/<name>` runs it) over one PostgreSQL database and a Kafka-protocol broker. A first
 * chain of the demo world (farm → collector → processor → lab → packing → shipment → shop) goes
 * through the HTTP APIs; in the second chain the processor is killed with SIGKILL twice while
 * several of its commands are in flight, and started again each time. Afterwards every acknowledged write is in the
 * ledger exactly once, every service's projection agrees with the ledger, `milkchain verify`
 * passes, and every process stops cleanly on SIGTERM.
 *
 * The services sit behind a small path proxy (tests/support/proxy.ts), so the one-process
 * helpers (seedOrgs) and the world's paths work unchanged.
 */

const CUSTODY = ['farm', 'processor', 'lab', 'logistics'] as const;
const ADMIN_TOKEN = randomBytes(16).toString('hex');
const ADMIN_PASSWORD = 'procs-e2e-admin-password';
/** Seconds a write may wait for its receipt (`Prefer: wait`). */
const WAIT = 30;

let databaseUrl = '';
let pool: Pool;
let proxy: PathProxy | undefined;
const procs = new Map<string, ServiceProcess>();
let tokens = new Map<string, string>();

/** Event ids of every write answered 201 or 202. */
const acknowledged = new Set<string>();
/** What the driver saw (start-up times, the kills, the retries), printed at the end. */
const seen: string[] = [];

function proc(name: string): ServiceProcess {
  const p = procs.get(name);
  if (!p) throw new Error(`no process ${name}`);
  return p;
}

// ---- the world, cut in two -----------------------------------------------------------------

const world = demoWorld({ days: 3 });
/** First chain: up to the first shipment received by a shop; the second starts with the next day's production. */
const firstReceipt = world.findIndex((s) => s.command === 'shipment.receive');
const split = world.findIndex((s, i) => i > firstReceipt && s.command === 'batch.produce');
const chain1 = world.slice(0, split);
const chain2 = world.slice(split);

// ---- driving the services over HTTP --------------------------------------------------------

const PATHS = commandPaths();

interface Unit {
  label: string;
  command: string;
  org: string;
  path: string;
  /** Roles that may send it (a token of a user holding one is used). */
  roles: readonly string[];
  body: unknown;
}

/** World steps as requests: a run of one organisation's animal registrations goes as one batch. */
function units(steps: readonly WorldStep[]): Unit[] {
  const out: Unit[] = [];
  for (let i = 0; i < steps.length; ) {
    const step = steps[i]!;
    const command = PATHS.get(step.command);
    if (!command) throw new Error(`unknown command ${step.command}`);
    if (step.command !== 'animal.register') {
      out.push({ label: `${step.command} by ${step.org} at ${step.at}`, command: step.command, org: step.org, path: command.path, roles: command.roles, body: step.body });
      i++;
      continue;
    }
    const run: WorldStep[] = [];
    for (; i < steps.length && steps[i]!.command === step.command && steps[i]!.org === step.org && run.length < 500; i++) run.push(steps[i]!);
    out.push({
      label: `${run.length} × animal.register by ${step.org}`,
      command: step.command,
      org: step.org,
      path: `/${command.path.split('/')[1]}/v1/batch`,
      roles: command.roles,
      body: { commands: run.map((s) => ({ command: s.command, body: s.body })) },
    });
  }
  return out;
}

function tokenFor(u: Unit): string {
  const role = u.roles.find((r) => tokens.has(`${u.org}#${r}`));
  const token = role ? tokens.get(`${u.org}#${role}`) : tokens.get(u.org);
  if (!token) throw new Error(`no token for ${u.org}`);
  return token;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One POST; throws only when the connection fails (refused, reset, dropped). */
async function send(u: Unit, wait?: number): Promise<Answer> {
  const res = await fetch(proxy!.url + u.path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(u)}`, ...(wait ? { prefer: `wait=${wait}` } : {}) },
    body: JSON.stringify(u.body),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  if (res.status === 201 || res.status === 202) for (const e of (body.events as Array<{ id: string }>) ?? []) acknowledged.add(e.id);
  return { status: res.status, body };
}

function idsOf(a: Answer): string[] {
  return ((a.body.events as Array<{ id: string }> | undefined) ?? []).map((e) => e.id);
}

/** A refusal of a retried command because its first try did land ("already recorded"). */
function isAlready(a: Answer): boolean {
  return a.status === 409 && /already/i.test(`${String(a.body.detail ?? '')} ${String(a.body.title ?? '')}`);
}

/**
 * Sends until an answer comes: a connection error (the service is down or died mid-request)
 * is retried, since the driver cannot know whether the write landed. A retry refused with 409
 * "already" is taken as done (the first try landed; its answer was lost).
 */
async function sendUntilAnswered(u: Unit, wait: number | undefined, deadlineMs = 120_000): Promise<Answer & { retries: number }> {
  const until = Date.now() + deadlineMs;
  for (let retries = 0; ; retries++) {
    try {
      const a = await send(u, wait);
      return { ...a, retries };
    } catch (err) {
      // fetch fails with a TypeError when the connection does; anything else is a bug here.
      if (!(err instanceof TypeError)) throw err;
      if (Date.now() > until) throw new Error(`${u.label}: no answer within ${deadlineMs} ms (${err.message})`, { cause: err });
      // Backoff before the retry: nothing to await, the service is not there.
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Polls `ok` every `everyMs` until it holds; fails with `message` (and the last state) after `timeoutMs`. */
async function poll(ok: () => Promise<boolean>, everyMs: number, message: string, timeoutMs: number, state?: () => Promise<string>): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`${message} (waited ${timeoutMs} ms)${state ? `: ${await state()}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function ledgerSize(): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_entries');
  return rows[0]!.n;
}

async function projectionState(): Promise<{ size: number; services: Record<string, { sequenced: number; pending: number; refused: number }> }> {
  const size = await ledgerSize();
  const { rows } = await pool.query<{ service: string; sequenced: number; pending: number; refused: number }>(
    `SELECT service, count(*) FILTER (WHERE status = 'sequenced')::int AS sequenced, count(*) FILTER (WHERE status = 'pending')::int AS pending,
            count(*) FILTER (WHERE status = 'refused')::int AS refused
       FROM custody_events GROUP BY service`,
  );
  const services: Record<string, { sequenced: number; pending: number; refused: number }> = {};
  for (const s of CUSTODY) services[s] = { sequenced: 0, pending: 0, refused: 0 };
  for (const r of rows) services[r.service] = { sequenced: r.sequenced, pending: r.pending, refused: r.refused };
  return { size, services };
}

/** Every service has folded the whole ledger and has nothing of its own waiting. */
async function caughtUp(label: string, timeoutMs = 60_000): Promise<void> {
  await poll(
    async () => {
      const { size, services } = await projectionState();
      return CUSTODY.every((s) => services[s]!.sequenced === size && services[s]!.pending === 0);
    },
    20,
    `the services did not catch up with the ledger after ${label}`,
    timeoutMs,
    async () => JSON.stringify(await projectionState()),
  );
}

/** Every id is in the ledger. */
async function sequenced(ids: string[], label: string, timeoutMs = 60_000): Promise<void> {
  const bytes = ids.map((id) => Buffer.from(id, 'hex'));
  await poll(
    async () => {
      const { rows } = await pool.query<{ n: number }>('SELECT count(DISTINCT id)::int AS n FROM ledger_entries WHERE id = ANY($1::bytea[])', [bytes]);
      return rows[0]!.n === ids.length;
    },
    20,
    `acknowledged events of ${label} never reached the ledger`,
    timeoutMs,
    async () => JSON.stringify(await projectionState()),
  );
}

/**
 * The steps in order, each sequenced and projected everywhere before the next is sent. With
 * `wait` the writes ask for their receipts (`Prefer: wait`); without, they are answered 202 and
 * the driver watches the ledger for their ids.
 */
async function runInOrder(list: readonly Unit[], wait?: number): Promise<void> {
  for (const u of list) {
    const a = await sendUntilAnswered(u, wait);
    if (a.retries > 0) seen.push(`${u.label}: answered ${a.status} after ${a.retries} connection failure(s)`);
    if (a.status === 201 || a.status === 202) await sequenced(idsOf(a), u.label);
    else if (!(a.retries > 0 && isAlready(a))) throw new Error(`${u.label} answered ${a.status}: ${JSON.stringify(a.body)}`);
    await caughtUp(u.label);
  }
}

/** [from, to) of each run of two or more consecutive productions: where the processor is killed. */
function productionRuns(list: readonly Unit[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < list.length; ) {
    let j = i;
    while (j < list.length && list[j]!.command === 'batch.produce') j++;
    if (j - i >= 2) runs.push([i, j]);
    i = Math.max(j, i + 1);
  }
  return runs;
}

/**
 * Sends `burst` to the processor all at once, kills it with SIGKILL as soon as the first answer
 * arrives, starts it again, and retries whatever got no answer, as a client would.
 */
async function killDuring(burst: readonly Unit[], wait: number | undefined): Promise<void> {
  const before = acknowledged.size;
  type Outcome = { u: Unit; a?: Answer; err?: Error };
  const inFlight = burst.map((u) =>
    send(u, wait).then(
      (a): Outcome => ({ u, a }),
      (err: Error): Outcome => ({ u, err }),
    ),
  );
  await Promise.race(inFlight);
  await proc('processor').kill();
  const outcomes = await Promise.all(inFlight);
  const unpublished = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM bus_outbox WHERE service = 'processor' AND published_at IS NULL`);
  seen.push(
    `kill (${wait ? `Prefer: wait=${wait}` : 'no wait'}): ${outcomes.map((o) => (o.a ? `${o.a.status}` : `connection error (${o.err!.message})`)).join(', ')}; processor outbox rows unpublished at the kill: ${unpublished.rows[0]!.n}`,
  );
  for (const o of outcomes) {
    if (o.a) expect([201, 202], `${o.u.label}: ${JSON.stringify(o.a.body)}`).toContain(o.a.status);
    else expect(o.err, `${o.u.label}: only the connection may fail`).toBeInstanceOf(TypeError);
  }
  expect(outcomes.some((o) => o.a)).toBe(true);

  await proc('processor').start(90_000);
  for (const o of outcomes.filter((x) => x.err)) {
    const a = await sendUntilAnswered(o.u, WAIT);
    seen.push(`${o.u.label}: retried, answered ${a.status}${isAlready(a) ? ' (already recorded: the first try had landed)' : ''}`);
    expect([201, 202].includes(a.status) || isAlready(a), `${o.u.label}: ${a.status} ${JSON.stringify(a.body)}`).toBe(true);
  }
  await sequenced([...acknowledged].slice(before), 'the commands answered around the kill', 90_000);
  await caughtUp('the restart of the processor', 90_000);
}

// ---- the processes -------------------------------------------------------------------------

beforeAll(async () => {
  const brokers = inject('kafkaBrokers');
  // No broker is a failure here, never a silent pass: this test is about the multi-process mode.
  if (!brokers) throw new Error(`没有 Kafka 代理，无法运行多进程测试 / no Kafka-protocol broker for the multi-process test: ${inject('kafkaUnavailable')}`);
  databaseUrl = await createTestDatabase(inject('postgresUrl'), 'procs');
  pool = createPool(databaseUrl, 3);
  const dir = mkdtempSync(path.join(tmpdir(), 'procs-'));
  const namespace = `procs-${randomBytes(4).toString('hex')}`;
  const bus = { KAFKA_BROKERS: brokers, KAFKA_NAMESPACE: namespace };
  const port = async () => {
    const p = await freePort();
    return { port: String(p), base: `http://127.0.0.1:${p}` };
  };

  const ledger = await port();
  procs.set(
    'ledger',
    new ServiceProcess(
      'ledger',
      'services/ledger/src/main.ts',
      { DATABASE_URL: databaseUrl, PORT: ledger.port, MILKCHAIN_ADMIN_TOKEN: ADMIN_TOKEN, MILKCHAIN_LOG_KEY_FILE: path.join(dir, 'log-key.jwk.json'), MILKCHAIN_DATA_DIR: dir, MILKCHAIN_SEED: '0', ...bus },
      `${ledger.base}/healthz`,
    ),
  );
  const t0 = Date.now();
  await proc('ledger').start(90_000);
  seen.push(`ledger up after ${Date.now() - t0} ms`);

  const identity = await port();
  procs.set(
    'identity',
    new ServiceProcess(
      'identity',
      'services/identity/src/main.ts',
      {
        DATABASE_URL: databaseUrl,
        PORT: identity.port,
        MILKCHAIN_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
        MILKCHAIN_TOKEN_KEY_FILE: path.join(dir, 'identity-token-key.jwk.json'),
        MILKCHAIN_DATA_DIR: dir,
        LEDGER_URL: ledger.base,
        MILKCHAIN_ADMIN_TOKEN: ADMIN_TOKEN,
        MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      },
      `${identity.base}/identity/healthz`,
    ),
  );
  const routes: Record<string, string> = { ledger: ledger.base, '.well-known': ledger.base, identity: identity.base };
  for (const name of CUSTODY) {
    const p = await port();
    routes[name] = p.base;
    // The custody apps have no health route of their own; they listen only once their
    // projection consumers have joined their groups, so their OpenAPI document serves as one.
    procs.set(
      name,
      new ServiceProcess(name, `services/${name}/src/main.ts`, { DATABASE_URL: databaseUrl, PORT: p.port, LEDGER_URL: ledger.base, IDENTITY_URL: identity.base, ...bus }, `${p.base}/${name}/openapi.json`),
    );
  }
  // Identity needs the ledger (it registers organisation keys); the custody services need
  // identity only when requests come (signing, token keys), so these five start together.
  await Promise.all(['identity', ...CUSTODY].map((name) => proc(name).start(90_000)));
  seen.push(`all up after ${Date.now() - t0} ms`);
  proxy = await startPathProxy(routes);
  tokens = await seedOrgs(proxy.url, ADMIN_PASSWORD);
}, 240_000);

afterAll(async () => {
  console.info(`custody-processes:\n  ${seen.join('\n  ')}`);
  // Whatever a failed test left running.
  for (const p of [...procs.values()].reverse()) await p.stop();
  await proxy?.close();
  await pool?.end();
});

describe('the services as separate processes', () => {
  it('runs a full chain through the HTTP APIs', async () => {
    expect(split).toBeGreaterThan(firstReceipt);
    const commands = new Set(chain1.map((s) => s.command));
    for (const c of ['animal.register', 'collection.record', 'load.record', 'reception.record', 'sample.take', 'result.record', 'batch.produce', 'lot.pack', 'shipment.dispatch', 'shipment.receive', 'sale.record']) {
      expect(commands, c).toContain(c);
    }
    // Entries already there are the operator's records of the organisations' key registrations.
    const baseline = await ledgerSize();
    const before = await pool.query<{ kind: string }>('SELECT DISTINCT kind FROM ledger_entries');
    expect(before.rows.map((r) => r.kind)).toEqual(['org.key.registered']);
    await runInOrder(units(chain1));
    expect(acknowledged.size).toBeGreaterThanOrEqual(chain1.length);
    expect(await ledgerSize()).toBe(baseline + acknowledged.size);
  });

  it('finishes a second chain although the processor is killed with SIGKILL twice in the middle of it', async () => {
    const list = units(chain2);
    const runs = productionRuns(list);
    expect(runs.length, 'the second chain has two runs of productions').toBeGreaterThanOrEqual(2);
    // First kill: the productions are sent without waiting, so the first 202 kills the processor
    // with acknowledged events whose outbox rows may not be published yet. Second kill: they wait
    // for their receipts, so the first 201 kills it while the others have usually committed and
    // are waiting, answered by nobody: their retries find them already recorded.
    let at = 0;
    for (const [k, [from, to]] of runs.slice(0, 2).entries()) {
      await runInOrder(list.slice(at, from), WAIT);
      await killDuring(list.slice(from, to), k === 0 ? undefined : WAIT);
      at = to;
    }
    await runInOrder(list.slice(at), WAIT);
  });

  it('has every acknowledged event in the ledger exactly once', async () => {
    await caughtUp('the second chain', 90_000);
    const dupes = await pool.query<{ id: Buffer; n: number }>('SELECT id, count(*)::int AS n FROM ledger_entries GROUP BY id HAVING count(*) > 1');
    expect(dupes.rows.map((r) => r.id.toString('hex'))).toEqual([]);
    const ids = [...acknowledged].map((id) => Buffer.from(id, 'hex'));
    const { rows } = await pool.query<{ n: number; distinct_ids: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct_ids FROM ledger_entries WHERE id = ANY($1::bytea[])',
      [ids],
    );
    expect(rows[0]).toEqual({ n: acknowledged.size, distinct_ids: acknowledged.size });
    expect(acknowledged.size).toBeGreaterThanOrEqual(chain1.length);
  });

  it('has every projection agree with the ledger', async () => {
    const store = new PostgresLedgerStore(pool);
    const size = await store.size();
    const { rows } = await pool.query<{ service: string; n: string; pending: string }>(
      `SELECT service, count(*) AS n, count(*) FILTER (WHERE status <> 'sequenced') AS pending FROM custody_events GROUP BY service ORDER BY service`,
    );
    expect(rows.map((r) => r.service)).toEqual(['farm', 'lab', 'logistics', 'processor']);
    for (const r of rows) {
      expect(Number(r.pending), r.service).toBe(0);
      expect(Number(r.n), r.service).toBe(size);
    }
    const objects = await pool.query<{ service: string; subject: string; head: string }>('SELECT service, subject, head FROM custody_objects');
    expect(objects.rowCount).toBeGreaterThan(0);
    const heads = await store.heads([...new Set(objects.rows.map((o) => o.subject))]);
    for (const o of objects.rows) expect(o.head, `${o.service} ${o.subject}`).toBe(heads.get(o.subject));
  });

  it('passes `milkchain verify`', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/ledger/src/cli.ts', 'verify', '--database', databaseUrl], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, out).toBe(0);
    expect(out).toContain('ledger verified');
  });

  it('stops every process cleanly on SIGTERM', async () => {
    for (const name of [...CUSTODY, 'identity', 'ledger']) {
      const p = proc(name);
      expect(await p.stop(), `${name}:\n${p.output.slice(-2000)}`).toEqual({ code: 0, signal: null });
    }
  });
});
