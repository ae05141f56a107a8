// What the one-process benches share: the whole product on a durable embedded PostgreSQL (fsync
// on) in a temporary folder, listening on a free port, with the demo organisations' users.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { silentLogger } from '@milkchain/http';
import type { RunningIdentity } from '@milkchain/identity-service';
import { startEmbeddedPostgres } from '@milkchain/store';
import { compose, inProcessIdentity, listenOn, seedOrgs, type ComposeOptions, type Composed } from '../src/index.ts';

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
export const ms = (x: number) => `${x.toFixed(2)} ms`;

export interface BenchProduct {
  base: string;
  databaseUrl: string;
  composed: Composed;
  /** A token per demo organisation (and `org#role`), as seedOrgs gives them. */
  tokens: Map<string, string>;
  /** The operator admin's password (to create more organisations with seedOrgs). */
  adminPassword: string;
  /** CPU time used so far (ms): this Node process, and this product's PostgreSQL (postmaster and backends). */
  cpu(): { node: number; postgres: number };
  close(): Promise<void>;
}

export async function startBenchProduct(name: string, options: Pick<ComposeOptions, 'resolverBase' | 'resolverRateLimit'> = {}): Promise<BenchProduct> {
  const adminPassword = 'bench-admin-password';
  const dir = mkdtempSync(path.join(tmpdir(), `milkchain-bench-${name}-`));
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), durable: true });
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const databaseUrl = postgres.urlFor('bench');
  let identity: RunningIdentity | undefined;
  const composed = await compose({
    databaseUrl,
    adminToken: randomBytes(16).toString('hex'),
    logKeyFile: path.join(dir, 'log-key.jwk.json'),
    logger: () => silentLogger,
    ...options,
    identity: async (ledger) => {
      identity = await inProcessIdentity({ databaseUrl, keyEncryptionKey: randomBytes(32), tokenKeyFile: path.join(dir, 'token-key.jwk.json'), bootstrapAdminPassword: adminPassword, logger: silentLogger })(ledger);
      return identity;
    },
  });
  const server = await listenOn(composed.app, 0, '127.0.0.1');
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  composed.bindLedgerUrl(base);
  const tokens = await seedOrgs(base, adminPassword);
  return {
    base,
    databaseUrl,
    composed,
    tokens,
    adminPassword,
    cpu: () => {
      const c = process.cpuUsage();
      return { node: (c.user + c.system) / 1000, postgres: postgresCpuMs(path.join(dir, 'pg')) };
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await composed.close();
      await identity?.close();
      await postgres.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * CPU time (ms) of the PostgreSQL cluster whose data folder is `dataDir`: its postmaster and the
 * postmaster's children, from /proc (Linux; clock ticks at 100 Hz). Exited backends are not
 * counted, so call it while the connections being measured are open (the pools keep them).
 */
export function postgresCpuMs(dataDir: string): number {
  const stat = (pid: string) => {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: f[1]!, ticks: Number(f[11]) + Number(f[12]) };
  };
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  let master: string | undefined;
  for (const p of pids) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(dataDir)) master = p;
    } catch {
      // exited meanwhile
    }
  }
  if (!master) return NaN;
  let ticks = 0;
  for (const p of pids) {
    try {
      const s = stat(p);
      if (p === master || s.ppid === master) ticks += s.ticks;
    } catch {
      // exited meanwhile
    }
  }
  return ticks * 10;
}
