import path from 'node:path';

/**
 * Configuration, read once from the environment at start and validated; nothing else reads
 * process.env. Every key is documented in README.md ("Configuration").
 */
export interface LedgerConfig {
  /** HTTP port. PORT, default 8080. */
  port: number;
  /** PostgreSQL URL. DATABASE_URL; required when the service runs alone. */
  databaseUrl: string | undefined;
  /** Folder for embedded PostgreSQL and the log key in one-process mode. MILKCHAIN_DATA_DIR, default ./.milkchain */
  dataDir: string;
  /** Private JWK file of the log's checkpoint key; created on first start. MILKCHAIN_LOG_KEY_FILE, default <dataDir>/log-key.jwk.json */
  logKeyFile: string;
  /** Bearer token for key registration. MILKCHAIN_ADMIN_TOKEN; one-process mode makes one up and prints it when unset. */
  adminToken: string | undefined;
  /** Name of this log in its checkpoints. MILKCHAIN_LOG_ORIGIN, default milkchain.local/ledger */
  origin: string;
  /** Organisation id of the log operator. MILKCHAIN_OPERATOR_ORG, default org_milkchain */
  operatorOrg: string;
  /** Seed demo data on first start (one-process mode). MILKCHAIN_SEED=0 turns it off. */
  seed: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a TCP port number, got "${env.PORT}"`);
  const dataDir = path.resolve(env.MILKCHAIN_DATA_DIR ?? '.milkchain');
  const origin = env.MILKCHAIN_LOG_ORIGIN ?? 'milkchain.local/ledger';
  if (!/^[\x21-\x7e]{1,200}$/.test(origin)) throw new ConfigError('MILKCHAIN_LOG_ORIGIN must be printable ASCII without spaces');
  const operatorOrg = env.MILKCHAIN_OPERATOR_ORG ?? 'org_milkchain';
  if (!/^org_[a-z0-9_-]{2,60}$/.test(operatorOrg)) throw new ConfigError('MILKCHAIN_OPERATOR_ORG must look like org_<letters, digits, _ or ->');
  const adminToken = env.MILKCHAIN_ADMIN_TOKEN;
  if (adminToken !== undefined && adminToken.length < 16) throw new ConfigError('MILKCHAIN_ADMIN_TOKEN must be at least 16 characters');
  if (env.DATABASE_URL !== undefined && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) throw new ConfigError('DATABASE_URL must be a postgresql:// URL');
  return {
    port,
    databaseUrl: env.DATABASE_URL,
    dataDir,
    logKeyFile: path.resolve(env.MILKCHAIN_LOG_KEY_FILE ?? path.join(dataDir, 'log-key.jwk.json')),
    adminToken,
    origin,
    operatorOrg,
    seed: env.MILKCHAIN_SEED !== '0',
  };
}
