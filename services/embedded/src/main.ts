// One-process mode (`npm start` at the repository root): embedded PostgreSQL under the data
// folder, migrations, every service mounted in one Express app on PORT, demo data on first start.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@milkchain/store';
import { buildLedger, listen, loadConfig } from '@milkchain/ledger-service';
import { seedDemo } from '@milkchain/seeds';

const config = loadConfig();
mkdirSync(config.dataDir, { recursive: true });
const say = (zh: string, en: string) => console.log(`${zh} / ${en}`);

say('正在启动内置 PostgreSQL…', `starting embedded PostgreSQL in ${path.join(config.dataDir, 'pg')}…`);
const postgres = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg'), durable: true });
const admin = new pg.Client({ connectionString: postgres.url });
await admin.connect();
const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'milkchain'");
if (exists.rowCount === 0) await admin.query('CREATE DATABASE milkchain');
await admin.end();
const databaseUrl = postgres.urlFor('milkchain');

const tokenFile = path.join(config.dataDir, 'admin-token');
let adminToken = config.adminToken;
if (!adminToken) {
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  adminToken = readFileSync(tokenFile, 'utf8').trim();
}

const ledger = await buildLedger({ ...config, databaseUrl, adminToken });
if (config.seed && (await ledger.store.orgKeys()).length === 0) {
  say('首次启动：正在写入演示数据…', 'first start: seeding the demo ledger…');
  const seeded = await seedDemo(ledger);
  say(`已写入 ${seeded.events} 个已签名事件`, `${seeded.events} signed events from ${seeded.orgs} demo organisations`);
}
const server = await listen(ledger.app, config.port);
const address = server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
const url = `http://localhost:${port}`;
say('milkchain 已启动', `milkchain is running at ${url}`);
console.log(`  账本检查点 / checkpoint:  ${url}/ledger/v1/checkpoint   (tree size ${ledger.sequencer.size})`);
console.log(`  最近的事件 / entries:     ${url}/ledger/v1/entries?start=0&limit=20`);
console.log(`  校验账本 / verify:        npx milkchain verify --server ${url}`);
console.log(`  管理令牌 / admin token:   in ${tokenFile}${config.adminToken ? ' (from MILKCHAIN_ADMIN_TOKEN)' : ''}`);
console.log('  按 Ctrl-C 停止 / press Ctrl-C to stop');

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  say('正在停止…', 'stopping…');
  // Each step runs even if an earlier one failed: on Ctrl-C in a terminal PostgreSQL gets the
  // signal too and may already be shutting down (cleanly) on its own.
  const closing = new Promise<void>((r) => server.close(() => r()));
  server.closeIdleConnections();
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['HTTP server', () => closing],
    ['ledger', () => ledger.close()],
    ['PostgreSQL', () => postgres.stop()],
  ];
  let clean = true;
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (err) {
      clean = false;
      console.error(`  ${name}: ${(err as Error).message}`);
    }
  }
  if (clean) say('已安全停止', 'stopped cleanly');
  else say('已停止（见上方提示）', 'stopped (see the messages above)');
  process.exit(clean ? 0 : 1);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
