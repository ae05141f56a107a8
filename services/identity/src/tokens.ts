import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { ISSUER, TOKEN_TYPE } from '@milkchain/auth';

/** The key identity signs access tokens with. The private half never leaves this process. */
export interface TokenKey {
  kid: string;
  privateKey: CryptoKey | Uint8Array;
  /** Public JWK with kid (RFC 7638 thumbprint), alg and use. */
  publicJwk: JWK;
}

export async function tokenKeyFromJwk(privateJwk: JWK): Promise<TokenKey> {
  if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || typeof privateJwk.d !== 'string' || typeof privateJwk.x !== 'string') {
    throw new Error('the token key must be an Ed25519 private JWK (kty OKP, crv Ed25519, with x and d)');
  }
  const bare = { kty: 'OKP', crv: 'Ed25519', x: privateJwk.x };
  const kid = await calculateJwkThumbprint(bare, 'sha256');
  const privateKey = (await importJWK({ ...bare, d: privateJwk.d }, 'EdDSA')) as CryptoKey | Uint8Array;
  return { kid, privateKey, publicJwk: { ...bare, kid, alg: 'EdDSA', use: 'sig' } };
}

export async function generateTokenKeyJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return exportJWK(privateKey);
}

/** Reads the token key from a private JWK file, creating it (mode 0600) on first start. */
export async function loadOrCreateTokenKey(file: string): Promise<TokenKey> {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(await generateTokenKeyJwk()) + '\n', { mode: 0o600, flag: 'wx' });
  }
  return tokenKeyFromJwk(JSON.parse(readFileSync(file, 'utf8')) as JWK);
}

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** RFC 9068 access tokens: EdDSA, header typ at+jwt, short-lived. */
export class TokenIssuer {
  readonly jwks: JSONWebKeySet;
  constructor(
    private readonly key: TokenKey,
    private readonly options: { ttlSec: number; clock: () => Date },
  ) {
    this.jwks = { keys: [key.publicJwk] };
  }

  async issue(claims: { sub: string; org: string; roles: string[]; aud: string[] }): Promise<IssuedToken> {
    const now = Math.floor(this.options.clock().getTime() / 1000);
    const token = await new SignJWT({ org: claims.org, roles: claims.roles })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.key.kid, typ: TOKEN_TYPE })
      .setIssuer(ISSUER)
      .setSubject(claims.sub)
      .setAudience(claims.aud)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + this.options.ttlSec)
      .setJti(randomUUID())
      .sign(this.key.privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: this.options.ttlSec };
  }
}
