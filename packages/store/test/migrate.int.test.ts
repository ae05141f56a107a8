import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrisma, migrate, MIGRATIONS_DIR } from '../src/index.ts';
import { createTestDatabase } from '../src/testing/index.ts';

describe('migration runner', () => {
  let url: string;
  let client: pg.Client;
  beforeAll(async () => {
    url = await createTestDatabase(inject('postgresUrl'), 'migr');
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(() => client.end());

  it('records every migration as Prisma does, with the SHA-256 of its file', async () => {
    const { rows } = await client.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const sql = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'), 'utf8');
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('is idempotent: a second run applies nothing', async () => {
    const again = await migrate(url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const { rows } = await client.query('SELECT migration_name FROM _prisma_migrations LIMIT 1');
    await client.query('UPDATE _prisma_migrations SET checksum = $1 WHERE migration_name = $2', ['0'.repeat(64), rows[0].migration_name]);
    await expect(migrate(url)).rejects.toThrow(/was changed after it was applied/);
  });

  // The migrations are written by hand here (the native schema engine cannot run on these
  // machines), so this is the check that they agree with schema.prisma: Prisma writes and reads
  // back every column of every model through the migrated tables.
  it('agrees with schema.prisma: every model round-trips through Prisma', async () => {
    const prisma = createPrisma(url);
    const bytes = new Uint8Array([1, 2, 3]);
    try {
      const entry = { seq: 1n, id: bytes, subject: 's', kind: 'k', org: 'o', prev: bytes, canonical: bytes, signature: 'sig', bulkId: 7n };
      expect(await prisma.ledgerEntry.create({ data: entry })).toMatchObject({ ...entry, receivedAt: expect.any(Date) });
      const bulk = { id: 7n, jws: 'j', ids: bytes };
      expect(await prisma.ledgerBulkSignature.create({ data: bulk })).toEqual(bulk);
      const tile = { level: 0, idx: 0n, hashes: bytes };
      expect(await prisma.ledgerTile.create({ data: tile })).toEqual(tile);
      const cp = { treeSize: 1n, rootHash: bytes, issuedAt: new Date('2026-11-23T00:00:00.123Z'), jws: 'c' };
      expect(await prisma.ledgerCheckpoint.create({ data: cp })).toEqual(cp);
      const key = { kid: 'k', org: 'org_x', jwk: { kty: 'OKP' }, seq: 0n };
      expect(await prisma.ledgerOrgKey.create({ data: key })).toMatchObject(key);
      expect(await prisma.ledgerLogKey.create({ data: { kid: 'k1', jwk: { kty: 'OKP' } } })).toMatchObject({ kid: 'k1' });
      const auditRow = { startedAt: new Date(), finishedAt: new Date(), treeSize: 1n, ok: true, report: { issues: [] } };
      expect(await prisma.ledgerAudit.create({ data: auditRow })).toMatchObject({ ...auditRow, id: expect.any(BigInt) });
    } finally {
      await prisma.$disconnect();
    }
  });
});
