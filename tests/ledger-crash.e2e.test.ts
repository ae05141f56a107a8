import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, inject, it } from 'vitest';
import { fixtureEvent } from '@milkchain/domain/testing';
import { eventId, type LedgerEvent } from '@milkchain/ledger';
import { makeOrg } from '@milkchain/ledger/testing';
import { createPool, freePort } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { audit, PostgresLedgerStore, storeSource } from '@milkchain/ledger-service';

const root = path.resolve(import.meta.dirname, '..');
const ADMIN = 'crash-test-admin-token-000';

/**
 * Nothing acknowledged is lost or written twice: the ledger runs as its own process under
 * concurrent load and is killed with SIGKILL at random moments; every event it answered 201 for
 * must be in the log exactly once afterwards, and the audit must pass.
 */
it('keeps every acknowledged event exactly once across SIGKILLs', async () => {
  const databaseUrl = await createTestDatabase(inject('postgresUrl'), 'crash');
  const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'crash-')), 'log-key.jwk.json');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';

  async function startLedger() {
    child = spawn(process.execPath, ['--import', 'tsx', 'services/ledger/src/main.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), MILKCHAIN_ADMIN_TOKEN: ADMIN, MILKCHAIN_LOG_KEY_FILE: keyFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    for (let i = 0; i < 300; i++) {
      const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
      if (up) return;
      if (child.exitCode !== null) throw new Error(`ledger exited: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`ledger did not come up: ${output}`);
  }

  await startLedger();
  const farm = await makeOrg('org_crash_farm');
  const reg = await fetch(`${base}/ledger/v1/orgs/org_crash_farm/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ jwk: farm.publicJwk }),
  });
  expect(reg.status).toBe(201);

  const acknowledged = new Set<string>();
  const template = fixtureEvent('milk.collected') as LedgerEvent;
  let serial = 0;
  let running = true;

  // Each worker keeps a chain on its own subject and also sends bulk submissions of new
  // subjects. After a failed request it does not know whether the event landed; it asks, and
  // either moves on or sends the same event again (which must never log it twice).
  async function worker(w: number) {
    const subject = `urn:milkchain:collection:crash-chain-${w}`;
    let head: string | null = null;
    while (running) {
      const chained: LedgerEvent = { ...template, org: farm.org, subject, prev: head, inputs: [], occurredAt: new Date(Date.UTC(2026, 10, 1) + serial++ * 1000).toISOString() };
      const bulk = Array.from({ length: 20 }, () => ({ ...template, org: farm.org, subject: `urn:milkchain:collection:crash-${w}-${serial++}`, prev: null, inputs: [] }) as LedgerEvent);
      for (const [events, signatures] of [
        [[chained], [await farm.sign(eventId(chained))]],
        [bulk, [await farm.signBulk(bulk.map(eventId))]],
      ] as Array<[LedgerEvent[], string[]]>) {
        for (;;) {
          if (!running) return;
          try {
            const res = await fetch(`${base}/ledger/v1/submissions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', prefer: 'wait=5' },
              body: JSON.stringify({ events, signatures }),
            });
            if (res.status === 201 || res.status === 200) {
              for (const e of events) acknowledged.add(eventId(e));
              break;
            }
            await res.body?.cancel();
          } catch {
            // connection refused or reset: the ledger is down; try again shortly
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      head = eventId(chained);
    }
  }

  const workers = Array.from({ length: 6 }, (_, w) => worker(w));
  for (let kill = 0; kill < 4; kill++) {
    await new Promise((r) => setTimeout(r, 600 + Math.random() * 900));
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    await startLedger();
  }
  await new Promise((r) => setTimeout(r, 800));
  running = false;
  await Promise.all(workers);
  child!.kill('SIGTERM');
  await new Promise((r) => child!.once('exit', r));

  expect(acknowledged.size).toBeGreaterThan(100);
  const pool = createPool(databaseUrl, 2);
  try {
    const ids = [...acknowledged].map((id) => Buffer.from(id, 'hex'));
    const { rows } = await pool.query<{ n: number; distinct_ids: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct_ids FROM ledger_entries WHERE id = ANY($1::bytea[])',
      [ids],
    );
    expect(rows[0]).toEqual({ n: acknowledged.size, distinct_ids: acknowledged.size });
    const dupes = await pool.query('SELECT id FROM ledger_entries GROUP BY id HAVING count(*) > 1');
    expect(dupes.rowCount).toBe(0);
    const store = new PostgresLedgerStore(pool);
    const report = await audit(storeSource(store), { logKeys: (await store.logKeys()) as never[], trust: 'test', operatorOrg: 'org_milkchain' });
    expect(report.issues).toEqual([]);
    expect(report.ok).toBe(true);
  } finally {
    await pool.end();
  }
});
