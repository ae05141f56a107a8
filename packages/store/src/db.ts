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
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  pool.on('error', onIdleError);
  return pool;
}

/** Prisma for the domain tables; hot paths use raw SQL on a pg pool. */
export function createPrisma(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

export { PrismaClient };
