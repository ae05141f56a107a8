import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { fixtureEvent } from '@milkchain/domain/testing';
import { eventId, generateOrgKey, signCheckpoint, signEventId, type LedgerEvent } from '@milkchain/ledger';
import { createPool } from '@milkchain/store';
import { createTestDatabase } from '@milkchain/store/testing';
import { audit, storeSource, type AuditReport } from '../src/audit.ts';
import { generateLogKeyJwk, logKeyFromJwk } from '../src/keys.ts';
import { PostgresLedgerStore } from '../src/store/postgres.ts';
import { startTestLedger, type TestLedger } from '../src/testing/index.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');

/**
 * The audit must catch every kind of tampering with the stored log. One good log is built through
 * the API; every case copies it (CREATE DATABASE ... TEMPLATE), tampers with the copy in SQL the
 * way someone with database access would, and checks what `verify` reports first.
 */
let serverUrl: string;
let baseDb: string;
let logKeys: { keys: never[] };
let jwksFile: string;
let chain: { subject: string; seqs: number[] };
let singleSigned: number;

beforeAll(async () => {
  serverUrl = inject('postgresUrl');
  const baseUrl = await createTestDatabase(serverUrl, 'verify_base');
  baseDb = new URL(baseUrl).pathname.slice(1);
  const ledger: TestLedger = await startTestLedger({ databaseUrl: baseUrl });
  const farm = await ledger.registerOrg('org_tamper_farm');
  const post = async (events: LedgerEvent[], signatures: string[]) => {
    const res = await fetch(`${ledger.url}/ledger/v1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'wait=5' },
      body: JSON.stringify({ events, signatures }),
    });
    expect(res.status).toBe(201);
  };
  const base = fixtureEvent('milk.collected') as LedgerEvent;
  for (let i = 0; i < 30; i++) {
    const e = { ...base, org: farm.org, subject: `urn:milkchain:collection:single-${i}`, prev: null, inputs: [] };
    await post([e], [await farm.sign(eventId(e))]);
  }
  const bulk = Array.from({ length: 300 }, (_, i) => ({ ...base, org: farm.org, subject: `urn:milkchain:collection:bulk-${i}`, prev: null, inputs: [] }));
  await post(bulk, [await farm.signBulk(bulk.map(eventId))]);
  // A chain of 5 events on one subject, each in its own batch.
  const subject = 'urn:milkchain:collection:chained';
  let prev: string | null = null;
  for (let i = 0; i < 5; i++) {
    const e: LedgerEvent = { ...base, org: farm.org, subject, prev, inputs: [], occurredAt: `2026-11-2${i}T06:00:00+08:00` };
    await post([e], [await farm.sign(eventId(e))]);
    prev = eventId(e);
  }
  const entries = await ledger.store.entries(0, 10_000);
  chain = { subject, seqs: entries.filter((e) => e.subject === subject).map((e) => e.seq) };
  singleSigned = entries.find((e) => e.subject === 'urn:milkchain:collection:single-7')!.seq;
  logKeys = (await ledger.jwks()) as { keys: never[] };
  jwksFile = path.join(mkdtempSync(path.join(tmpdir(), 'jwks-')), 'log.jwks.json');
  writeFileSync(jwksFile, JSON.stringify(logKeys));
  await ledger.close();
});

const admin = async <T>(fn: (c: pg.Client) => Promise<T>) => {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
};
let copies = 0;
async function tamperedCopy(sql: (c: pg.Client) => Promise<unknown>): Promise<string> {
  const name = `${baseDb}_c${copies++}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${baseDb}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    await sql(c);
  } finally {
    await c.end();
  }
  return url.toString();
}
async function auditDb(url: string): Promise<AuditReport> {
  const pool = createPool(url, 2);
  try {
    return await audit(storeSource(new PostgresLedgerStore(pool)), { logKeys: logKeys.keys, trust: 'pinned', operatorOrg: 'org_milkchain' });
  } finally {
    await pool.end();
  }
}
const first = (r: AuditReport) => r.issues[0]!;

describe('milkchain verify', () => {
  it('passes on an untouched log', async () => {
    const report = await auditDb(await tamperedCopy(async () => {}));
    expect(report.issues).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.entries).toBeGreaterThan(330);
  });

  it('catches a changed byte in an event', async () => {
    const r = await auditDb(await tamperedCopy((c) => c.query("UPDATE ledger_entries SET canonical = overlay(canonical placing '9'::bytea from 40 for 1) WHERE seq = 12")));
    expect(r.ok).toBe(false);
    expect(first(r)).toMatchObject({ seq: 12, check: 'event-hash' });
  });

  it('catches a changed signature', async () => {
    const r = await auditDb(
      await tamperedCopy((c) => c.query(`UPDATE ledger_entries SET signature = regexp_replace(signature, '.....$', 'AAAAA') WHERE seq = ${singleSigned}`)),
    );
    expect(first(r)).toMatchObject({ seq: singleSigned, check: 'signature' });
  });

  it('catches a deleted entry', async () => {
    const r = await auditDb(await tamperedCopy((c) => c.query('DELETE FROM ledger_entries WHERE seq = 20')));
    expect(first(r)).toMatchObject({ seq: 20, check: 'sequence' });
  });

  it('catches two entries swapped', async () => {
    const [a, b] = chain.seqs;
    const r = await auditDb(
      await tamperedCopy(async (c) => {
        await c.query(`UPDATE ledger_entries SET seq = -1 WHERE seq = ${a}`);
        await c.query(`UPDATE ledger_entries SET seq = ${a} WHERE seq = ${b}`);
        await c.query(`UPDATE ledger_entries SET seq = ${b} WHERE seq = -1`);
      }),
    );
    expect(r.ok).toBe(false);
    expect(first(r).seq).toBe(a);
    expect(first(r).check).toBe('chain');
  });

  it('catches an inserted entry', async () => {
    const r = await auditDb(
      await tamperedCopy(async (c) => {
        await c.query('UPDATE ledger_entries SET seq = -seq - 1 WHERE seq >= 25');
        await c.query('UPDATE ledger_entries SET seq = -seq WHERE seq < 0');
        const donor = await c.query('SELECT * FROM ledger_entries WHERE seq = 5');
        const d = donor.rows[0];
        // A new event in the farm's name: the forger has the database, not the farm's key.
        const fake = Buffer.from(String(d.canonical).replace('single-4', 'forged-1'));
        const id = (await import('@milkchain/ledger')).eventIdFromBytes(fake);
        await c.query('INSERT INTO ledger_entries (seq, id, subject, kind, org, prev, canonical, signature) VALUES (25, $1, $2, $3, $4, NULL, $5, $6)', [
          Buffer.from(id, 'hex'),
          'urn:milkchain:collection:forged-1',
          d.kind,
          d.org,
          fake,
          d.signature,
        ]);
      }),
    );
    expect(first(r)).toMatchObject({ seq: 25, check: 'signature' });
  });

  it('catches a truncated log', async () => {
    const r = await auditDb(await tamperedCopy((c) => c.query('DELETE FROM ledger_entries WHERE seq >= 300')));
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.check)).toContain('truncated');
    expect(r.issues.find((i) => i.check === 'truncated')!.seq).toBe(300);
  });

  it('catches a forged checkpoint (payload changed, signature kept)', async () => {
    const r = await auditDb(
      await tamperedCopy(async (c) => {
        const { rows } = await c.query('SELECT tree_size, jws FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1');
        const [h, p, s] = String(rows[0].jws).split('.');
        const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
        payload.rootHash = 'ee'.repeat(32);
        await c.query('UPDATE ledger_checkpoints SET jws = $1 WHERE tree_size = $2', [`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`, rows[0].tree_size]);
      }),
    );
    expect(r.issues.map((i) => i.check)).toContain('checkpoint-signature');
  });

  it('catches a checkpoint re-signed with another key under the log key id', async () => {
    const r = await auditDb(
      await tamperedCopy(async (c) => {
        const { rows } = await c.query('SELECT tree_size, root_hash, issued_at FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1');
        const rogue = await logKeyFromJwk(await generateLogKeyJwk());
        const jws = await signCheckpoint(
          { origin: 'test.milkchain/ledger', treeSize: Number(rows[0].tree_size), rootHash: Buffer.from(rows[0].root_hash).toString('hex'), issuedAt: new Date(rows[0].issued_at).toISOString() },
          rogue.privateKey,
          (logKeys.keys[0] as unknown as { kid: string }).kid,
        );
        await c.query('UPDATE ledger_checkpoints SET jws = $1 WHERE tree_size = $2', [jws, rows[0].tree_size]);
      }),
    );
    expect(r.issues.map((i) => i.check)).toContain('checkpoint-signature');
  });

  it('catches a replaced organisation key', async () => {
    const other = await generateOrgKey();
    const r = await auditDb(await tamperedCopy((c) => c.query("UPDATE ledger_org_keys SET jwk = $1 WHERE org = 'org_tamper_farm'", [JSON.stringify(other.publicJwk)])));
    expect(r.issues.map((i) => i.check)).toContain('org-key');
  });

  it('catches events re-signed with a key swapped into the key table', async () => {
    const other = await generateOrgKey();
    const r = await auditDb(
      await tamperedCopy(async (c) => {
        const { rows } = await c.query(`SELECT id FROM ledger_entries WHERE seq = ${singleSigned}`);
        const sig = await signEventId(Buffer.from(rows[0].id).toString('hex'), other.privateJwk, other.kid);
        await c.query(`UPDATE ledger_entries SET signature = $1 WHERE seq = ${singleSigned}`, [sig]);
        await c.query("INSERT INTO ledger_org_keys (kid, org, jwk, seq) VALUES ($1, 'org_tamper_farm', $2, 0)", [other.kid, JSON.stringify(other.publicJwk)]);
      }),
    );
    expect(first(r)).toMatchObject({ seq: singleSigned, check: 'signature' });
  });

  it('catches a changed stored subtree hash', async () => {
    const r = await auditDb(await tamperedCopy((c) => c.query("UPDATE ledger_tiles SET hashes = overlay(hashes placing '\\xff'::bytea from 33 for 1) WHERE level = 0 AND idx = 0")));
    expect(r.issues.map((i) => i.check)).toContain('stored-subtree-hashes');
  });

  it('as a command: exits 0 on a good log and 1 naming the first bad entry', async () => {
    const good = await tamperedCopy(async () => {});
    const ok = await run('npx', ['milkchain', 'verify', '--database', good, '--jwks', jwksFile], { cwd: root });
    expect(ok.stdout).toContain('ledger verified');
    const bad = await tamperedCopy((c) => c.query("UPDATE ledger_entries SET canonical = overlay(canonical placing '9'::bytea from 40 for 1) WHERE seq = 17"));
    const failed = await run('npx', ['milkchain', 'verify', '--database', bad, '--jwks', jwksFile], { cwd: root }).catch((e: { code: number; stdout: string }) => e);
    expect((failed as { code: number }).code, JSON.stringify(failed)).toBe(1);
    expect(failed.stdout).toContain('entry seq 17');
    expect(failed.stdout).toContain('event-hash');
  });
});

