import type { Server } from 'node:http';
import type express from 'express';
import type { JSONWebKeySet } from 'jose';
import type { EventSigner } from '@milkchain/auth';
import { jsonLogger, type Logger } from '@milkchain/http';
import { createPrisma, migrate, type PrismaClient } from '@milkchain/store';
import { createIdentityApp } from './app.ts';
import { httpLedgerKeyRegistrar, type LedgerKeyRegistrar } from './registrar.ts';
import { IdentityService } from './service.ts';
import { loadOrCreateTokenKey } from './tokens.ts';

/** What `buildIdentity` needs: the service config, or the parts of it the one-process mode has. */
export interface IdentityBuildConfig {
  databaseUrl: string;
  keyEncryptionKey: Buffer;
  tokenKeyFile: string;
  bootstrapAdminPassword?: string | undefined;
  operatorOrg?: string;
  /** With adminToken: register organisation keys over the ledger's HTTP API (unless deps.registrar). */
  ledgerUrl?: string;
  adminToken?: string;
}

export interface RunningIdentity {
  app: express.Express;
  service: IdentityService;
  /** Signs in-process with the checks of POST /identity/v1/orgs/{org}/signatures. */
  signer: EventSigner;
  /** The public keys access tokens are verified with. */
  jwks: JSONWebKeySet;
  prisma: PrismaClient;
  close(): Promise<void>;
}

/**
 * Builds identity over a PostgreSQL database: migrations, the token key, the service (with the
 * operator organisation and admin user on first start) and the app. Shared by `main.ts` and the
 * one-process mode, which passes a registrar that calls the ledger's Operator directly.
 */
export async function buildIdentity(
  config: IdentityBuildConfig,
  deps: { logger?: Logger; registrar?: LedgerKeyRegistrar; clock?: () => Date; tokenTtlSec?: number } = {},
): Promise<RunningIdentity> {
  const logger = deps.logger ?? jsonLogger('identity');
  const registrar = deps.registrar ?? (config.ledgerUrl && config.adminToken ? httpLedgerKeyRegistrar(config.ledgerUrl, config.adminToken) : undefined);
  if (!registrar) throw new Error('identity needs a way to register organisation keys with the ledger: LEDGER_URL and MILKCHAIN_ADMIN_TOKEN, or a registrar');
  await migrate(config.databaseUrl);
  const prisma = createPrisma(config.databaseUrl);
  try {
    const tokenKey = await loadOrCreateTokenKey(config.tokenKeyFile);
    const service = new IdentityService({
      prisma,
      keyEncryptionKey: config.keyEncryptionKey,
      tokenKey,
      registrar,
      logger,
      ...(config.operatorOrg ? { operatorOrg: config.operatorOrg } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.tokenTtlSec ? { tokenTtlSec: deps.tokenTtlSec } : {}),
    });
    await service.bootstrap(config.bootstrapAdminPassword);
    return {
      app: createIdentityApp({ service, logger }),
      service,
      signer: service.signer,
      jwks: service.jwks,
      prisma,
      close: () => prisma.$disconnect(),
    };
  } catch (err) {
    await prisma.$disconnect();
    throw err;
  }
}

export function listen(app: express.Express, port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}
