import { createHash } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

// BIGINT as JS number: sequence numbers and sizes stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * A pool whose idle connections may be cut (the server restarts, or shuts down first on Ctrl-C,
 * which reaches PostgreSQL too): pg emits that as an 'error' on the pool, which would crash the
 * process if nobody listened. The next query simply opens a new connection; queries in flight
 * still fail and are handled by their callers.
 */
export function createPool(databaseUrl: string, max = 10, onIdleError: (err: Error) => void = () => {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, Client: PreparingClient });
  pool.on('error', onIdleError);
  return pool;
}

/** Statement names by SQL text (a name is the text's hash, so one text always has one name). */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `mc_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    if (names.size < 10_000) names.set(text, name);
  }
  return name;
}

/**
 * A client that sends every parameterised query as a named prepared statement: PostgreSQL parses
 * and plans its text once per connection instead of on every call (the write path and the
 * projections run the same few statements thousands of times a second). Queries without
 * parameters (BEGIN, COMMIT, DDL, several statements in one) and streams (COPY) go as they are.
 */
class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [config, values] = args;
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      args[0] = { name: statementName(config), text: config };
    } else if (typeof config === 'object' && config !== null && !('submit' in config)) {
      const c = config as { text?: unknown; name?: unknown; values?: unknown };
      if (typeof c.text === 'string' && c.name === undefined && Array.isArray(c.values) && c.values.length > 0) args[0] = { ...c, name: statementName(c.text) };
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/** Prisma for the domain tables; hot paths use raw SQL on a pg pool. */
export function createPrisma(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

export { PrismaClient };
