import path from 'node:path';
import { parseKeyEncryptionKey } from './secrets.ts';

/**
 * Configuration of the identity service, read once from the environment and validated; nothing
 * else reads process.env.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `PORT` | 8081 | HTTP port |
 * | `DATABASE_URL` | required | PostgreSQL URL; migrations are applied at start |
 * | `MILKCHAIN_KEY_ENCRYPTION_KEY` | required | 32 bytes, base64url: seals organisations' private signing keys (AES-256-GCM) |
 * | `MILKCHAIN_TOKEN_KEY_FILE` | `<MILKCHAIN_DATA_DIR>/identity-token-key.jwk.json` | Ed25519 private JWK that signs access tokens; created (0600) on first start |
 * | `LEDGER_URL` | required | the ledger's base URL, to register organisation keys |
 * | `MILKCHAIN_ADMIN_TOKEN` | required | the ledger's admin bearer token (key registration) |
 * | `MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD` | needed on first start | password of the `admin` user of the operator organisation (≥ 10 characters) |
 * | `MILKCHAIN_OPERATOR_ORG` | `org_milkchain` | the operator organisation |
 */
export interface IdentityConfig {
  port: number;
  databaseUrl: string;
  keyEncryptionKey: Buffer;
  tokenKeyFile: string;
  ledgerUrl: string;
  adminToken: string;
  bootstrapAdminPassword: string | undefined;
  operatorOrg: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Every problem at once, so one start tells the operator everything to fix. */
export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  const problems: string[] = [];
  const port = Number(env.PORT ?? 8081);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a TCP port number, got "${env.PORT}"`);
  const databaseUrl = env.DATABASE_URL ?? '';
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be set to a postgresql:// URL');
  let keyEncryptionKey: Buffer = Buffer.alloc(0);
  if (!env.MILKCHAIN_KEY_ENCRYPTION_KEY) {
    problems.push('MILKCHAIN_KEY_ENCRYPTION_KEY must be set: 32 random bytes, base64url (e.g. `node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"`)');
  } else {
    try {
      keyEncryptionKey = parseKeyEncryptionKey(env.MILKCHAIN_KEY_ENCRYPTION_KEY);
    } catch (err) {
      problems.push(`MILKCHAIN_KEY_ENCRYPTION_KEY: ${(err as Error).message}`);
    }
  }
  const ledgerUrl = env.LEDGER_URL ?? '';
  if (!/^https?:\/\/\S+$/.test(ledgerUrl)) problems.push('LEDGER_URL must be set to the ledger service URL (http:// or https://)');
  const adminToken = env.MILKCHAIN_ADMIN_TOKEN ?? '';
  if (adminToken.length < 16) problems.push('MILKCHAIN_ADMIN_TOKEN must be set to the ledger admin token (at least 16 characters)');
  const bootstrapAdminPassword = env.MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD || undefined;
  if (bootstrapAdminPassword !== undefined && bootstrapAdminPassword.length < 10) problems.push('MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD must be at least 10 characters');
  const operatorOrg = env.MILKCHAIN_OPERATOR_ORG ?? 'org_milkchain';
  if (!/^org_[a-z0-9_-]{2,60}$/.test(operatorOrg)) problems.push('MILKCHAIN_OPERATOR_ORG must look like org_<letters, digits, _ or ->');
  if (problems.length > 0) throw new ConfigError(`身份服务配置有误 / the identity service configuration is not valid:\n  - ${problems.join('\n  - ')}`);
  const dataDir = path.resolve(env.MILKCHAIN_DATA_DIR ?? '.milkchain');
  return {
    port,
    databaseUrl,
    keyEncryptionKey,
    tokenKeyFile: path.resolve(env.MILKCHAIN_TOKEN_KEY_FILE ?? path.join(dataDir, 'identity-token-key.jwk.json')),
    ledgerUrl,
    adminToken,
    bootstrapAdminPassword,
    operatorOrg,
  };
}
