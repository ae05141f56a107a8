// One-process mode (`npm start` at the repository root): embedded PostgreSQL under the data
// folder, migrations, every service mounted in one Express app on PORT over the in-process bus,
// the demo world on first start.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import QRCode from 'qrcode';
import { jsonLogger, type Logger } from '@milkchain/http';
import { loadConfig } from '@milkchain/ledger-service';
import { startEmbeddedPostgres } from '@milkchain/store';
import { compose, inProcessIdentity, listenOn } from './compose.ts';
import { seedWorld } from './seed-world.ts';

const config = loadConfig();
mkdirSync(config.dataDir, { recursive: true });
const say = (zh: string, en: string) => console.log(`${zh} / ${en}`);

// Every service's log lines (JSON) go to a file in the data folder; warnings and errors also to
// the terminal, where the person who ran `npm start` reads progress and the URL.
const logFile = path.join(config.dataDir, 'milkchain.log');
const logStream = createWriteStream(logFile, { flags: 'a' });
const logger = (service: string): Logger => {
  const file = jsonLogger(service, (line) => logStream.write(line + '\n'));
  const terminal = jsonLogger(service);
  return {
    info: file.info,
    warn: (m, f) => (file.warn(m, f), terminal.warn(m, f)),
    error: (m, f) => (file.error(m, f), terminal.error(m, f)),
  };
};

/** A secret kept in the data folder (0600), made up on first start unless the environment gives it. */
function secret(file: string, fromEnv: string | undefined, make: () => string): string {
  if (fromEnv) return fromEnv;
  const p = path.join(config.dataDir, file);
  if (!existsSync(p)) writeFileSync(p, make() + '\n', { mode: 0o600 });
  return readFileSync(p, 'utf8').trim();
}

say('正在启动内置 PostgreSQL…', `starting embedded PostgreSQL in ${path.join(config.dataDir, 'pg')}…`);
const postgres = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg'), durable: true });
const admin = new pg.Client({ connectionString: postgres.url });
await admin.connect();
const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'milkchain'");
if (exists.rowCount === 0) await admin.query('CREATE DATABASE milkchain');
await admin.end();
const databaseUrl = postgres.urlFor('milkchain');

const adminToken = secret('admin-token', config.adminToken, () => randomBytes(24).toString('base64url'));
const adminPassword = secret('admin-password', process.env.MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD, () => randomBytes(12).toString('base64url'));
const keyEncryptionKey = Buffer.from(secret('key-encryption-key', process.env.MILKCHAIN_KEY_ENCRYPTION_KEY, () => randomBytes(32).toString('base64url')), 'base64url');
if (keyEncryptionKey.length !== 32) throw new Error('MILKCHAIN_KEY_ENCRYPTION_KEY must be 32 bytes, base64url');

const composed = await compose({
  databaseUrl,
  adminToken,
  logKeyFile: config.logKeyFile,
  origin: config.origin,
  resolverBase: process.env.MILKCHAIN_RESOLVER_BASE || `http://localhost:${config.port}`,
  logger,
  identity: inProcessIdentity({
    logger: logger('identity'),
    databaseUrl,
    keyEncryptionKey,
    tokenKeyFile: path.join(config.dataDir, 'token-key.jwk.json'),
    bootstrapAdminPassword: adminPassword,
    operatorOrg: config.operatorOrg,
  }),
});
const server = await listenOn(composed.app, config.port);
const address = server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
const url = `http://localhost:${port}`;
composed.bindLedgerUrl(`http://127.0.0.1:${port}`);

const seededMarker = path.join(config.dataDir, 'world-seeded');
if (config.seed && !existsSync(seededMarker)) {
  say('首次启动：正在生成演示区域（牧场、加工厂、检验机构、冷链与门店）…', 'first start: seeding the demo region (farms, processors, labs, cold chain, shops)…');
  let last = 0;
  const seeded = await seedWorld(`http://127.0.0.1:${port}`, adminPassword, {
    waitProjected: () => composed.projected(),
    progress: (done, total) => {
      const pct = Math.floor((done / total) * 100);
      if (pct >= last + 5 || done === total) {
        last = pct;
        process.stdout.write(`\r  ${'█'.repeat(pct / 5)}${'░'.repeat(20 - pct / 5)} ${pct}% (${done}/${total})`);
      }
    },
  });
  process.stdout.write('\n');
  writeFileSync(seededMarker, new Date().toISOString() + '\n');
  say(`已写入 ${seeded.events} 个已签名事件，来自 ${seeded.orgs} 个组织`, `${seeded.events} signed events from ${seeded.orgs} organisations`);
}

say('milkchain 已启动', `milkchain is running at ${url}`);
console.log(`  账本检查点 / checkpoint:  ${url}/ledger/v1/checkpoint   (tree size ${composed.ledger.sequencer.size})`);
console.log(`  最近的事件 / entries:     ${url}/ledger/v1/entries?start=0&limit=20`);
console.log(`  接口文档 / OpenAPI:       ${url}/farm/openapi.json  (also /processor, /lab, /logistics, /identity, /ledger)`);
console.log(`  日志 / logs:             ${logFile}`);
console.log(`  校验账本 / verify:        npx milkchain verify --server ${url}`);
console.log(`  管理员 / admin:           user "admin", password in ${path.join(config.dataDir, 'admin-password')}`);
const lot = await composed.pool.query<{ gtin: string; lot: string; name: string | null }>(
  `SELECT state->'data'->>'gtin' AS gtin, state->'data'->>'lot' AS lot, state->'data'->>'productName' AS name
     FROM custody_objects WHERE service = 'processor' AND type = 'lot' AND status = 'active' ORDER BY subject LIMIT 1`,
);
const demo = lot.rows[0];
if (demo?.gtin && demo.lot) {
  const link = `${url}/01/${demo.gtin}/10/${encodeURIComponent(demo.lot)}`;
  console.log(`  演示产品 / a demo product (GS1 Digital Link): ${link}`);
  console.log(await QRCode.toString(link, { type: 'terminal', small: true }));
}
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
    ['services', () => composed.close()],
    ['identity', () => (composed.identity as { close?: () => Promise<void> }).close?.() ?? Promise.resolve()],
    ['PostgreSQL', () => postgres.stop()],
    ['log file', () => new Promise<void>((r) => logStream.end(() => r()))],
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
