import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { SignJWT, UnsecuredJWT, base64url, importJWK, type JWK } from 'jose';
import { AUDIENCES, ISSUER, TOKEN_TYPE } from '@milkchain/auth';
import { testTokens } from '@milkchain/auth/testing';
import { COMMANDS, ROLES, commandsOf, type CommandDefinition, type Role, type ServiceName } from '@milkchain/domain';
import type { Logger } from '@milkchain/http';
import { ORG_ROLES, openPrivateJwk } from '@milkchain/identity-service';
import { login, runSteps, CUSTODY_SERVICES } from '@milkchain/embedded';
import { demoWorld, sscc, WORLD_ORGS, type WorldStep } from '@milkchain/seeds';
import { ADMIN_PASSWORD, startWorld, type World } from './support/world.ts';

/**
 * Security, tested against the whole product in one process (issue 3, item 7):
 *  - the authorisation matrix, generated from the COMMANDS table: every write endpoint (each
 *    command's POST path and each service's batch endpoint) × every role of the domain × two
 *    organisations; a role the command does not name gets 403 and nothing is written, a role it
 *    names is never refused for who it is;
 *  - organisations acting on objects in someone else's custody are refused, and nothing is written;
 *  - forged, expired, premature and misdirected tokens are refused at a real write endpoint;
 *  - passwords, client secrets, the key-encryption key and private keys never reach a log line or a
 *    response, and the sealed keys in the database do not hold the private key in clear;
 *  - public reads show no personal data, and every write endpoint wants a token.
 */

// ---------------------------------------------------------------------------------------------
// What the world logs and answers
// ---------------------------------------------------------------------------------------------

const logLines: string[] = [];
/** Every response body this test saw, with its request. */
const seen: string[] = [];
const serverErrors: string[] = [];

const expandErrors = (_key: string, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message, stack: value.stack, cause: value.cause } : value);

