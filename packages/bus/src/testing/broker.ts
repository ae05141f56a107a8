import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

/** A Kafka-protocol broker for tests. `how` says which one, for the test log. */
export interface TestBroker {
  brokers: string[];
  how: string;
  stop(): Promise<void>;
}

const NO_RUNTIME = 'Could not find a working container runtime strategy';
const KAFKA_IMAGE = 'apache/kafka:3.9.1';

/**
 * Picks a broker for the test run, in this order:
 * 1. `KAFKA_BROKERS` (comma list) from the environment: a broker you run yourself;
 * 2. a real Kafka (`apache/kafka`, KRaft single node) through testcontainers, where a
 *    container runtime exists;
 * 3. librdkafka's mock cluster hosted by Debian's `kcat` (3 brokers, topics auto-created with
 *    4 partitions, no topic admin, no idempotent or transactional producers).
 * Throws, naming what is missing, when none works. Test helpers may read the environment to
 * pick infrastructure; packages' runtime code never does.
 */
export async function startTestBroker(): Promise<TestBroker> {
  // eslint-disable-next-line no-restricted-syntax -- test infrastructure choice, documented above
  const fromEnv = process.env.KAFKA_BROKERS;
  if (fromEnv?.trim()) {
    const brokers = fromEnv.split(',').map((b) => b.trim()).filter(Boolean);
    return { brokers, how: `KAFKA_BROKERS (${brokers.join(',')})`, stop: async () => {} };
  }
  const reasons: string[] = [];
  try {
    return await startContainer();
  } catch (err) {
    const message = (err as Error).message;
    reasons.push(message.includes(NO_RUNTIME) ? 'testcontainers: no container runtime' : `testcontainers: ${message}`);
  }
  try {
    return await startKcatMock();
  } catch (err) {
    reasons.push(`kcat: ${(err as Error).message}`);
  }
  throw new Error(
    `没有可用的 Kafka 测试代理 / no Kafka broker for the tests (${reasons.join('; ')}): ` +
      'install kcat: apt-get install -y kcat, or set KAFKA_BROKERS',
  );
}

/** A single-node KRaft Kafka. Host and container port are the same free port, so the advertised listener is right. */
async function startContainer(): Promise<TestBroker> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const port = await freePort();
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://localhost:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_NUM_PARTITIONS: '4',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  return {
    brokers: [`localhost:${port}`],
    how: `testcontainers ${KAFKA_IMAGE} (localhost:${port})`,
    stop: async () => {
      await container.stop();
    },
  };
}

/**
 * librdkafka's mock cluster, hosted by kcat: kcat starts it when given `test.mock.num.brokers`
 * and prints the bootstrap list it replaced ours with on stderr; it lives as long as kcat does.
 */
async function startKcatMock(timeoutMs = 15_000): Promise<TestBroker> {
  const child = spawn('kcat', ['-X', 'test.mock.num.brokers=3', '-b', '127.0.0.1:1', '-C', '-t', '__keepalive', '-o', 'end', '-q'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const brokers = await new Promise<string[]>((resolve, reject) => {
      let stderr = '';
      const timer = setTimeout(() => reject(new Error(`kcat printed no mock bootstrap list within ${timeoutMs} ms: ${stderr.trim()}`)), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        f();
      };
      child.once('error', (err: NodeJS.ErrnoException) =>
        done(() => reject(err.code === 'ENOENT' ? new Error('kcat is not installed') : err)),
      );
      child.once('exit', (code, signal) => done(() => reject(new Error(`kcat exited (${code ?? signal}) before the mock cluster was up: ${stderr.trim()}`))));
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        stderr += chunk;
        const m = /replaced with ([^\s]+)/.exec(stderr);
        if (m?.[1]) done(() => resolve(m[1]!.split(',').filter(Boolean)));
      });
    });
    child.stderr!.resume(); // keep draining, so kcat never blocks on a full pipe
    child.removeAllListeners('exit');
    return {
      brokers,
      how: `librdkafka mock cluster via kcat (${brokers.join(',')})`,
      stop: () => stopChild(child),
    };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}
