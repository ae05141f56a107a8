export { startEmbeddedPostgres, freePort, type EmbeddedOptions, type EmbeddedPostgresHandle } from './embedded.ts';
export { migrate, MIGRATIONS_DIR, type MigrationResult } from './migrate.ts';
export { createPool, createPrisma, PrismaClient, type Pool, type PoolClient } from './db.ts';
