import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@milkchain/store';

import '@milkchain/store/testing'; // declares ProvidedContext.postgresUrl

/**
 * One PostgreSQL server per test run (embedded, fsync off, in a temporary folder); every test
 * file makes its own database on it (see @milkchain/store/testing). A `TEST_DATABASE_URL`
 * pointing at a server you run yourself is used instead when set.
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('postgresUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'milkchain-test-pg-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own OS user when we are root
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), durable: false });
  project.provide('postgresUrl', pg.url);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
