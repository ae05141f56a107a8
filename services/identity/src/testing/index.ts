import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { silentLogger, type Logger } from '@milkchain/http';
import { createPrisma, type PrismaClient } from '@milkchain/store';
import { createIdentityApp } from '../app.ts';
import type { LedgerKeyRegistrar } from '../registrar.ts';
import { IdentityService } from '../service.ts';
import { generateTokenKeyJwk, tokenKeyFromJwk } from '../tokens.ts';

export const TEST_ADMIN_PASSWORD = 'bootstrap-admin-password';

/** A registrar that records what it was given (and can be told to fail), instead of a ledger. */
export function recordingRegistrar(): LedgerKeyRegistrar & { calls: Array<{ org: string; jwk: JWK }>; failNext: boolean } {
  const r = {
    calls: [] as Array<{ org: string; jwk: JWK }>,
    failNext: false,
    async register(org: string, jwk: JWK) {
      if (r.failNext) {
        r.failNext = false;
        throw new Error('ledger unreachable (test)');
      }
      r.calls.push({ org, jwk: structuredClone(jwk) });
    },
  };
  return r;
}

export interface TestIdentity {
  url: string;
  service: IdentityService;
  prisma: PrismaClient;
  keyEncryptionKey: Buffer;
  registrar: ReturnType<typeof recordingRegistrar>;
  /** Logs in (password grant) and returns the access token; throws on refusal. */
  login(username: string, password: string, audience?: string[]): Promise<string>;
  /** A token of the platform admin. */
  adminToken(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Identity over a real (migrated) database on an ephemeral port, with a fresh token key, a
 * random key-encryption key and a recording registrar; bootstrapped with TEST_ADMIN_PASSWORD.
 */
export async function startTestIdentity(options: { databaseUrl: string; logger?: Logger; registrar?: ReturnType<typeof recordingRegistrar> }): Promise<TestIdentity> {
  const prisma = createPrisma(options.databaseUrl);
  const keyEncryptionKey = randomBytes(32);
  const registrar = options.registrar ?? recordingRegistrar();
  const service = new IdentityService({ prisma, keyEncryptionKey, tokenKey: await tokenKeyFromJwk(await generateTokenKeyJwk()), registrar, logger: options.logger ?? silentLogger });
  await service.bootstrap(TEST_ADMIN_PASSWORD);
  const app = createIdentityApp({ service, logger: options.logger ?? silentLogger });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const login = async (username: string, password: string, audience?: string[]) => {
    const res = await fetch(`${url}/identity/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username, password, ...(audience ? { audience } : {}) }),
    });
    if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  return {
    url,
    service,
    prisma,
    keyEncryptionKey,
    registrar,
    login,
    adminToken: () => login('admin', TEST_ADMIN_PASSWORD),
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await prisma.$disconnect();
    },
  };
}
