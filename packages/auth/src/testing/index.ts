import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { AUDIENCES, ISSUER, TOKEN_TYPE } from '../verifier.ts';

export interface MintClaims {
  org: string;
  /** Role names; unknown names are allowed here so tests can check they are refused. */
  roles: readonly string[];
  sub?: string;
  /** Default: every `milkchain:*` audience. */
  aud?: string | string[];
  /** Seconds from now, or a jose time span ('15m'); default 15 minutes. Negative: already expired. */
  expiresIn?: number | string;
  /** Seconds from now, or a jose time span; default now. */
  notBefore?: number | string;
  iss?: string;
  typ?: string;
  [claim: string]: unknown;
}

export interface TestTokens {
  /** Public keys to verify the minted tokens with. */
  jwks: JSONWebKeySet;
  kid: string;
  /** The private key, for tests that craft tokens by hand. */
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** A real EdDSA access token, as identity issues them. */
  mint(claims: MintClaims): Promise<string>;
}

const time = (v: number | string, now: number) => (typeof v === 'number' ? now + v : v);

/**
 * A throwaway token issuer for tests: real Ed25519 keys and real JWTs, so services' tests go
 * through the same verification as production, never around it.
 */
export async function testTokens(): Promise<TestTokens> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const jwk = { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    kid,
    privateKey,
    publicJwk: jwk,
    async mint(claims) {
      const { org, roles, sub, aud, expiresIn, notBefore, iss, typ, ...extra } = claims;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...extra, org, roles: [...roles] })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: typ ?? TOKEN_TYPE })
        .setIssuer(iss ?? ISSUER)
        .setSubject(sub ?? 'usr_test')
        .setAudience(aud ?? AUDIENCES.map((a) => `milkchain:${a}`))
        .setIssuedAt(now)
        .setNotBefore(time(notBefore ?? 0, now))
        .setExpirationTime(time(expiresIn ?? 900, now))
        .setJti(randomUUID())
        .sign(privateKey);
    },
  };
}
