import type { Server } from 'node:http';
import { createHash } from 'node:crypto';
import express from 'express';
import { SignJWT, UnsecuredJWT, base64url, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemHandler, silentLogger } from '@milkchain/http';
import { authenticate, createTokenVerifier, httpEventSigner, principalOf, requireRoles, ISSUER, type Principal } from '../src/index.ts';
import { testTokens, type TestTokens } from '../src/testing/index.ts';

let tokens: TestTokens;
let server: Server;
let url: string;

beforeAll(async () => {
  tokens = await testTokens();
  const verifier = createTokenVerifier({ jwks: tokens.jwks, audience: 'milkchain:farm', clockToleranceSec: 5 });
  const app = express();
  app.get('/me', authenticate(verifier), (_req, res) => {
    const { token: _token, ...rest } = principalOf(res);
    res.json(rest);
  });
  app.get('/processing', authenticate(verifier), requireRoles('processor', 'workshop'), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(problemHandler({ logger: silentLogger }));
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const farmer = { org: 'org_demo_farm', roles: ['farm'] } as const;

async function call(path: string, token?: string) {
  const res = await fetch(`${url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', challenge: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, unknown> };
}

async function expectRefused(token: string | undefined, reason: string) {
  const res = await call('/me', token);
  expect(res.status).toBe(401);
  expect(res.type).toContain('application/problem+json');
  expect(res.body.code).toBe('UNAUTHENTICATED');
  expect(res.body.reason).toBe(reason);
  expect(res.challenge).toMatch(/^Bearer /);
  return res.body;
}

/** Header and payload of a real token, re-encoded after `change`; the signature is kept. */
function reencode(token: string, change: (header: Record<string, unknown>, payload: Record<string, unknown>) => void): string {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(new TextDecoder().decode(base64url.decode(h!))) as Record<string, unknown>;
  const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p!))) as Record<string, unknown>;
  change(header, payload);
  return `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.${s}`;
}

describe('createTokenVerifier + authenticate', () => {
  it('accepts a valid token and exposes the principal', async () => {
    const token = await tokens.mint({ ...farmer, sub: 'usr_alice' });
    const res = await call('/me', token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'usr_alice', org: 'org_demo_farm', roles: ['farm'], kind: 'user' });
  });

  it('keeps the raw token on the principal for forwarding, and tells clients from users', async () => {
    const token = await tokens.mint({ ...farmer, sub: 'cli_0123abcd' });
    const p: Principal = await createTokenVerifier({ jwks: tokens.jwks, audience: ['milkchain:identity', 'milkchain:farm'] }).verify(token);
    expect(p.token).toBe(token);
    expect(p.kind).toBe('client');
  });

  it('refuses a request without a token, with a Bearer challenge', async () => {
    const body = await expectRefused(undefined, 'missing');
    expect(String(body.detail)).toContain('Authorization: Bearer');
  });

  it('refuses an alg "none" token', async () => {
    const unsecured = new UnsecuredJWT({ org: 'org_demo_farm', roles: ['farm'] })
      .setIssuer(ISSUER)
      .setAudience('milkchain:farm')
      .setSubject('usr_x')
      .setExpirationTime('5m')
      .encode();
    await expectRefused(unsecured, 'algorithm');
    // A real token's header switched to none and its signature dropped: refused the same way.
    const withTyp = reencode(await tokens.mint(farmer), (h) => {
      h.alg = 'none';
    }).replace(/\.[^.]*$/, '.');
    await expectRefused(withTyp, 'algorithm');
  });

  it('refuses an HS256 token signed with the public key bytes (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(tokens.publicJwk));
    const rawX = base64url.decode(tokens.publicJwk.x!);
    for (const key of [secret, rawX, new TextEncoder().encode(tokens.publicJwk.x!)]) {
      const forged = await new SignJWT({ org: 'org_demo_farm', roles: ['admin'] })
        .setProtectedHeader({ alg: 'HS256', kid: tokens.kid, typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience('milkchain:farm')
        .setSubject('usr_mallory')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
      await expectRefused(forged, 'algorithm');
    }
  });

  it('refuses an expired token', async () => {
    await expectRefused(await tokens.mint({ ...farmer, expiresIn: -60 }), 'expired');
  });

  it('refuses a token that is not valid yet (beyond the clock tolerance)', async () => {
    await expectRefused(await tokens.mint({ ...farmer, notBefore: 120 }), 'not_yet_valid');
  });

  it('accepts a token whose nbf is within the clock tolerance', async () => {
    expect((await call('/me', await tokens.mint({ ...farmer, notBefore: 3 }))).status).toBe(200);
  });

  it('refuses a token for another audience', async () => {
    await expectRefused(await tokens.mint({ ...farmer, aud: 'milkchain:lab' }), 'audience');
  });

  it('refuses a token from another issuer', async () => {
    await expectRefused(await tokens.mint({ ...farmer, iss: 'https://evil.example' }), 'issuer');
  });

  it('refuses a token whose typ is not at+jwt (an ID token, a plain JWT)', async () => {
    await expectRefused(await tokens.mint({ ...farmer, typ: 'JWT' }), 'type');
    const noTyp = await new SignJWT({ org: 'org_demo_farm', roles: ['farm'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: tokens.kid })
      .setIssuer(ISSUER)
      .setAudience('milkchain:farm')
      .setSubject('usr_x')
      .setExpirationTime('5m')
      .sign(tokens.privateKey);
    await expectRefused(noTyp, 'type');
  });

  it('refuses a tampered payload', async () => {
    const tampered = reencode(await tokens.mint(farmer), (_h, p) => {
      p.roles = ['admin'];
      p.org = 'org_milkchain';
    });
    await expectRefused(tampered, 'signature');
  });

  it('refuses a token signed by an unknown key (unknown kid)', async () => {
    const other = await testTokens();
    await expectRefused(await other.mint(farmer), 'unknown_key');
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ org: 'org_demo_farm', roles: ['farm'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: tokens.kid, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience('milkchain:farm')
      .setSubject('usr_mallory')
      .setExpirationTime('5m')
      .sign(privateKey);
    await expectRefused(forged, 'signature');
  });

  it('refuses a token without org, without roles, with roles that are not a list, or with an unknown role', async () => {
    const noOrg = await new SignJWT({ roles: ['farm'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: tokens.kid, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience('milkchain:farm')
      .setSubject('usr_x')
      .setExpirationTime('5m')
      .sign(tokens.privateKey);
    expect(String((await expectRefused(noOrg, 'claims')).detail)).toContain('org');
    const noRoles = await new SignJWT({ org: 'org_demo_farm' })
      .setProtectedHeader({ alg: 'EdDSA', kid: tokens.kid, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience('milkchain:farm')
      .setSubject('usr_x')
      .setExpirationTime('5m')
      .sign(tokens.privateKey);
    expect(String((await expectRefused(noRoles, 'claims')).detail)).toContain('roles');
    await expectRefused(await tokens.mint({ org: 'org_demo_farm', roles: 'farm' as unknown as string[] }), 'claims');
    const unknown = await expectRefused(await tokens.mint({ org: 'org_demo_farm', roles: ['farm', 'superuser'] }), 'claims');
    expect(String(unknown.detail)).toContain('superuser');
  });

  it('refuses garbage in the Authorization header', async () => {
    await expectRefused('not-a-jwt', 'malformed');
    const res = await fetch(`${url}/me`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
  });
});

describe('requireRoles', () => {
  it('lets a principal with one of the roles through', async () => {
    const res = await call('/processing', await tokens.mint({ org: 'org_demo_workshop', roles: ['workshop'] }));
    expect(res.status).toBe(200);
  });

  it('answers 403 naming the roles needed', async () => {
    const res = await call('/processing', await tokens.mint(farmer));
    expect(res.status).toBe(403);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.code).toBe('FORBIDDEN');
    expect(String(res.body.detail)).toContain('processor, workshop');
    expect(res.body.requiredRoles).toEqual(['processor', 'workshop']);
  });
});

describe('httpEventSigner', () => {
  const ids = [createHash('sha256').update('a').digest('hex')];

  it('posts the ids with the caller token to the org signatures endpoint', async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const fake: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), init });
      return new Response(JSON.stringify({ signatures: ['h..s'] }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const signer = httpEventSigner('http://identity.test/', fake);
    expect(await signer.sign({ token: 'tok', org: 'org_demo_farm', ids })).toEqual(['h..s']);
    expect(seen[0]!.url).toBe('http://identity.test/identity/v1/orgs/org_demo_farm/signatures');
    expect(new Headers(seen[0]!.init!.headers).get('authorization')).toBe('Bearer tok');
    expect(JSON.parse(String(seen[0]!.init!.body))).toEqual({ ids });
  });

  it("passes identity's refusals on with their code, and makes everything else UNAVAILABLE", async () => {
    const answer = (status: number, body: unknown): typeof fetch => async () => new Response(JSON.stringify(body), { status });
    await expect(httpEventSigner('http://i', answer(403, { code: 'FORBIDDEN', detail: 'not your org' })).sign({ token: 't', org: 'org_x1', ids })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'not your org',
    });
    await expect(httpEventSigner('http://i', answer(409, { code: 'CONFLICT', detail: 'self' })).sign({ token: 't', org: 'org_x1', ids })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(httpEventSigner('http://i', answer(500, { code: 'INTERNAL' })).sign({ token: 't', org: 'org_x1', ids })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(httpEventSigner('http://i', answer(200, { signatures: [] })).sign({ token: 't', org: 'org_x1', ids })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const down: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(httpEventSigner('http://i', down).sign({ token: 't', org: 'org_x1', ids })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('verified tokens are remembered, their time claims are not', () => {
  it('refuses a remembered token once it has expired', async () => {
    let now = Date.now();
    const verifier = createTokenVerifier({ jwks: tokens.jwks, audience: 'milkchain:farm', clockToleranceSec: 5, clock: () => new Date(now) });
    const token = await tokens.mint({ ...farmer, expiresIn: 40 });
    expect((await verifier.verify(token)).org).toBe(farmer.org);
    now += 30_000; // remembered: still good
    expect((await verifier.verify(token)).org).toBe(farmer.org);
    now += 20_000; // past exp + tolerance, still within VERIFIED_TOKEN_TTL_MS: refused although remembered
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', extras: { reason: 'expired' } });
  });

  it('remembers per verifier: a token one service accepted is still refused by a service it was not issued for', async () => {
    const farm = createTokenVerifier({ jwks: tokens.jwks, audience: 'milkchain:farm' });
    const lab = createTokenVerifier({ jwks: tokens.jwks, audience: 'milkchain:lab' });
    const token = await tokens.mint({ ...farmer, aud: 'milkchain:farm' });
    expect((await farm.verify(token)).org).toBe(farmer.org);
    await expect(lab.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', extras: { reason: 'audience' } });
  });
});
