// The whole product in one process (as `npm start` runs it) over a fresh test database: identity,
// the ledger and the four custody services on the in-process bus, listening on a free port.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '@milkchain/http';
import type { RunningIdentity } from '@milkchain/identity-service';
import { createTestDatabase } from '@milkchain/store/testing';
import { compose, inProcessIdentity, listenOn, seedOrgs, type Composed } from '@milkchain/embedded';

export const ADMIN_PASSWORD = 'world-test-admin-password';

export interface World {
  base: string;
  databaseUrl: string;
  composed: Composed;
  identity: RunningIdentity;
  /** A token per demo organisation (its first user). */
  tokens: Map<string, string>;
  /** Identity's key-encryption key (organisations' private keys are sealed under it). */
  keyEncryptionKey: Buffer;
  /** The private JWK identity signs access tokens with (tests mint tokens with it). */
  tokenKeyFile: string;
  /** The ledger's admin bearer token. */
  adminToken: string;
  close(): Promise<void>;
}

export interface WorldOptions {
  /** Where every service logs; default silent (security tests capture the lines). */
  logger?: (service: string) => Logger;
}

export async function startWorld(serverUrl: string, prefix = 'world', options: WorldOptions = {}): Promise<World> {
  const databaseUrl = await createTestDatabase(serverUrl, prefix);
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const logger = options.logger ?? (() => silentLogger);
  const keyEncryptionKey = randomBytes(32);
  const tokenKeyFile = path.join(dir, 'token-key.jwk.json');
  const adminToken = randomBytes(16).toString('hex');
  let identity: RunningIdentity | undefined;
  const composed = await compose({
    databaseUrl,
    adminToken,
    logKeyFile: path.join(dir, 'log-key.jwk.json'),
    logger,
    identity: async (ledger) => {
      identity = await inProcessIdentity({ databaseUrl, keyEncryptionKey, tokenKeyFile, bootstrapAdminPassword: ADMIN_PASSWORD, logger: logger('identity') })(ledger);
      return identity;
    },
  });
  const server: Server = await listenOn(composed.app, 0, '127.0.0.1');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;
  composed.bindLedgerUrl(base);
  const tokens = await seedOrgs(base, ADMIN_PASSWORD);
  return {
    base,
    databaseUrl,
    composed,
    identity: identity!,
    tokens,
    keyEncryptionKey,
    tokenKeyFile,
    adminToken,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await composed.close();
      await identity?.close();
    },
  };
}

/** JSON over HTTP with a bearer token. */
export async function api(base: string, method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(opts.body !== undefined || opts.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    ...(opts.raw !== undefined ? { body: opts.raw } : opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: body as Record<string, unknown> };
}
