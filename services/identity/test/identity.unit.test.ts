import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '@milkchain/auth';
import {
  ConfigError,
  TokenIssuer,
  generateTokenKeyJwk,
  hashSecret,
  httpLedgerKeyRegistrar,
  isUscc,
  loadIdentityConfig,
  openPrivateJwk,
  parseKeyEncryptionKey,
  sealPrivateJwk,
  tokenKeyFromJwk,
  usccCheckCharacter,
  verifySecret,
} from '../src/index.ts';

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it('accepts codes whose check character is right', () => {
    for (const code of ['91350100M000100Y43', '91110000802100433B', '91150121MA0N3X7K2P']) expect(isUscc(code), code).toBe(true);
  });

  it('refuses a wrong check character, a forbidden letter, a wrong length or a non-digit region', () => {
    expect(isUscc('91350100M000100Y44')).toBe(false);
    expect(isUscc('91350100M000100YI3')).toBe(false); // I is not in the alphabet
    expect(isUscc('91350100M000100Y4')).toBe(false);
    expect(isUscc('91A50100M000100Y43')).toBe(false);
    expect(isUscc('91350100m000100y43')).toBe(false);
  });

  it('computes the check character as 31 minus the weighted sum mod 31', () => {
    expect(usccCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(usccCheckCharacter('91110000802100433')).toBe('B');
  });
});

describe('secrets', () => {
  it('hashes with scrypt and a per-hash salt; verifies only the same secret', async () => {
    const a = await hashSecret('correct horse battery');
    const b = await hashSecret('correct horse battery');
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifySecret('correct horse battery', a)).toBe(true);
    expect(await verifySecret('correct horse batterz', a)).toBe(false);
    expect(await verifySecret('correct horse battery', 'plain')).toBe(false);
    expect(await verifySecret('x', 'scrypt$40$8$1$AAAA$AAAA')).toBe(false);
  });

  it('seals a private JWK so that only the same key, org and kid open it', () => {
    const kek = randomBytes(32);
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'x'.repeat(43), d: 'd'.repeat(43) };
    const sealed = sealPrivateJwk(jwk, kek, 'org_a1', 'kid1');
    expect(sealed.toString('latin1')).not.toContain('ddddd');
    expect(sealPrivateJwk(jwk, kek, 'org_a1', 'kid1').equals(sealed)).toBe(false); // fresh IV
    expect(openPrivateJwk(sealed, kek, 'org_a1', 'kid1')).toEqual(jwk);
    expect(() => openPrivateJwk(sealed, randomBytes(32), 'org_a1', 'kid1')).toThrow();
    expect(() => openPrivateJwk(sealed, kek, 'org_a1', 'kid2')).toThrow();
  });

  it('takes a key-encryption key of exactly 32 bytes of base64url', () => {
    expect(parseKeyEncryptionKey(randomBytes(32).toString('base64url'))).toHaveLength(32);
    expect(() => parseKeyEncryptionKey(randomBytes(16).toString('base64url'))).toThrow(/32 bytes/);
    expect(() => parseKeyEncryptionKey('not base64!')).toThrow(/base64url/);
  });
});

describe('TokenIssuer', () => {
  it('issues 15-minute at+jwt EdDSA tokens that the auth verifier accepts', async () => {
    const key = await tokenKeyFromJwk(await generateTokenKeyJwk());
    const at = new Date('2026-11-23T06:00:00Z');
    const issuer = new TokenIssuer(key, { ttlSec: 900, clock: () => at });
    const { access_token, expires_in } = await issuer.issue({ sub: 'usr_1', org: 'org_demo_farm', roles: ['farm'], aud: ['milkchain:farm'] });
    expect(expires_in).toBe(900);
    expect(issuer.jwks.keys[0]).toMatchObject({ kid: key.kid, alg: 'EdDSA', use: 'sig' });
    expect(issuer.jwks.keys[0]).not.toHaveProperty('d');
    // Issued at a fixed past instant, so it is expired now: the verifier must say so.
    await expect(createTokenVerifier({ jwks: issuer.jwks, audience: 'milkchain:farm' }).verify(access_token)).rejects.toMatchObject({ extras: { reason: 'expired' } });
    const fresh = await new TokenIssuer(key, { ttlSec: 900, clock: () => new Date() }).issue({ sub: 'usr_1', org: 'org_demo_farm', roles: ['farm'], aud: ['milkchain:farm'] });
    expect(await createTokenVerifier({ jwks: issuer.jwks, audience: 'milkchain:farm' }).verify(fresh.access_token)).toMatchObject({ sub: 'usr_1', org: 'org_demo_farm' });
  });

  it('refuses a token key that is not an Ed25519 private JWK', async () => {
    await expect(tokenKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x: 'x'.repeat(43) })).rejects.toThrow(/private JWK/);
  });
});

describe('httpLedgerKeyRegistrar', () => {
  it('posts the public JWK with the admin token, and fails on a refusal', async () => {
    const seen: Array<{ url: string; init?: RequestInit }> = [];
    let status = 201;
    const fake: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), init });
      return new Response(JSON.stringify(status === 201 ? { kid: 'k' } : { detail: 'the admin token is not valid' }), { status });
    };
    const registrar = httpLedgerKeyRegistrar('http://ledger.test/', 'admin-token-0123456789', fake);
    await registrar.register('org_demo_farm', { kty: 'OKP', crv: 'Ed25519', x: 'abc' });
    expect(seen[0]!.url).toBe('http://ledger.test/ledger/v1/orgs/org_demo_farm/keys');
    expect(new Headers(seen[0]!.init!.headers).get('authorization')).toBe('Bearer admin-token-0123456789');
    expect(JSON.parse(String(seen[0]!.init!.body))).toEqual({ jwk: { kty: 'OKP', crv: 'Ed25519', x: 'abc' } });
    status = 403;
    await expect(registrar.register('org_demo_farm', { kty: 'OKP', crv: 'Ed25519', x: 'abc' })).rejects.toThrow(/HTTP 403: the admin token is not valid/);
  });
});

describe('loadIdentityConfig', () => {
  const good = {
    DATABASE_URL: 'postgresql://u:p@localhost/milkchain',
    MILKCHAIN_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    LEDGER_URL: 'http://localhost:8080',
    MILKCHAIN_ADMIN_TOKEN: 'admin-token-0123456789',
    MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD: 'first-start-password',
    MILKCHAIN_DATA_DIR: '/var/lib/milkchain',
  };

  it('reads a complete configuration', () => {
    const config = loadIdentityConfig(good);
    expect(config).toMatchObject({ port: 8081, databaseUrl: good.DATABASE_URL, ledgerUrl: good.LEDGER_URL, operatorOrg: 'org_milkchain', tokenKeyFile: '/var/lib/milkchain/identity-token-key.jwk.json' });
    expect(config.keyEncryptionKey).toHaveLength(32);
  });

  it('fails fast naming every missing or bad variable at once', () => {
    let error: unknown;
    try {
      loadIdentityConfig({ PORT: 'eighty', MILKCHAIN_KEY_ENCRYPTION_KEY: 'c2hvcnQ', MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'DATABASE_URL', 'MILKCHAIN_KEY_ENCRYPTION_KEY', 'LEDGER_URL', 'MILKCHAIN_ADMIN_TOKEN', 'MILKCHAIN_BOOTSTRAP_ADMIN_PASSWORD']) expect(message).toContain(name);
  });
});
