// The identity service alone: `npm start -w services/identity` with the variables listed in
// config.ts (DATABASE_URL, MILKCHAIN_KEY_ENCRYPTION_KEY, LEDGER_URL, MILKCHAIN_ADMIN_TOKEN, and
// MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD on first start).
import { jsonLogger } from '@milkchain/http';
import { buildIdentity, listen, type RunningIdentity } from './build.ts';
import { ConfigError, loadIdentityConfig, type IdentityConfig } from './config.ts';

let config: IdentityConfig;
try {
  config = loadIdentityConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const logger = jsonLogger('identity');
let identity: RunningIdentity;
try {
  identity = await buildIdentity(config, { logger });
} catch (err) {
  console.error(`身份服务无法启动 / identity could not start: ${(err as Error).message}`);
  process.exit(1);
}
const server = await listen(identity.app, config.port);
const address = server.address();
logger.info('identity listening', { port: typeof address === 'object' && address ? address.port : config.port });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info('identity stopping', { signal });
  server.close();
  await identity.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