function capturingLogger(service: string): Logger {
  const emit = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    logLines.push(JSON.stringify({ level, service, message, ...fields }, expandErrors));
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

interface Answer {
  status: number;
  type: string;
  challenge: string | null;
  text: string;
  body: Record<string, unknown>;
}

let world: World;

/** HTTP against the world; every answer is kept for the secrets checks, a 5xx is a finding. */
async function call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(world.base + path, {
    method,
    headers: {
      ...(opts.body !== undefined || opts.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token !== undefined ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    ...(opts.raw !== undefined ? { body: opts.raw } : opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  seen.push(`${method} ${path} → ${res.status} ${text}`);
  if (res.status >= 500) serverErrors.push(`${method} ${path} → ${res.status} ${text}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', challenge: res.headers.get('www-authenticate'), text, body };
}

const show = (a: Answer) => `${a.status} ${a.text.slice(0, 600)}`;

// ---------------------------------------------------------------------------------------------
// "Nothing written"
// ---------------------------------------------------------------------------------------------

interface Footprint {
  events: string;
  commands: string;
  outbox: string;
  objects: string | null;
  ledger: number;
}

async function footprint(): Promise<Footprint> {
  const { rows } = await world.composed.pool.query<Omit<Footprint, 'ledger'>>(
    `SELECT (SELECT count(*) FROM custody_events) AS events,
            (SELECT count(*) FROM custody_commands) AS commands,
            (SELECT count(*) FROM bus_outbox) AS outbox,
            (SELECT md5(string_agg(service || ' ' || subject || ' ' || head || ' ' || status, ',' ORDER BY service, subject)) FROM custody_objects) AS objects`,
  );
  return { ...rows[0]!, ledger: await world.composed.ledger.store.size() };
}

/** Until every write so far is sequenced (or refused) and projected by every service. */
async function quiesce(): Promise<void> {
  await world.composed.settle();
  await world.composed.projected();
  const until = Date.now() + 30_000;
  for (;;) {
    const { rows } = await world.composed.pool.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM custody_commands WHERE status = 'accepted') + (SELECT count(*) FROM custody_events WHERE status = 'pending') AS n`,
    );
    if (Number(rows[0]!.n) === 0) break;
    if (Date.now() > until) throw new Error(`${rows[0]!.n} commands or events still pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await world.composed.projected();
}

/** Sends a request that must be refused, and checks that it wrote nothing. */
async function refusedWithoutTrace(label: string, send: () => Promise<Answer>): Promise<Answer> {
  const before = await footprint();
  const answer = await send();
  expect(answer.status, `${label}: ${show(answer)}`).toBeGreaterThanOrEqual(400);
  expect(answer.status, `${label}: ${show(answer)}`).toBeLessThan(500);
  expect(await footprint(), `${label} wrote something`).toEqual(before);
  return answer;
}

// ---------------------------------------------------------------------------------------------
// Callers: for every role, a user holding only that role in two organisations
// ---------------------------------------------------------------------------------------------

interface Caller {
  role: Role;
  org: string;
  side: 'own' | 'foreign';
  token: string;
}

let admin: string;
const callers: Caller[] = [];
const identityRoles: readonly string[] = ORG_ROLES;
const password = (username: string) => `authz-${username}-pass`;

async function mintWithIdentityKey(claims: { sub: string; org: string; roles: string[]; aud?: string[]; nbf?: number; exp?: number }): Promise<string> {
  const jwk = JSON.parse(readFileSync(world.tokenKeyFile, 'utf8')) as JWK;
  const key = await importJWK(jwk, 'EdDSA');
  const kid = (world.identity.jwks.keys[0] as { kid: string }).kid;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: claims.org, roles: claims.roles })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: TOKEN_TYPE })
    .setIssuer(ISSUER)
    .setSubject(claims.sub)
    .setAudience(claims.aud ?? AUDIENCES.map((a) => `milkchain:${a}`))
    .setIssuedAt(Math.min(now, claims.nbf ?? now))
    .setNotBefore(claims.nbf ?? now)
    .setExpirationTime(claims.exp ?? now + 900)
    .setJti(crypto.randomUUID())
    .sign(key);
}

async function createOrg(id: string, roles: string[], nameSuffix: string): Promise<void> {
  const r = await call('POST', '/identity/v1/orgs', {
    token: admin,
    body: { id, roles, name: { 'zh-CN': `授权测试组织 ${nameSuffix}`, en: `Authorisation test organisation ${nameSuffix}` }, region: { name: '内蒙古自治区呼和浩特市', code: '150100' } },
  });
  expect(r.status, show(r)).toBe(201);
}

async function createUser(org: string, username: string, roles: string[]): Promise<string> {
  const r = await call('POST', `/identity/v1/orgs/${org}/users`, {
    token: admin,
    body: { username, password: password(username), displayName: `测试用户 ${username}`, phone: '13900000000', roles },
  });
  expect(r.status, show(r)).toBe(201);
  return login(world.base, username, password(username));
}

/**
 * Own side: a user with only `role` in the first demo organisation that has it (the platform's
 * admin for admin). Foreign side: a new organisation with just that role. Roles identity does not
 * give to organisations (operator: the deployment's staff) get tokens signed with identity's own
 * token key, as identity would issue them.
 */
async function makeCallers(): Promise<void> {
  for (const role of ROLES) {
    const slug = role.replace(/[^a-z]/g, '');
    if (!identityRoles.includes(role)) {
      callers.push({ role, org: 'org_milkchain', side: 'own', token: await mintWithIdentityKey({ sub: `usr_authz_${slug}_own`, org: 'org_milkchain', roles: [role] }) });
      callers.push({ role, org: `org_authz_${slug}`, side: 'foreign', token: await mintWithIdentityKey({ sub: `usr_authz_${slug}_foreign`, org: `org_authz_${slug}`, roles: [role] }) });
      continue;
    }
    const home = role === 'admin' ? 'org_milkchain' : WORLD_ORGS.find((o) => o.roles.includes(role))?.id;
    if (!home) throw new Error(`no demo organisation holds the role ${role}`);
    callers.push({ role, org: home, side: 'own', token: home === 'org_milkchain' ? admin : await createUser(home, `authz.${slug}.own`, [role]) });
    const foreign = `org_authz_${slug}`;
    await createOrg(foreign, [role], role);
    callers.push({ role, org: foreign, side: 'foreign', token: await createUser(foreign, `authz.${slug}.foreign`, [role]) });
  }
}

const callerOf = (role: Role, side: Caller['side']) => callers.find((c) => c.role === role && c.side === side)!;

// ---------------------------------------------------------------------------------------------
// The world: the first days of the demo world, without the animals nobody refers to
// ---------------------------------------------------------------------------------------------

let steps: WorldStep[] = [];
const stepOf = (command: string, org?: string, which: 'first' | 'last' = 'first') => {
  const matching = steps.filter((s) => s.command === command && (org === undefined || s.org === org));
  const step = which === 'first' ? matching[0] : matching.at(-1);
  if (!step) throw new Error(`the demo world's first days have no ${command}${org ? ` by ${org}` : ''}`);
  return step.body as Record<string, unknown>;
};

function firstDays(): WorldStep[] {
  const all = demoWorld({ days: 3 });
  const cut = all.findIndex((s) => s.command === 'shipment.dispatch' && s.org === 'org_hohhot_dairy');
  if (cut < 0) throw new Error('the demo world no longer ships in its first three days');
  const head = all.slice(0, cut + 1);
  const mentioned = JSON.stringify(head.filter((s) => s.command !== 'animal.register').map((s) => s.body));
  const firstOf = new Set<string>();
  return head.filter((s) => {
    if (s.command !== 'animal.register') return true;
    const tag = String((s.body as { earTag: string }).earTag);
    if (!firstOf.has(s.org)) {
      firstOf.add(s.org);
      return true;
    }
    return mentioned.includes(tag);
  });
}

/** A batch of the processor's that is not packed yet (the demo world packs every batch whole). */
const OWN_BATCH = 'urn:milkchain:batch:org_hohhot_dairy:AUTHZ-OWN-BATCH';

async function produceOwnBatch(): Promise<void> {
  const load = String(stepOf('reception.record', 'org_hohhot_dairy', 'last').load);
  const body = {
    ...stepOf('batch.produce', 'org_hohhot_dairy', 'last'),
    batchId: 'AUTHZ-OWN-BATCH',
    inputs: [{ subject: load, quantity: { value: 100, unit: 'L' } }],
    output: { value: 98, unit: 'L' },
    occurredAt: '2026-11-03T22:00:00+08:00',
  };
  const a = await call('POST', '/processor/v1/batches', { token: world.tokens.get('org_hohhot_dairy#processor')!, body, headers: { prefer: 'wait=20' } });
  if (a.status !== 201) throw new Error(`the processor's own batch: ${show(a)}`);
}

beforeAll(async () => {
  world = await startWorld(inject('postgresUrl'), 'security', { logger: capturingLogger });
  admin = await login(world.base, 'admin', ADMIN_PASSWORD);
  steps = firstDays();
  await runSteps(world.base, world.tokens, steps, undefined, () => world.composed.projected());
  await produceOwnBatch();
  await makeCallers();
  await quiesce();
}, 600_000);

afterAll(async () => {
  await world?.close();
});

// ---------------------------------------------------------------------------------------------
// 1. The authorisation matrix
// ---------------------------------------------------------------------------------------------

interface Endpoint {
  label: string;
  path: string;
  def: CommandDefinition;
  body: unknown;
}

/** Every write endpoint, from the command table: each command's own path and its service's batch endpoint. */
function endpoints(): Endpoint[] {
  return COMMANDS.flatMap((def) => [
    { label: `POST /${def.service}/v1${def.path} (${def.name})`, path: `/${def.service}/v1${def.path}`, def, body: def.example },
    { label: `POST /${def.service}/v1/batch [${def.name}]`, path: `/${def.service}/v1/batch`, def, body: { commands: [{ command: def.name, body: def.example }] } },
  ]);
}

describe('the authorisation matrix (every write endpoint × every role × own and foreign organisation)', () => {
  it('covers every command of every custody service and every role of the domain', () => {
    expect(new Set(COMMANDS.map((c) => c.service))).toEqual(new Set(CUSTODY_SERVICES));
    expect(COMMANDS.length).toBeGreaterThanOrEqual(15);
    for (const role of ROLES) expect(callerOf(role, 'own').org, role).not.toBe(callerOf(role, 'foreign').org);
    expect(callers).toHaveLength(ROLES.length * 2);
  });

  it('refuses a role the command does not name with 403 naming the roles needed, and writes nothing', async () => {
    let refused = 0;
    for (const e of endpoints()) {
      for (const c of callers.filter((x) => !e.def.roles.includes(x.role))) {
        const label = `${e.label} as ${c.role} of ${c.org}`;
        const a = await refusedWithoutTrace(label, () => call('POST', e.path, { token: c.token, body: e.body }));
        expect(a.status, `${label}: ${show(a)}`).toBe(403);
        expect(a.type, label).toContain('application/problem+json');
        expect(a.body.code, label).toBe('FORBIDDEN');
        expect(a.body.needs, label).toEqual([...e.def.roles]);
        for (const r of e.def.roles) expect(String(a.body.detail), label).toContain(r);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(COMMANDS.length * 2 * 10);
  });

  it('refuses a batch when one of its commands needs a role the caller lacks, and writes nothing', async () => {
    let tried = 0;
    for (const service of CUSTODY_SERVICES) {
      const defs = commandsOf(service);
      for (const c of callers) {
        const allowed = defs.find((d) => d.roles.includes(c.role));
        const forbidden = defs.find((d) => !d.roles.includes(c.role));
        if (!allowed || !forbidden) continue;
        const label = `batch ${service} [${allowed.name}, ${forbidden.name}] as ${c.role} of ${c.org}`;
        const a = await refusedWithoutTrace(label, () =>
          call('POST', `/${service}/v1/batch`, { token: c.token, body: { commands: [{ command: allowed.name, body: allowed.example }, { command: forbidden.name, body: forbidden.example }] } }),
        );
        expect(a.status, `${label}: ${show(a)}`).toBe(403);
        expect(a.body.needs, label).toEqual([...forbidden.roles]);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(0);
  });

  it('never refuses a role the command names for who the caller is (no 401, no 403, no 5xx)', async () => {
    let tried = 0;
    for (const e of endpoints()) {
      for (const c of callers.filter((x) => e.def.roles.includes(x.role))) {
        const label = `${e.label} as ${c.role} of ${c.org}`;
        const a = await call('POST', e.path, { token: c.token, body: e.body });
        expect([401, 403], `${label}: ${show(a)}`).not.toContain(a.status);
        expect(a.status, `${label}: ${show(a)}`).toBeLessThan(500);
        tried++;
      }
    }
    expect(tried).toBeGreaterThanOrEqual(COMMANDS.length * 2 * 2);
    await quiesce();
  });

  it('answers a write without a token, or with a garbage token, 401 with a Bearer challenge, and writes nothing', async () => {
    for (const e of endpoints()) {
      for (const [how, token] of [
        ['no token', undefined],
        ['garbage token', 'not-a-token'],
        ['garbage JWT', 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
      ] as const) {
        const label = `${e.label} with ${how}`;
        const a = await refusedWithoutTrace(label, () => call('POST', e.path, { ...(token === undefined ? {} : { token }), body: e.body }));
        expect(a.status, `${label}: ${show(a)}`).toBe(401);
        expect(a.challenge, label).toMatch(/^Bearer /);
        expect(a.body.code, label).toBe('UNAUTHENTICATED');
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 1b. Someone else's custody
// ---------------------------------------------------------------------------------------------

describe("acting on objects in someone else's custody", () => {
  const PROCESSOR = 'org_hohhot_dairy';
  const FARM = 'org_tumed_left_pasture';
  const OTHER_FARM = 'org_horinger_pasture';
  const LAB = 'org_nmg_dairy_lab';
  const OTHER_LAB = 'org_nmg_cti_lab';
  const SHOP = 'org_qingcheng_mart';
  const OTHER_SHOP = 'org_ordos_kangbashi_mart';
  const at = (day: string, time: string) => `${day}T${time}+08:00`;

  /** The refusal names custody: 403, or a 409/422 whose rule is one of the custody rules. */
  function custodyRefusal(label: string, a: Answer): void {
    expect([403, 409, 422], `${label}: ${show(a)}`).toContain(a.status);
    if (a.status !== 403) expect(String(a.body.rule), `${label}: ${show(a)}`).toMatch(/^custody\./);
  }

  const tokenOf = (org: string, role: Role) => {
    const t = world.tokens.get(`${org}#${role}`) ?? callers.find((c) => c.org === org && c.role === role)?.token;
    if (!t) throw new Error(`no token for ${org} as ${role}`);
    return t;
  };

  interface Case {
    what: string;
    service: ServiceName;
    command: string;
    org: string;
    role: Role;
    body: () => Record<string, unknown>;
  }

  const cases: Case[] = [
    {
      what: "a second farm treats the first farm's animal",
      service: 'farm',
      command: 'animal.treat',
      org: OTHER_FARM,
      role: 'farm',
      body: () => {
        const earTag = String(steps.find((s) => s.command === 'animal.register' && s.org === FARM)!.body.earTag);
        const example = COMMANDS.find((c) => c.name === 'animal.treat')!.example as Record<string, unknown>;
        return { ...example, earTag, administeredAt: at('2026-11-03', '07:00:00'), milkWithdrawalUntil: at('2026-11-07', '07:00:00'), meatWithdrawalUntil: at('2026-11-13', '07:00:00'), occurredAt: at('2026-11-03', '07:10:00') };
      },
    },
    {
      what: "a second farm excludes the first farm's animal from its own collection",
      service: 'farm',
      command: 'collection.record',
      org: OTHER_FARM,
      role: 'farm',
      body: () => {
        const earTag = String(steps.find((s) => s.command === 'animal.register' && s.org === FARM)!.body.earTag);
        return { ...stepOf('collection.record', OTHER_FARM, 'last'), collectionId: 'AUTHZ-FOREIGN-ANIMAL', animalsExcluded: [{ earTag, reason: 'withdrawal' }] };
      },
    },
    {
      what: 'a second processor receives a load bound for the first',
      service: 'processor',
      command: 'reception.record',
      org: 'org_authz_processor',
      role: 'processor',
      body: () => stepOf('reception.record', PROCESSOR, 'last'),
    },
    {
      what: "a second processor makes a batch from the first processor's milk",
      service: 'processor',
      command: 'batch.produce',
      org: 'org_authz_processor',
      role: 'processor',
      body: () => ({ ...stepOf('batch.produce', PROCESSOR), batchId: 'AUTHZ-FOREIGN-BATCH' }),
    },
    {
      what: "a second processor packs the first processor's batch",
      service: 'processor',
      command: 'lot.pack',
      org: 'org_authz_processor',
      role: 'processor',
      body: () => ({ ...stepOf('lot.pack', PROCESSOR), batch: OWN_BATCH, lot: 'AUTHZFOREIGN', units: 10, occurredAt: at('2026-11-03', '23:00:00') }),
    },
    {
      what: "a second processor holds the first processor's lot",
      service: 'processor',
      command: 'lot.hold',
      org: 'org_authz_processor',
      role: 'processor',
      body: () => {
        const lot = (stepOf('shipment.dispatch', PROCESSOR).lots as Array<{ gtin: string; lot: string }>)[0]!;
        return { gtin: lot.gtin, lot: lot.lot, reason: 'pending_results', detail: '授权测试 authorisation test', occurredAt: at('2026-11-03', '23:00:00') };
      },
    },
    {
      what: "a second processor releases the first processor's held lot",
      service: 'processor',
      command: 'lot.release',
      org: 'org_authz_processor',
      role: 'processor',
      body: () => {
        const held = stepOf('lot.hold', PROCESSOR);
        return { gtin: held.gtin, lot: held.lot, reason: 'results_conformant', detail: '授权测试 authorisation test', occurredAt: at('2026-11-03', '23:00:00') };
      },
    },
    {
      what: "a second processor samples the first processor's lot",
      service: 'lab',
      command: 'sample.take',
      org: 'org_authz_processor',
      role: 'processor',
      body: () => {
        const lot = (stepOf('shipment.dispatch', PROCESSOR).lots as Array<{ gtin: string; lot: string }>)[0]!;
        return { sampleId: 'AUTHZ-FOREIGN-SAMPLE', sampledFrom: `urn:milkchain:lot:${lot.gtin}:${lot.lot}`, matrix: 'finished_product', purpose: 'self_check', quantity: { value: 250, unit: 'mL' }, temperatureC: 4, occurredAt: at('2026-11-03', '23:00:00') };
      },
    },
    {
      what: "a second lab records a result for the first lab's sample",
      service: 'lab',
      command: 'result.record',
      org: OTHER_LAB,
      role: 'lab',
      body: () => {
        const sample = stepOf('sample.take', LAB);
        return { sampleId: sample.sampleId, takenBy: LAB, sampledFrom: sample.sampledFrom, analyte: 'protein', value: 3.3, unit: 'g/100g', method: 'GB 5009.5-2016 凯氏定氮法 Kjeldahl', occurredAt: at('2026-11-03', '23:00:00') };
      },
    },
    {
      what: "a second processor dispatches the first processor's lot",
      service: 'logistics',
      command: 'shipment.dispatch',
      org: 'org_authz_processor',
      role: 'processor',
      body: () => ({ ...stepOf('shipment.dispatch', PROCESSOR), sscc: sscc('6901234', 99_995) }),
    },
    {
      what: 'a second carrier reports temperatures of a shipment it does not carry',
      service: 'logistics',
      command: 'shipment.temperature.report',
      org: 'org_authz_logistics',
      role: 'logistics',
      body: () => {
        const s = stepOf('shipment.dispatch', PROCESSOR);
        const t = Date.parse(String(s.occurredAt));
        const when = (m: number) => new Date(t + m * 60_000).toISOString();
        return { sscc: s.sscc, sensor: 'AUTHZ-SENSOR', range: { minC: 2, maxC: 6 }, readings: [{ at: when(10), temperatureC: 9 }, { at: when(40), temperatureC: 9.5 }], occurredAt: when(45) };
      },
    },
    {
      what: 'another shop receives a shipment addressed to someone else',
      service: 'logistics',
      command: 'shipment.receive',
      org: OTHER_SHOP,
      role: 'retailer',
      body: () => {
        const s = stepOf('shipment.dispatch', PROCESSOR);
        expect((s.to as { org: string }).org).toBe(SHOP);
        const t = Date.parse(String(s.occurredAt));
        return { sscc: s.sscc, lots: s.lots, condition: 'intact', temperatureC: 4, occurredAt: new Date(t + 3 * 3_600_000).toISOString() };
      },
    },
    {
      what: "a shop sells the workshop's lot it does not hold",
      service: 'logistics',
      command: 'sale.record',
      org: OTHER_SHOP,
      role: 'retailer',
      body: () => {
        const lot = stepOf('lot.pack', 'org_uxin_dairy_workshop');
        return { gtin: lot.gtin, lot: lot.lot, units: 1, day: '2026-11-03', occurredAt: at('2026-11-03', '23:00:00') };
      },
    },
  ];

  it('covers a command of every custody service', () => {
    expect(new Set(cases.map((c) => c.service))).toEqual(new Set(CUSTODY_SERVICES));
    for (const c of cases) expect(COMMANDS.find((d) => d.name === c.command)?.roles, c.what).toContain(c.role);
  });

  for (const c of cases) {
    it(`refuses: ${c.what}`, async () => {
      await quiesce();
      const def = COMMANDS.find((d) => d.name === c.command)!;
      const token = tokenOf(c.org, c.role);
      const body = c.body();
      const direct = await refusedWithoutTrace(c.what, () => call('POST', `/${c.service}/v1${def.path}`, { token, body, headers: { prefer: 'wait=10' } }));
      custodyRefusal(c.what, direct);
      const batched = await refusedWithoutTrace(`${c.what} (batch)`, () => call('POST', `/${c.service}/v1/batch`, { token, body: { commands: [{ command: c.command, body }] }, headers: { prefer: 'wait=10' } }));
      custodyRefusal(`${c.what} (batch)`, batched);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 2. Tokens refused at a real write endpoint
// ---------------------------------------------------------------------------------------------

describe('tokens refused at a real write endpoint', () => {
  const FARM = 'org_tumed_left_pasture';
  const path = '/farm/v1/animals';
  const body = () => ({ ...(COMMANDS.find((c) => c.name === 'animal.register')!.example as Record<string, unknown>), earTag: '215012100099777', occurredAt: undefined });
  const farmer = () => ({ sub: 'usr_authz_token', org: FARM, roles: ['farm'] });
  const now = () => Math.floor(Date.now() / 1000);

  async function expectRefused(label: string, token: string, reason: string | RegExp): Promise<void> {
    const a = await refusedWithoutTrace(label, () => call('POST', path, { token, body: body() }));
    expect(a.status, `${label}: ${show(a)}`).toBe(401);
    expect(a.challenge, label).toMatch(/^Bearer /);
    expect(a.body.code, label).toBe('UNAUTHENTICATED');
    expect(String(a.body.reason), label).toMatch(reason);
  }

  it('accepts the same request with a good token (the refusals below are about the token alone)', async () => {
    const good = await mintWithIdentityKey(farmer());
    const a = await call('POST', path, { token: good, body: body(), headers: { prefer: 'wait=10' } });
    expect(a.status, show(a)).toBe(201);
    await quiesce();
  });

  it('refuses alg "none"', async () => {
    const unsigned = new UnsecuredJWT({ org: FARM, roles: ['farm'] }).setIssuer(ISSUER).setSubject('usr_authz_token').setAudience('milkchain:farm').setIssuedAt().setExpirationTime('10m').encode();
    await expectRefused('alg none', unsigned, /algorithm|malformed/);
    // The same with the header typ identity uses.
    const [, payload] = unsigned.split('.');
    await expectRefused('alg none, typ at+jwt', `${base64url.encode(JSON.stringify({ alg: 'none', typ: TOKEN_TYPE }))}.${payload}.`, /algorithm|malformed/);
  });

  it('refuses HS256 signed with the public key', async () => {
    const publicJwk = world.identity.jwks.keys[0] as JWK & { kid: string; x: string };
    const pem = createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const secrets: Array<[string, Uint8Array]> = [
      ['raw public key bytes', base64url.decode(publicJwk.x)],
      ['public key PEM', new TextEncoder().encode(String(pem))],
      ['public JWK JSON', new TextEncoder().encode(JSON.stringify(publicJwk))],
    ];
    for (const [what, secret] of secrets) {
      const t = now();
      const token = await new SignJWT({ org: FARM, roles: ['farm'] })
        .setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid, typ: TOKEN_TYPE })
        .setIssuer(ISSUER)
        .setSubject('usr_authz_token')
        .setAudience('milkchain:farm')
        .setIssuedAt(t)
        .setNotBefore(t)
        .setExpirationTime(t + 600)
        .sign(secret);
      await expectRefused(`HS256 with the ${what}`, token, 'algorithm');
    }
  });

  it('refuses an expired token', async () => {
    await expectRefused('expired', await mintWithIdentityKey({ ...farmer(), nbf: now() - 3600, exp: now() - 600 }), 'expired');
  });

  it('refuses a token that is not valid yet', async () => {
    await expectRefused('nbf in the future', await mintWithIdentityKey({ ...farmer(), nbf: now() + 600, exp: now() + 1800 }), 'not_yet_valid');
  });

  it('refuses a token for another audience (issued by identity for the lab, sent to the farm service)', async () => {
    const issued = await call('POST', '/identity/v1/token', { body: { grant_type: 'password', username: 'tumed.farm', password: 'demo-tumed.farm-2026', audience: ['lab'] } });
    expect(issued.status, show(issued)).toBe(200);
    await expectRefused('audience milkchain:lab', String(issued.body.access_token), 'audience');
  });

  it('refuses a token signed by a key identity does not publish', async () => {
    const stranger = await testTokens();
    await expectRefused('unknown key', await stranger.mint({ ...farmer(), aud: 'milkchain:farm' }), /unknown_key|signature/);
    // The stranger's token under identity's own kid: the signature does not verify.
    const kid = (world.identity.jwks.keys[0] as { kid: string }).kid;
    const t = now();
    const forged = await new SignJWT({ org: FARM, roles: ['farm'] })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: TOKEN_TYPE })
      .setIssuer(ISSUER)
      .setSubject('usr_authz_token')
      .setAudience('milkchain:farm')
      .setIssuedAt(t)
      .setNotBefore(t)
      .setExpirationTime(t + 600)
      .sign(stranger.privateKey);
    await expectRefused("a stranger's key under identity's kid", forged, 'signature');
  });

  it('refuses a real token whose claims were changed after signing', async () => {
    const real = world.tokens.get('org_nmg_dairy_lab')!;
    const [h, p, s] = real.split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p!))) as Record<string, unknown>;
    const tampered = `${h}.${base64url.encode(JSON.stringify({ ...claims, org: FARM, roles: ['farm'] }))}.${s}`;
    await expectRefused('tampered claims', tampered, 'signature');
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Secrets
// ---------------------------------------------------------------------------------------------

describe('secrets never reach a log line or a response', () => {
  let clientSecret = '';
  const secrets = new Map<string, string>();

  function assertNoSecrets(where: string, lines: readonly string[]): void {
    for (const line of lines) {
      for (const [name, value] of secrets) {
        if (line.includes(value)) throw new Error(`${where} holds ${name}: ${line.slice(0, 300)}`);
      }
    }
  }

  it('exercises identity: clients, client-credential tokens, bad logins, malformed requests', async () => {
    const org = 'org_hohhot_dairy';
    const created = await call('POST', `/identity/v1/orgs/${org}/clients`, { token: admin, body: { name: 'authz ERP connector', roles: ['processor'] } });
    expect(created.status, show(created)).toBe(201);
    clientSecret = String(created.body.client_secret);
    expect(clientSecret.length).toBeGreaterThan(20);
    // The one answer that carries the secret, by design: leave it out of what is checked below.
    seen.pop();
    const clientId = String(created.body.client_id);

    const good = await call('POST', '/identity/v1/token', { body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: ['processor'] } });
    expect(good.status, show(good)).toBe(200);
    const form = await fetch(`${world.base}/identity/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: `${clientSecret}x` }).toString(),
    });
    seen.push(await form.text());
    expect(form.status).toBe(401);

    const user = WORLD_ORGS[0]!.users[0]!;
    const other = WORLD_ORGS[1]!.users[0]!;
    const refusals: Array<[string, Parameters<typeof call>[2]]> = [
      ['wrong password', { body: { grant_type: 'password', username: user.username, password: other.password } }],
      ['unknown user', { body: { grant_type: 'password', username: 'nobody.here', password: user.password } }],
      ['wrong client secret', { body: { grant_type: 'client_credentials', client_id: clientId, client_secret: user.password } }],
      ['unknown client', { body: { grant_type: 'client_credentials', client_id: 'cli_00000000000000000000', client_secret: clientSecret } }],
      ['bad grant', { body: { grant_type: 'implicit', username: user.username, password: user.password } }],
      ['extra audience', { body: { grant_type: 'password', username: user.username, password: user.password, audience: ['nowhere'] } }],
      ['broken JSON around the password', { raw: `{"grant_type":"password","username":"${user.username}","password":"${user.password}",}` }],
      ['a password without quotes', { raw: `{"grant_type":"password","username":"${user.username}","password":${user.password}}` }],
      ['just the password', { raw: user.password }],
    ];
    for (const [what, opts] of refusals) {
      const a = await call('POST', '/identity/v1/token', opts);
      expect([400, 401], `${what}: ${show(a)}`).toContain(a.status);
      expect(a.body.access_token, what).toBeUndefined();
    }

    // A user the admin gets wrong (bad user name, short password) and a duplicate user name.
    for (const bad of [
      { username: 'X', password: 'authz-bad-user-password-1', displayName: 'x', roles: ['processor'] },
      { username: 'authz.short', password: 'short', displayName: 'x', roles: ['processor'] },
      { username: 'authz.badrole', password: 'authz-bad-role-password-2', displayName: 'x', roles: ['lab'] },
      { username: WORLD_ORGS[7]!.users[0]!.username, password: 'authz-taken-password-3', displayName: 'x', roles: ['processor'] },
    ]) {
      const a = await call('POST', `/identity/v1/orgs/${org}/users`, { token: admin, body: bad });
      expect([400, 409], show(a)).toContain(a.status);
      secrets.set(`the refused user's password (${bad.username})`, bad.password);
    }
    // Reads an admin makes.
    for (const p of ['/identity/v1/orgs', `/identity/v1/orgs/${org}`, `/identity/v1/orgs/${org}/keys`, '/identity/v1/jwks.json']) {
      expect((await call('GET', p, { token: admin })).status, p).toBe(200);
    }
    // A key rotation: a new sealed key, registered with the ledger.
    const rotated = await call('POST', `/identity/v1/orgs/org_authz_processor/keys`, { token: admin, body: { rotate: true } });
    expect(rotated.status, show(rotated)).toBe(201);
  });

  it('keeps the private keys sealed in the database, and no secret in any log line or response', async () => {
    for (const o of WORLD_ORGS) for (const u of o.users) secrets.set(`the password of ${u.username}`, u.password);
    for (const c of callers) secrets.set(`the password of the ${c.role} caller`, password(`authz.${c.role}.${c.side}`));
    secrets.set('the admin password', ADMIN_PASSWORD);
    secrets.set('a client secret', clientSecret);
    const kek = world.keyEncryptionKey;
    for (const form of ['hex', 'base64', 'base64url'] as const) secrets.set(`the key-encryption key (${form})`, kek.toString(form));
    const tokenKey = JSON.parse(readFileSync(world.tokenKeyFile, 'utf8')) as JWK;
    secrets.set("the private half of identity's token key", String(tokenKey.d));

    const { rows } = await world.composed.pool.query<{ kid: string; org: string; private_sealed: Buffer | null }>('SELECT kid, org, private_sealed FROM identity_org_keys');
    const sealed = rows.filter((r) => r.private_sealed !== null);
    expect(sealed.length).toBeGreaterThan(WORLD_ORGS.length);
    for (const r of sealed) {
      const jwk = openPrivateJwk(r.private_sealed!, kek, r.org, r.kid);
      const d = String(jwk.d);
      expect(d.length).toBeGreaterThan(30);
      secrets.set(`the private key of ${r.org} (${r.kid})`, d);
      // At rest: neither the JWK member nor the raw 32 bytes appear in the stored bytes.
      const stored = r.private_sealed!;
      expect(stored.includes(Buffer.from(d, 'utf8')), `${r.org} stores d in clear`).toBe(false);
      expect(stored.includes(Buffer.from(d, 'base64url')), `${r.org} stores the raw private key`).toBe(false);
      expect(stored.includes(Buffer.from('"d"', 'utf8')), `${r.org} stores a JWK in clear`).toBe(false);
    }
    // The access tokens themselves are credentials too.
    for (const [who, token] of world.tokens) secrets.set(`the access token of ${who}`, token);

    expect(logLines.length).toBeGreaterThan(20);
    assertNoSecrets('a log line', logLines);
    assertNoSecrets('a response', seen);
    // Nothing failed unexpectedly along the way.
    expect(serverErrors).toEqual([]);
    expect(logLines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Public reads and writes without a token
// ---------------------------------------------------------------------------------------------

describe('public reads show no personal data; writes want a token', () => {
  const PERSONAL_FIELD = /"[^"]*(password|passwd|phone|mobile|idnumber|id_number|identitycard|email|e-mail)[^"]*"\s*:/i;

  type Doc = { paths: Record<string, Record<string, { security?: unknown[] }>> };
  async function docs(): Promise<Array<{ service: string; doc: Doc }>> {
    const out: Array<{ service: string; doc: Doc }> = [];
    for (const service of ['identity', ...CUSTODY_SERVICES]) {
      const a = await call('GET', `/${service}/openapi.json`);
      expect(a.status, service).toBe(200);
      out.push({ service, doc: a.body as unknown as Doc });
    }
    return out;
  }

  /** Fills path parameters with values that exist in the world. */
  async function fill(path: string): Promise<string> {
    const entry = (await call('GET', '/ledger/v1/entries?start=0&limit=1')).body as { entries?: Array<{ id: string }> };
    const eventId = entry.entries?.[0]?.id ?? '0'.repeat(64);
    return path
      .replace('{org}', 'org_hohhot_dairy')
      .replace('{id}', eventId)
      .replace('{subject}', encodeURIComponent('urn:milkchain:load:org_saihan_collect:L20261102-PM'));
  }

  it('serves every GET that needs no token without personal data', async () => {
    const personal: Array<[string, string]> = [];
    for (const o of WORLD_ORGS) {
      for (const u of o.users) {
        personal.push([`user name of ${o.id}`, u.username], [`display name of ${o.id}`, u.displayName], [`phone of ${o.id}`, u.phone], [`password of ${o.id}`, u.password]);
      }
    }
    const entries = (await call('GET', '/ledger/v1/entries?start=0&limit=1')).body as { entries: Array<{ id: string }> };
    const id = entries.entries[0]!.id;
    const size = await world.composed.ledger.store.size();
    const publicPaths = new Set<string>([
      '/ledger/v1/entries?start=0&limit=1000',
      `/ledger/v1/entries?start=${Math.max(0, size - 1000)}&limit=1000`,
      `/ledger/v1/events/${id}`,
      '/ledger/v1/checkpoint',
      `/ledger/v1/proofs/inclusion?id=${id}`,
      `/ledger/v1/proofs/consistency?from=1&to=${size}`,
      '/ledger/v1/keys',
      `/ledger/v1/heads?subject=${encodeURIComponent('urn:milkchain:load:org_saihan_collect:L20261102-PM')}`,
      '/.well-known/jwks.json',
      '/healthz',
      ...WORLD_ORGS.map((o) => `/identity/v1/orgs/${o.id}`),
      ...WORLD_ORGS.map((o) => `/identity/v1/orgs/${o.id}/keys`),
    ]);
    for (const { service, doc } of await docs()) {
      publicPaths.add(`/${service}/openapi.json`);
      for (const [p, ops] of Object.entries(doc.paths)) if (ops.get && !(ops.get.security && ops.get.security.length > 0)) publicPaths.add(await fill(p));
    }
    expect(publicPaths.size).toBeGreaterThan(WORLD_ORGS.length * 2 + 10);
    for (const p of publicPaths) {
      const a = await call('GET', p);
      expect(a.status, `${p}: ${show(a)}`).toBe(200);
      // The OpenAPI documents are static: they describe the (write-only) password and phone fields,
      // and their examples may use a common name; no stored value can reach them.
      const isDoc = p.endsWith('/openapi.json');
      if (!isDoc) expect(a.text, p).not.toMatch(PERSONAL_FIELD);
      for (const [what, value] of personal) if (!isDoc || what.startsWith('password') || what.startsWith('phone')) expect(a.text.includes(value), `${p} shows the ${what}`).toBe(false);
    }
  });

  it('answers every write endpoint of every OpenAPI document 401 without a token, and writes nothing', async () => {
    let writes = 0;
    for (const { service, doc } of await docs()) {
      for (const [p, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (method === 'get' || !op.security || op.security.length === 0) continue;
          const path = await fill(p);
          const label = `${method.toUpperCase()} ${path} (${service})`;
          const a = await refusedWithoutTrace(label, () => call(method.toUpperCase(), path, { body: {} }));
          expect(a.status, `${label}: ${show(a)}`).toBe(401);
          expect(a.challenge, label).toMatch(/^Bearer /);
          writes++;
        }
      }
    }
    // identity: orgs, org patch, users, clients, keys, signatures; custody: the commands and batch.
    expect(writes).toBeGreaterThanOrEqual(6 + COMMANDS.length + CUSTODY_SERVICES.length);
    // The ledger's own write endpoint for keys wants its admin token.
    const key = await refusedWithoutTrace('POST /ledger/v1/orgs/{org}/keys', () => call('POST', '/ledger/v1/orgs/org_hohhot_dairy/keys', { body: {} }));
    expect(key.status).toBe(401);
  });
});
