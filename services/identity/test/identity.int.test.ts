import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTokenVerifier, type Principal } from '@milkchain/auth';
import { withGs1CheckDigit } from '@milkchain/domain';
import { jsonLogger } from '@milkchain/http';
import { verifyEventSignature, sha256, toHex, utf8Encode } from '@milkchain/ledger';
import { createTestDatabase } from '@milkchain/store/testing';
import type { JSONWebKeySet, JWK } from 'jose';
import { openPrivateJwk, usccCheckCharacter } from '../src/index.ts';
import { startTestIdentity, TEST_ADMIN_PASSWORD, type TestIdentity } from '../src/testing/index.ts';

const logLines: string[] = [];
let identity: TestIdentity;
let databaseUrl: string;
let admin: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('postgresUrl'), 'identity');
  identity = await startTestIdentity({ databaseUrl, logger: jsonLogger('identity', (l) => logLines.push(l)) });
  admin = await identity.adminToken();
});
afterAll(() => identity.close());

/** Every secret a test handed to identity or got back from it; none may ever show up in a log line. */
const secrets: string[] = [TEST_ADMIN_PASSWORD];

interface Answer {
  status: number;
  type: string;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function api(method: string, path: string, options: { token?: string; body?: unknown; form?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${identity.url}/identity/v1${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, text };
}

function expectProblem(res: Answer, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.type).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
}

const problemPaths = (res: Answer) => (res.body.problems as Array<{ path: string }>).map((p) => p.path);

const suffix = () => randomBytes(4).toString('hex');
const uscc = () => {
  const body = `91150121MA${randomBytes(4).toString('hex').toUpperCase().replace(/[IOZSV]/g, '1').slice(0, 7)}`;
  return body + usccCheckCharacter(body);
};
const gln = () => withGs1CheckDigit(`690123${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`);

function orgBody(over: Record<string, unknown> = {}) {
  return {
    id: `org_farm_${suffix()}`,
    roles: ['farm'],
    name: { 'zh-CN': '敕勒川生态牧场', en: 'Chilechuan Eco Ranch' },
    region: { name: '内蒙古自治区呼和浩特市土默特左旗', code: '150121' },
    gln: gln(),
    uscc: uscc(),
    licences: [{ type: 'raw_milk_purchase', number: '(蒙)乳收字〔2026〕150121001', expiresAt: '2028-12-31' }],
    ...over,
  };
}

async function createOrg(over: Record<string, unknown> = {}) {
  const res = await api('POST', '/orgs', { token: admin, body: orgBody(over) });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; keys: Array<{ kid: string; jwk: JWK }> };
}

/** An organisation with an admin user and a member; returns their tokens. */
async function orgWithUsers(roles: string[] = ['farm']) {
  const org = await createOrg({ roles });
  const adminName = `admin.${suffix()}`;
  const memberName = `member.${suffix()}`;
  const adminPassword = `pw-admin-${suffix()}-long`;
  const memberPassword = `pw-member-${suffix()}-long`;
  secrets.push(adminPassword, memberPassword);
  expect((await api('POST', `/orgs/${org.id}/users`, { token: admin, body: { username: adminName, password: adminPassword, displayName: '管理员', roles: ['admin'] } })).status).toBe(201);
  const orgAdmin = await identity.login(adminName, adminPassword);
  const created = await api('POST', `/orgs/${org.id}/users`, {
    token: orgAdmin,
    body: { username: memberName, password: memberPassword, displayName: '巴特尔', phone: '+86 138 0471 5678', roles: [roles[0]] },
  });
  expect(created.status, created.text).toBe(201);
  return { org, orgAdmin, member: await identity.login(memberName, memberPassword), memberName, memberPassword };
}

const eventIds = (n: number) => Array.from({ length: n }, () => toHex(sha256(utf8Encode(randomBytes(8).toString('hex')))));

