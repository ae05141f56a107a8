import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTokenVerifier } from '@milkchain/auth';
import { silentLogger } from '@milkchain/http';
import { createTestDatabase } from '@milkchain/store/testing';
import { buildIdentity } from '../src/index.ts';
import { recordingRegistrar } from '../src/testing/index.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'identity-build-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('buildIdentity', () => {
  it('refuses a first start without the bootstrap admin password, with a message that names it', async () => {
    const databaseUrl = await createTestDatabase(inject('postgresUrl'), 'idboot');
    await expect(
      buildIdentity({ databaseUrl, keyEncryptionKey: randomBytes(32), tokenKeyFile: path.join(dir, 'a', 'token.jwk.json') }, { logger: silentLogger, registrar: recordingRegistrar() }),
    ).rejects.toThrow(/MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD/);
  });

  it('bootstraps the operator organisation and admin once, keeps its token key, and the admin can log in', async () => {
    const databaseUrl = await createTestDatabase(inject('postgresUrl'), 'idboot');
    const tokenKeyFile = path.join(dir, 'b', 'token.jwk.json');
    const registrar = recordingRegistrar();
    const config = { databaseUrl, keyEncryptionKey: randomBytes(32), tokenKeyFile, bootstrapAdminPassword: 'first-start-password' };
    const first = await buildIdentity(config, { logger: silentLogger, registrar });
    const kid = first.jwks.keys[0]!.kid;
    expect(statSync(tokenKeyFile).mode & 0o777).toBe(0o600);
    expect(registrar.calls.map((c) => c.org)).toEqual(['org_milkchain']);
    expect(await first.service.getOrg('org_milkchain')).toMatchObject({ roles: ['admin'], status: 'active' });
    const issued = await first.service.token({ grant_type: 'password', username: 'admin', password: 'first-start-password' });
    const admin = await createTokenVerifier({ jwks: first.jwks, audience: 'milkchain:identity' }).verify(issued.access_token);
    expect(admin).toMatchObject({ org: 'org_milkchain', roles: ['admin'] });
    expect(first.service.isPlatformAdmin(admin)).toBe(true);
    await first.close();

    // A second start: nothing re-created, no password needed, same token key.
    const second = await buildIdentity({ ...config, bootstrapAdminPassword: undefined }, { logger: silentLogger, registrar });
    expect(second.jwks.keys[0]!.kid).toBe(kid);
    expect(registrar.calls).toHaveLength(1);
    expect(await second.prisma.identityUser.count({ where: { org: 'org_milkchain' } })).toBe(1);
    await second.close();
  });
});
