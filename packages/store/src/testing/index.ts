import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../migrate.ts';

/**
 * A fresh, migrated database on the test server for one test file. Tests own their data:
 * nothing is truncated or shared between files.
 */
export async function createTestDatabase(serverUrl: string, prefix = 't'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return url.toString();
}

// What tests/setup/global.ts provides to every test file (`inject('postgresUrl')`).
declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
