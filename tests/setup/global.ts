import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@milkchain/store';
import { startTestBroker, type TestBroker } from '@milkchain/bus/testing'; // also declares ProvidedContext.kafkaBrokers

import '@milkchain/store/testing'; // declares ProvidedContext.postgresUrl

/**
 * One PostgreSQL server per test run (embedded, fsync off, in a temporary folder); every test
 * file makes its own database on it (see @milkchain/store/testing). A `TEST_DATABASE_URL`
 * pointing at a server you run yourself is used instead when set.
 *
 * One Kafka-protocol broker per run (see startTestBroker in @milkchain/bus/testing: KAFKA_BROKERS,
 * else a testcontainers Kafka, else librdkafka's mock cluster through kcat); every test file
 * uses its own topic namespace on it. When none starts, `kafkaBrokers` is '' and
 * `kafkaUnavailable` says why: Kafka suites skip with that reason (CI fails on any skip).
 */
export default async function setup(project: TestProject) {
  const teardown: Array<() => Promise<void>> = [];
  if (process.env.TEST_DATABASE_URL) {
    project.provide('postgresUrl', process.env.TEST_DATABASE_URL);
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'milkchain-test-pg-'));
    chmodSync(dir, 0o755); // PostgreSQL runs as its own OS user when we are root
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), durable: false });
    project.provide('postgresUrl', pg.url);
    teardown.push(async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    });
  }

  let broker: TestBroker | undefined;
  try {
    broker = await startTestBroker();
    project.provide('kafkaBrokers', broker.brokers.join(','));
    project.provide('kafkaUnavailable', '');
    teardown.push(() => broker!.stop());
  } catch (err) {
    project.provide('kafkaBrokers', '');
    project.provide('kafkaUnavailable', (err as Error).message);
    console.warn(`Kafka suites will be skipped: ${(err as Error).message}`);
  }

  return async () => {
    for (const stop of teardown.reverse()) await stop();
  };
}
