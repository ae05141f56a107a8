import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { PublicJwk } from './store/port.ts';

/** The log's checkpoint key. The private half never leaves this process. */
export interface LogKey {
  kid: string;
  privateKey: CryptoKey | Uint8Array;
  publicJwk: PublicJwk;
}

export async function logKeyFromJwk(privateJwk: JWK): Promise<LogKey> {
  if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || !privateJwk.d) {
    throw new Error('the log key must be an Ed25519 private JWK (kty OKP, crv Ed25519, with d)');
  }
  const publicJwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: privateJwk.x };
  const kid = await calculateJwkThumbprint(publicJwk as JWK, 'sha256');
  const privateKey = await importJWK(privateJwk, 'EdDSA');
  return { kid, privateKey: privateKey as CryptoKey | Uint8Array, publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' } };
}

export async function generateLogKeyJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return exportJWK(privateKey);
}

/** Reads the log key from a JWK file, creating it (mode 0600) on first use. */
export async function loadOrCreateLogKey(file: string): Promise<LogKey> {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(await generateLogKeyJwk()) + '\n', { mode: 0o600 });
  }
  return logKeyFromJwk(JSON.parse(readFileSync(file, 'utf8')) as JWK);
}