async function servedJwks(): Promise<JSONWebKeySet> {
  const res = await api('GET', '/jwks.json');
  expect(res.status).toBe(200);
  return res.body as unknown as JSONWebKeySet;
}

describe('organisations', () => {
  it('creating an organisation registers its public key with the ledger, with no private members', async () => {
    const before = identity.registrar.calls.length;
    const org = await createOrg();
    const calls = identity.registrar.calls.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.org).toBe(org.id);
    expect(Object.keys(calls[0]!.jwk).sort()).toEqual(['crv', 'kty', 'x']);
    expect(calls[0]!.jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(org.keys[0]!.jwk.x).toBe(calls[0]!.jwk.x);
    const keys = await api('GET', `/orgs/${org.id}/keys`);
    expect((keys.body.keys as Array<{ jwk: JWK; active: boolean }>)[0]).toMatchObject({ jwk: { x: calls[0]!.jwk.x }, active: true });
    expect(keys.text).not.toContain('"d"');
  });

  it('serves the public profile to anyone, and lists organisations', async () => {
    const accreditations = [{ scheme: 'CNAS', number: 'CNAS L12345', expiresAt: '2028-08-31' }];
    const body = orgBody({ roles: ['processor', 'lab'], accreditations });
    await createOrg(body);
    const one = await api('GET', `/orgs/${body.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: body.id, roles: ['processor', 'lab'], name: body.name, region: body.region, gln: body.gln, uscc: body.uscc, licences: body.licences, accreditations, status: 'active', signing: 'custodial' });
    const list = await api('GET', '/orgs?role=lab');
    expect((list.body.orgs as Array<{ id: string }>).map((o) => o.id)).toContain(body.id);
    expect((list.body.orgs as Array<{ roles: string[] }>).every((o) => o.roles.includes('lab'))).toBe(true);
    expectProblem(await api('GET', '/orgs/org_nobody_here'), 404, 'NOT_FOUND');
  });

  it('only platform admins create or change organisations', async () => {
    const { org, orgAdmin, member } = await orgWithUsers();
    expectProblem(await api('POST', '/orgs', { body: orgBody() }), 401, 'UNAUTHENTICATED');
    expectProblem(await api('POST', '/orgs', { token: orgAdmin, body: orgBody() }), 403, 'FORBIDDEN');
    expectProblem(await api('PATCH', `/orgs/${org.id}`, { token: member, body: { status: 'suspended' } }), 403, 'FORBIDDEN');
    const renamed = await api('PATCH', `/orgs/${org.id}`, { token: admin, body: { name: { 'zh-CN': '新名字牧场', en: 'New Name Ranch' } } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toEqual({ 'zh-CN': '新名字牧场', en: 'New Name Ranch' });
  });

  it('refuses a duplicate id or 统一社会信用代码 with 409, and registers nothing when the ledger is down (503)', async () => {
    const body = orgBody();
    await createOrg(body);
    expectProblem(await api('POST', '/orgs', { token: admin, body: { ...orgBody(), id: body.id } }), 409, 'CONFLICT');
    expectProblem(await api('POST', '/orgs', { token: admin, body: { ...orgBody(), uscc: body.uscc } }), 409, 'CONFLICT');
    const down = orgBody();
    identity.registrar.failNext = true;
    const res = await api('POST', '/orgs', { token: admin, body: down });
    expectProblem(res, 503, 'UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('1');
    expectProblem(await api('GET', `/orgs/${down.id}`), 404, 'NOT_FOUND');
  });

  it('answers bad organisation bodies with 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ gln: '6901234000019' }, '/gln'],
      [{ uscc: '91150121MA0N3X7K2Q' }, '/uscc'],
      [{ uscc: '91150121MA0N3X7KIP' }, '/uscc'],
      [{ licences: [{ type: 'driving', number: 'X1', expiresAt: '2028-01-01' }] }, '/licences/0/type'],
      [{ licences: [{ type: 'SC', number: 'SC10615012100017', expiresAt: '31/12/2028' }] }, '/licences/0/expiresAt'],
      [{ roles: ['farm', 'wizard'] }, '/roles/1'],
      [{ roles: [] }, '/roles'],
      [{ id: 'Farm-1' }, '/id'],
      [{ region: { name: '土默特左旗', code: '15012' } }, '/region/code'],
      [{ name: { 'zh-CN': '牧场' } }, '/name/en'],
      [{ name: { zh: '牧场', en: 'Ranch' } }, '/name/zh-CN'],
      [{ accreditations: [{ scheme: 'ISO', number: 'X1', expiresAt: '2028-01-01' }] }, '/accreditations/0/scheme'],
      [{ licences: [{ type: 'SC', number: 'SC  1', expiresAt: '2028-01-01' }] }, '/licences/0/number'],
      [{ owner: 'someone' }, '/owner'],
    ];
    for (const [over, path] of cases) {
      const res = await api('POST', '/orgs', { token: admin, body: orgBody(over) });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(problemPaths(res), JSON.stringify(over)).toContain(path);
    }
    expectProblem(await api('PATCH', `/orgs/org_milkchain`, { token: admin, body: { status: 'closed' } }), 400, 'VALIDATION_FAILED');
    const notJson = await fetch(`${identity.url}/identity/v1/orgs`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' }, body: 'x' });
    expect(notJson.status).toBe(415);
  });
});

describe('users and tokens', () => {
  it('a user logs in and the token verifies against the served JWKS', async () => {
    const { org, memberName, memberPassword } = await orgWithUsers();
    const res = await api('POST', '/token', { body: { grant_type: 'password', username: memberName, password: memberPassword } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const token = res.body.access_token as string;
    const jwks = await servedJwks();
    for (const audience of ['milkchain:farm', 'milkchain:ledger', 'milkchain:identity']) {
      const p: Principal = await createTokenVerifier({ jwks, audience }).verify(token);
      expect(p).toMatchObject({ org: org.id, roles: ['farm'], kind: 'user' });
      expect(p.sub).toMatch(/^usr_/);
    }
    // Also through the JWKS URL, as a service running alone does.
    const remote = createTokenVerifier({ jwks: new URL(`${identity.url}/identity/v1/jwks.json`), audience: 'milkchain:lab' });
    expect((await remote.verify(token)).org).toBe(org.id);
    const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: jwks.keys[0]!.kid });
    expect(Object.keys(payload!).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'org', 'roles', 'sub']);
    expect(payload!.exp).toBe((payload!.iat as number) + 900);
  });

  it('issues a token for the audiences asked for only', async () => {
    const { memberName, memberPassword } = await orgWithUsers();
    const token = await identity.login(memberName, memberPassword, ['farm']);
    const jwks = await servedJwks();
    await createTokenVerifier({ jwks, audience: 'milkchain:farm' }).verify(token);
    await expect(createTokenVerifier({ jwks, audience: 'milkchain:lab' }).verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const bad = await api('POST', '/token', { body: { grant_type: 'password', username: memberName, password: memberPassword, audience: ['bank'] } });
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect(problemPaths(bad)).toContain('/audience');
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const { memberName } = await orgWithUsers();
    const wrong = await api('POST', '/token', { body: { grant_type: 'password', username: memberName, password: 'not-the-password' } });
    const unknown = await api('POST', '/token', { body: { grant_type: 'password', username: `ghost.${suffix()}`, password: 'not-the-password' } });
    expectProblem(wrong, 401, 'UNAUTHENTICATED');
    expectProblem(unknown, 401, 'UNAUTHENTICATED');
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.body.error).toBe('invalid_grant');
  });

  it('a suspended organisation cannot log in, nor its clients, nor sign', async () => {
    const { org, member, memberName, memberPassword, orgAdmin } = await orgWithUsers();
    const client = await api('POST', `/orgs/${org.id}/clients`, { token: orgAdmin, body: { name: 'gateway' } });
    secrets.push(client.body.client_secret as string);
    // Signed once while active: what signing read about the organisation is kept for a moment,
    // and the suspension must drop it.
    expect((await api('POST', `/orgs/${org.id}/signatures`, { token: member, body: { ids: eventIds(1) } })).status).toBe(200);
    expect((await api('PATCH', `/orgs/${org.id}`, { token: admin, body: { status: 'suspended' } })).body.status).toBe('suspended');
    const login = await api('POST', '/token', { body: { grant_type: 'password', username: memberName, password: memberPassword } });
    expectProblem(login, 401, 'UNAUTHENTICATED');
    expect(String(login.body.detail)).toContain('suspended');
    const cc = await api('POST', '/token', { form: { grant_type: 'client_credentials', client_id: client.body.client_id as string, client_secret: client.body.client_secret as string } });
    expectProblem(cc, 401, 'UNAUTHENTICATED');
    // A token issued before the suspension no longer gets anything signed.
    expectProblem(await api('POST', `/orgs/${org.id}/signatures`, { token: member, body: { ids: eventIds(1) } }), 403, 'FORBIDDEN');
    expect((await api('PATCH', `/orgs/${org.id}`, { token: admin, body: { status: 'active' } })).status).toBe(200);
    expect((await api('POST', '/token', { body: { grant_type: 'password', username: memberName, password: memberPassword } })).status).toBe(200);
  });

  it('an org admin manages users of its own organisation only; roles must be the organisation’s', async () => {
    const a = await orgWithUsers(['farm']);
    const b = await orgWithUsers(['lab']);
    const body = { username: `x.${suffix()}`, password: 'long-enough-password', displayName: '某人', roles: ['farm'] };
    expectProblem(await api('POST', `/orgs/${b.org.id}/users`, { token: a.orgAdmin, body }), 403, 'FORBIDDEN');
    expectProblem(await api('POST', `/orgs/${a.org.id}/users`, { token: a.member, body }), 403, 'FORBIDDEN');
    const wrongRole = await api('POST', `/orgs/${a.org.id}/users`, { token: a.orgAdmin, body: { ...body, roles: ['lab'] } });
    expectProblem(wrongRole, 400, 'VALIDATION_FAILED');
    expect(problemPaths(wrongRole)).toEqual(['/roles/0']);
    expect((await api('POST', `/orgs/${a.org.id}/users`, { token: a.orgAdmin, body })).status).toBe(201);
    expectProblem(await api('POST', `/orgs/${a.org.id}/users`, { token: a.orgAdmin, body }), 409, 'CONFLICT');
  });

  it('answers bad user and token bodies with 400 naming the field', async () => {
    const { org, orgAdmin } = await orgWithUsers();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ password: 'short' }, '/password'],
      [{ username: 'A' }, '/username'],
      [{ phone: 'call me' }, '/phone'],
      [{ displayName: '' }, '/displayName'],
      [{ roles: [] }, '/roles'],
    ];
    for (const [over, path] of cases) {
      const res = await api('POST', `/orgs/${org.id}/users`, { token: orgAdmin, body: { username: `u.${suffix()}`, password: 'long-enough-password', displayName: '某人', roles: ['farm'], ...over } });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(problemPaths(res)).toContain(path);
    }
    const noGrant = await api('POST', '/token', { body: { username: 'admin', password: 'x' } });
    expectProblem(noGrant, 400, 'VALIDATION_FAILED');
    expect(problemPaths(noGrant)).toContain('/grant_type');
    const noPassword = await api('POST', '/token', { form: { grant_type: 'password', username: 'admin' } });
    expectProblem(noPassword, 400, 'VALIDATION_FAILED');
    expect(problemPaths(noPassword)).toContain('/password');
  });

  it('an API client gets a token with client credentials (form-encoded or JSON); a wrong secret gets 401', async () => {
    const { org, orgAdmin } = await orgWithUsers(['processor', 'workshop']);
    const created = await api('POST', `/orgs/${org.id}/clients`, { token: orgAdmin, body: { name: '灌装线网关 / filling line gateway', roles: ['processor'] } });
    expect(created.status, created.text).toBe(201);
    const { client_id, client_secret } = created.body as { client_id: string; client_secret: string };
    secrets.push(client_secret);
    expect(client_id).toMatch(/^cli_/);
    const form = await api('POST', '/token', { form: { grant_type: 'client_credentials', client_id, client_secret, audience: 'processor identity' } });
    expect(form.status, form.text).toBe(200);
    const p = await createTokenVerifier({ jwks: await servedJwks(), audience: 'milkchain:processor' }).verify(form.body.access_token as string);
    expect(p).toMatchObject({ sub: client_id, org: org.id, roles: ['processor'], kind: 'client' });
    const json = await api('POST', '/token', { body: { grant_type: 'client_credentials', client_id, client_secret } });
    expect(json.status).toBe(200);
    const wrong = await api('POST', '/token', { body: { grant_type: 'client_credentials', client_id, client_secret: client_secret.slice(1) + 'x' } });
    expectProblem(wrong, 401, 'UNAUTHENTICATED');
    expect(wrong.body.error).toBe('invalid_client');
    expectProblem(await api('POST', '/token', { body: { grant_type: 'client_credentials', client_id: 'cli_nobody', client_secret } }), 401, 'UNAUTHENTICATED');
    // Stored hashed, never in the clear.
    expect(JSON.stringify(await identity.prisma.identityClient.findUnique({ where: { id: client_id } }))).not.toContain(client_secret);
  });
});

describe('event signing', () => {
  it('signs for the token’s organisation only, and the signatures verify against the registered key', async () => {
    const a = await orgWithUsers();
    const b = await orgWithUsers();
    const registered = identity.registrar.calls.find((c) => c.org === a.org.id)!.jwk;
    const ids = eventIds(3);
    const res = await api('POST', `/orgs/${a.org.id}/signatures`, { token: a.member, body: { ids } });
    expect(res.status, res.text).toBe(200);
    const signatures = res.body.signatures as string[];
    expect(signatures).toHaveLength(3);
    for (const [i, sig] of signatures.entries()) await verifyEventSignature(ids[i]!, sig, registered);
    await expect(verifyEventSignature(ids[1]!, signatures[0]!, registered)).rejects.toThrow();
    const other = await api('POST', `/orgs/${a.org.id}/signatures`, { token: b.member, body: { ids } });
    expectProblem(other, 403, 'FORBIDDEN');
    // A token a service forwards (audience farm only) is good for signing.
    const farmOnly = await identity.login(a.memberName, a.memberPassword, ['farm']);
    expect((await api('POST', `/orgs/${a.org.id}/signatures`, { token: farmOnly, body: { ids } })).status).toBe(200);
    expectProblem(await api('POST', `/orgs/${a.org.id}/signatures`, { body: { ids } }), 401, 'UNAUTHENTICATED');
  });

  it('the in-process signer makes the same checks', async () => {
    const a = await orgWithUsers();
    const b = await orgWithUsers();
    const ids = eventIds(2);
    const sigs = await identity.service.signer.sign({ token: a.member, org: a.org.id, ids });
    const registered = identity.registrar.calls.find((c) => c.org === a.org.id)!.jwk;
    for (const [i, sig] of sigs.entries()) await verifyEventSignature(ids[i]!, sig, registered);
    await expect(identity.service.signer.sign({ token: b.member, org: a.org.id, ids })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(identity.service.signer.sign({ token: 'garbage', org: a.org.id, ids })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(identity.service.signer.sign({ token: a.member, org: a.org.id, ids: ['ABC'] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('answers bad signing bodies with 400 naming the field', async () => {
    const a = await orgWithUsers();
    const cases: Array<[unknown, string]> = [
      [{ ids: [] }, '/ids'],
      [{ ids: ['A'.repeat(64)] }, '/ids/0'],
      [{ ids: eventIds(1001) }, '/ids'],
      [{ ids: eventIds(1), extra: 1 }, '/extra'],
      [{}, '/ids'],
    ];
    for (const [body, path] of cases) {
      const res = await api('POST', `/orgs/${a.org.id}/signatures`, { token: a.member, body });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(problemPaths(res)).toContain(path);
    }
    expect((await api('POST', `/orgs/${a.org.id}/signatures`, { token: a.member, body: { ids: eventIds(1000) } })).status).toBe(200);
  });

  it('stores the private key sealed: not the plaintext JWK, and it opens only with the right key-encryption key, org and kid', async () => {
    const org = await createOrg();
    const kid = org.keys[0]!.kid;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ private_sealed: Buffer; public_jwk: JWK }>('SELECT private_sealed, public_jwk FROM identity_org_keys WHERE kid = $1', [kid]);
      const sealed = rows[0]!.private_sealed;
      const text = sealed.toString('latin1');
      expect(text).not.toContain('"d"');
      expect(text).not.toContain('Ed25519');
      expect(text).not.toContain(org.keys[0]!.jwk.x!);
      const opened = openPrivateJwk(sealed, identity.keyEncryptionKey, org.id, kid);
      expect(opened).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: org.keys[0]!.jwk.x });
      expect(typeof opened.d).toBe('string');
      expect(() => openPrivateJwk(sealed, randomBytes(32), org.id, kid)).toThrow();
      expect(() => openPrivateJwk(sealed, identity.keyEncryptionKey, 'org_someone_else', kid)).toThrow();
      const flipped = Buffer.from(sealed);
      flipped[20] = flipped[20]! ^ 1;
      expect(() => openPrivateJwk(flipped, identity.keyEncryptionKey, org.id, kid)).toThrow();
    } finally {
      await client.end();
    }
  });

  it('an organisation that registers its own key signs for itself: identity refuses with 409', async () => {
    const a = await orgWithUsers();
    expect((await api('POST', `/orgs/${a.org.id}/signatures`, { token: a.member, body: { ids: eventIds(1) } })).status).toBe(200); // custodial until now
    const own = await (await import('@milkchain/ledger')).generateOrgKey();
    const before = identity.registrar.calls.length;
    const withPrivate = await api('POST', `/orgs/${a.org.id}/keys`, { token: a.orgAdmin, body: { jwk: own.privateJwk } });
    expectProblem(withPrivate, 400, 'VALIDATION_FAILED');
    expect(problemPaths(withPrivate)).toContain('/jwk/d');
    expectProblem(await api('POST', `/orgs/${a.org.id}/keys`, { token: a.member, body: { jwk: own.publicJwk } }), 403, 'FORBIDDEN');
    const res = await api('POST', `/orgs/${a.org.id}/keys`, { token: a.orgAdmin, body: { jwk: own.publicJwk } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ org: { signing: 'self' }, key: { kid: own.kid, origin: 'self', active: true } });
    expect(identity.registrar.calls.slice(before)).toEqual([{ org: a.org.id, jwk: own.publicJwk }]);
    const refused = await api('POST', `/orgs/${a.org.id}/signatures`, { token: a.member, body: { ids: eventIds(1) } });
    expectProblem(refused, 409, 'CONFLICT');
    expect(String(refused.body.detail)).toContain('/ledger/v1/submissions');
    await expect(identity.service.signer.sign({ token: a.member, org: a.org.id, ids: eventIds(1) })).rejects.toMatchObject({ code: 'CONFLICT' });
    const keys = (await api('GET', `/orgs/${a.org.id}/keys`)).body.keys as Array<{ origin: string; active: boolean }>;
    expect(keys.map((k) => [k.origin, k.active])).toEqual([
      ['custodial', false],
      ['self', true],
    ]);
  });

  it('rotating gives a new custodial key, registered first; new signatures use it', async () => {
    const a = await orgWithUsers();
    const oldKid = a.org.keys[0]!.kid;
    // Signed with the old key first (signing keeps what it read for a moment; rotating drops it).
    const [before] = (await api('POST', `/orgs/${a.org.id}/signatures`, { token: a.member, body: { ids: eventIds(1) } })).body.signatures as string[];
    expect(JSON.parse(Buffer.from(before!.split('.')[0]!, 'base64url').toString()).kid).toBe(oldKid);
    const res = await api('POST', `/orgs/${a.org.id}/keys`, { token: a.orgAdmin, body: { rotate: true } });
    expect(res.status, res.text).toBe(201);
    const key = res.body.key as { kid: string; jwk: JWK };
    expect(key.kid).not.toBe(oldKid);
    expect(identity.registrar.calls.at(-1)).toEqual({ org: a.org.id, jwk: { kty: 'OKP', crv: 'Ed25519', x: key.jwk.x } });
    const ids = eventIds(1);
    const [sig] = (await api('POST', `/orgs/${a.org.id}/signatures`, { token: a.member, body: { ids } })).body.signatures as string[];
    expect(JSON.parse(Buffer.from(sig!.split('.')[0]!, 'base64url').toString()).kid).toBe(key.kid);
    await verifyEventSignature(ids[0]!, sig!, key.jwk);
    const badKeys = await api('POST', `/orgs/${a.org.id}/keys`, { token: a.orgAdmin, body: { rotate: false } });
    expectProblem(badKeys, 400, 'VALIDATION_FAILED');
  });
});

describe('privacy and documentation', () => {
  it('public reads expose no phone, password, hash or secret', async () => {
    const { org } = await orgWithUsers();
    const reads = [await api('GET', `/orgs/${org.id}`), await api('GET', '/orgs'), await api('GET', `/orgs/${org.id}/keys`), await api('GET', '/jwks.json')];
    for (const r of reads) {
      expect(r.status).toBe(200);
      for (const needle of ['138 0471', 'phone', 'password', 'Hash', 'secret', 'scrypt', '"d"', 'sealed', 'displayName']) expect(r.text, needle).not.toContain(needle);
    }
  });

  it('the user creation answer carries no password or phone', async () => {
    const { org, orgAdmin } = await orgWithUsers();
    const res = await api('POST', `/orgs/${org.id}/users`, { token: orgAdmin, body: { username: `p.${suffix()}`, password: 'another-long-password', displayName: '某人', phone: '13900001111', roles: ['farm'] } });
    secrets.push('another-long-password');
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['displayName', 'id', 'org', 'roles', 'username']);
    expect(res.text).not.toContain('13900001111');
  });

  it('serves an OpenAPI 3.1 document with an example for every operation', async () => {
    const res = await fetch(`${identity.url}/identity/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths).flatMap((item) => Object.entries(item).filter(([m]) => ['get', 'post', 'patch'].includes(m)));
    expect(operations.length).toBe(11);
    for (const [, op] of operations) {
      const responses = (op as { responses: Record<string, { content?: Record<string, { example?: unknown }> }> }).responses;
      const ok = Object.entries(responses).find(([s]) => s.startsWith('2'))![1];
      expect(Object.values(ok.content!)[0]!.example).toBeDefined();
      const body = (op as { requestBody?: { content: Record<string, { schema: unknown; example: unknown }> } }).requestBody;
      if (body) for (const media of Object.values(body.content)) expect(media.example).toBeDefined();
    }
  });

  // Last on purpose: by now the log holds every kind of line the tests above caused.
  it('the log never holds a password, a client secret, a hash or a private key', () => {
    const all = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(20);
    expect(all).toContain('token issued');
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toContain('"d":');
    expect(all).not.toContain('scrypt$');
    expect(all).not.toContain('13804715678');
    expect(all).not.toContain('138 0471');
  });
});
