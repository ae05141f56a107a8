import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { COMMANDS, evolve, isRefusal, type CommandDefinition, type CustodyObject, type EventDraft, type Refusal, type Role } from '@milkchain/domain';
import { MAX_BATCH_COMMANDS } from '@milkchain/custody';
import { runSteps } from '@milkchain/embedded';
import { demoWorld, loadNeeds, simulate, WORLD_ORGS, worldOrgRoles, type WorldStep } from '@milkchain/seeds';
import { badBodies, dateTimeFields, fieldsOf, freshValue, futureBodies, jsonSchemaOf, setAt, type BadBody } from './support/bad-bodies.ts';
import { startWorld, type World } from './support/world.ts';

/**
 * Bad input on every write endpoint (issue 3, "Bad input, tested"): bodies generated from each
 * command's schema and example, and from the live objects of the demo world's first days (times
 * in the future, unknown ids, duplicate submissions), plus the batch endpoint. Each gets a 4xx
 * application/problem+json naming the field, never a 5xx, and writes nothing: the custody
 * events, commands and outbox and the ledger are the same size before and after.
 */

// ---- the world, known before it runs ---------------------------------------------------------

/**
 * The first four days of the demo world (every command occurs), without the animals no later step
 * names: the herds' registrations are most of the steps and only a few animals matter.
 */
function thinWorld(steps: readonly WorldStep[]): WorldStep[] {
  const later = JSON.stringify(steps.filter((s) => s.command !== 'animal.register').map((s) => s.body));
  return steps.filter((s) => s.command !== 'animal.register' || later.includes(`"${String(s.body.earTag)}"`));
}

const STEPS = thinWorld(demoWorld({ days: 4 }));

/** The roles of the user the world runner acts as for `def` in `org` (its first user holding one of them). */
function rolesFor(def: CommandDefinition, org: string): Role[] {
  const users = WORLD_ORGS.find((o) => o.id === org)?.users ?? [];
  const role = def.roles.find((r) => users.some((u) => u.roles.includes(r)));
  return [...(users.find((u) => role !== undefined && u.roles.includes(role))?.roles ?? [])];
}

/** Every object at the end of the world, as each custody service projects it. */
const OBJECTS = (() => {
  const all = new Map<string, CustodyObject>();
  for (const e of simulate(STEPS, worldOrgRoles())) for (const o of evolve(all, e.event, e.id)) all.set(o.subject, o);
  return all;
})();

/** What the service will decide for `body`, from the world's objects (the domain is pure). */
function decideNow(def: CommandDefinition, org: string, body: unknown): EventDraft[] | Refusal | 'invalid' {
  const parsed = def.schema.safeParse(body);
  if (!parsed.success) return 'invalid';
  const objects = loadNeeds(OBJECTS, def.needs(parsed.data, { org }));
  return def.decide(parsed.data, { now: new Date(), org, roles: rolesFor(def, org), objects });
}

interface Live {
  def: CommandDefinition;
  org: string;
  /** The command's last step in the world; `fresh` when it was made new (its own id replaced) so that it would succeed. */
  body: unknown;
  /** What sending `body` now would do. */
  outcome: 'writes' | Refusal;
}

/** A live body per command: its last world step, with a fresh own id when that one exists already. */
function liveBody(def: CommandDefinition): Live | undefined {
  const step = STEPS.findLast((s) => s.command === def.name);
  if (!step) return undefined;
  let body: unknown = step.body;
  let decided = decideNow(def, step.org, body);
  if (isRefusal(decided) && decided.status === 'conflict' && decided.rule.endsWith('.exists') && decided.path) {
    const own = decided.path;
    const field = fieldsOf(jsonSchemaOf(def), body).find((f) => f.pointer === own);
    if (field && typeof field.value === 'string') {
      body = setAt(body, field.pointer, freshValue(field.schema, field.value));
      decided = decideNow(def, step.org, body);
    }
  }
  if (decided === 'invalid') throw new Error(`${def.name}: the world's last step no longer passes its schema`);
  const at = (body as { occurredAt?: unknown }).occurredAt;
  if (!isRefusal(decided) && typeof at === 'string') {
    // The world sent this body already: a second after, it is another fact (the same fact again
    // is a duplicate submission, refused as such).
    const later = setAt(body, '/occurredAt', new Date(Date.parse(at) + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    if (!isRefusal(decideNow(def, step.org, later))) body = later;
  }
  return { def, org: step.org, body, outcome: isRefusal(decided) ? decided : 'writes' };
}

const LIVE = new Map(COMMANDS.flatMap((def) => {
  const live = liveBody(def);
  return live ? [[def.name, live] as const] : [];
}));

/** Date-time fields that name a future time by nature (when a withdrawal period ends). */
const FUTURE_ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'animal.treat': ['/milkWithdrawalUntil', '/meatWithdrawalUntil'],
};

interface IdCase {
  name: string;
  def: CommandDefinition;
  org: string;
  body: unknown;
  /** The field changed to an id nothing has. */
  field: string;
  /** Where the service's refusal points (the id's field, or its partner in a compound key: gtin + lot). */
  path: string;
  good?: unknown;
}

/**
 * For every string field of a live body that names an object the command loads (it changes the
 * command's `needs`): the body with an id nothing has. Fields that name what the command creates
 * are passed over (the body would then simply succeed).
 */
function unknownIdCases(live: Live): IdCase[] {
  const { def, org, body } = live;
  const needsOf = (b: unknown) => JSON.stringify(def.needs(def.schema.parse(b), { org }).subjects);
  const original = needsOf(body);
  const out: IdCase[] = [];
  for (const f of fieldsOf(jsonSchemaOf(def), body)) {
    if (typeof f.value !== 'string' || f.schema.format !== undefined || f.schema.enum) continue;
    const mutated = setAt(body, f.pointer, freshValue(f.schema, f.value));
    if (!def.schema.safeParse(mutated).success || needsOf(mutated) === original) continue;
    const decided = decideNow(def, org, mutated);
    if (!isRefusal(decided) || decided.status !== 'not_found' || decided.path === undefined) continue;
    out.push({ name: `${def.name} ${f.pointer} unknown`, def, org, body: mutated, field: f.pointer, path: decided.path, ...(live.outcome === 'writes' ? { good: body } : {}) });
  }
  return out;
}

const ID_CASES = [...LIVE.values()].flatMap(unknownIdCases);

// ---- the running world ------------------------------------------------------------------------

let world: World;

beforeAll(async () => {
  world = await startWorld(inject('postgresUrl'), 'badinput');
  await runSteps(world.base, world.tokens, STEPS, undefined, () => world.composed.projected());
  await world.composed.settle();
}, 600_000);

afterAll(async () => {
  await world?.close();
});

function tokenFor(def: CommandDefinition, org: string): string {
  const role = def.roles.find((r) => world.tokens.has(`${org}#${r}`));
  const token = role ? world.tokens.get(`${org}#${role}`) : undefined;
  if (!token) throw new Error(`no user of ${org} may ${def.name}`);
  return token;
}

/** Any organisation with a user who may make the command. */
function someOrgFor(def: CommandDefinition): string {
  return LIVE.get(def.name)?.org ?? WORLD_ORGS.find((o) => o.users.some((u) => u.roles.some((r) => def.roles.includes(r))))!.id;
}

interface Answer {
  status: number;
  type: string;
  body: Record<string, unknown>;
}

async function post(path: string, token: string, c: { body?: unknown; raw?: string | Buffer; contentType?: string | null; headers?: Record<string, string> }): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...c.headers };
  const contentType = c.contentType === undefined ? 'application/json' : c.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const payload = c.raw === undefined ? JSON.stringify(c.body) : typeof c.raw === 'string' ? c.raw : new Uint8Array(c.raw);
  const res = await fetch(world.base + path, { method: 'POST', headers, ...(payload === '' ? {} : { body: payload }) });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body };
}

/** The sizes that any write would change, read once every outbox has drained (`settle`). */
async function sizes(settle = true): Promise<Record<string, number>> {
  if (settle) await world.composed.settle();
  const { rows } = await world.composed.pool.query<{ events: string; commands: string; outbox: string }>(
    `SELECT (SELECT count(*) FROM custody_events) AS events, (SELECT count(*) FROM custody_commands) AS commands, (SELECT count(*) FROM bus_outbox) AS outbox`,
  );
  const r = rows[0]!;
  return { custody_events: Number(r.events), custody_commands: Number(r.commands), bus_outbox: Number(r.outbox), ledger: await world.composed.ledger.store.size() };
}

/** Sends, and checks the answer is a 4xx problem that names `path` and that nothing was written. */
async function refused(
  path: string,
  token: string,
  c: Pick<BadBody, 'body' | 'raw' | 'contentType'>,
  expected: { path: string | readonly string[]; status?: readonly number[]; codes?: readonly string[]; exact?: boolean },
): Promise<Answer> {
  // The previous case's check settled everything, so `before` needs no wait of its own.
  const before = await sizes(false);
  const res = await post(path, token, c);
  const summary = JSON.stringify(res.body).slice(0, 600);
  expect(res.status, summary).toBeGreaterThanOrEqual(400);
  expect(res.status, summary).toBeLessThan(500);
  expect(res.type, summary).toMatch(/^application\/problem\+json/);
  if (expected.status) expect(expected.status, summary).toContain(res.status);
  if (expected.codes) expect(expected.codes, summary).toContain(res.body.code);
  const wanted = [expected.path].flat();
  if (!wanted.includes('')) {
    const problems = (res.body.problems ?? []) as Array<{ path: string }>;
    const names = (want: string) =>
      problems.some((p) => p.path === want || (!expected.exact && p.path.startsWith(`${want}/`))) || res.body.pointer === want || String(res.body.detail ?? '').includes(want);
    expect(wanted.some(names), `the problem names ${wanted.join(' or ')}: ${summary}`).toBe(true);
  }
  expect(await sizes(), 'nothing was written').toEqual(before);
  return res;
}

const endpoint = (def: CommandDefinition) => `/${def.service}/v1${def.path}`;

// ---- the cases --------------------------------------------------------------------------------

describe('the generator', () => {
  it('covers every command and every top-level field of its schema', () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(15);
    for (const def of COMMANDS) {
      const cases = badBodies(def);
      const paths = new Set(cases.map((c) => c.path));
      for (const key of Object.keys(jsonSchemaOf(def).properties ?? {})) expect(paths, `${def.name} has cases for /${key}`).toContain(`/${key}`);
      expect(cases.length, def.name).toBeGreaterThan(20);
    }
  });

  it('has a live body from the world for every command', () => {
    expect([...LIVE.keys()].sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  it('lists only date-time fields that exist as allowed in the future', () => {
    for (const [name, fields] of Object.entries(FUTURE_ALLOWED)) {
      const live = LIVE.get(name)!;
      for (const f of fields) expect(dateTimeFields(live.def, live.body), name).toContain(f);
    }
  });

  it('finds unknown-id cases for the commands that name objects', () => {
    const covered = new Set(ID_CASES.map((c) => c.def.name));
    // Only the commands whose world body names another object (registering an animal names none;
    // the world's last collection keeps no animal out).
    expect(covered.size, [...covered].join(', ')).toBeGreaterThanOrEqual(12);
    expect(covered.has('animal.register')).toBe(false);
  });
});

describe.each(COMMANDS.map((def) => [def.name, def] as const))('%s: bodies its schema refuses', (_name, def) => {
  it.each(badBodies(def).map((c) => [c.name, c] as const))('%s', async (_case, c) => {
    const org = someOrgFor(def);
    await refused(endpoint(def), tokenFor(def, org), c, { path: c.path, status: c.status ?? [400], codes: c.codes ?? ['VALIDATION_FAILED'], exact: c.kind === 'extra' });
  });
});

describe.each([...LIVE.values()].map((l) => [l.def.name, l] as const))('%s: times in the future', (_name, live) => {
  const cases = futureBodies(live.def, live.body, new Date(), new Set(FUTURE_ALLOWED[live.def.name] ?? []));
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_case, c) => {
    const res = await refused(endpoint(live.def), tokenFor(live.def, live.org), c, { path: c.moved, status: [422], codes: ['RULE_VIOLATED'], exact: true });
    expect(res.body.rule).toBe('command.time.future');
  });
});

describe('ids nothing has', () => {
  it.each(ID_CASES.map((c) => [c.name, c] as const))('%s', async (_case, c) => {
    // The refusal points at the field changed or at its partner in the same key (gtin + lot).
    expect(c.path.split('/').slice(0, -1).join('/')).toBe(c.field.split('/').slice(0, -1).join('/'));
    await refused(endpoint(c.def), tokenFor(c.def, c.org), { body: c.body }, { path: c.path, status: [404], codes: ['NOT_FOUND'], exact: true });
  });
});

describe('the batch endpoint', () => {
  const farm = COMMANDS.find((c) => c.service === 'farm')!;
  const batchPath = `/${farm.service}/v1/batch`;
  const item = (def: CommandDefinition, body: unknown) => ({ command: def.name, body });

  it('refuses an empty list', async () => {
    await refused(batchPath, tokenFor(farm, someOrgFor(farm)), { body: { commands: [] } }, { path: '/commands', status: [400] });
  });

  it(`refuses more than ${MAX_BATCH_COMMANDS} commands`, async () => {
    const commands = Array.from({ length: MAX_BATCH_COMMANDS + 1 }, () => item(farm, farm.example));
    await refused(batchPath, tokenFor(farm, someOrgFor(farm)), { body: { commands } }, { path: '/commands', status: [400] });
  });

  it('refuses a list that is not one, an unknown field and an unknown command', async () => {
    const token = tokenFor(farm, someOrgFor(farm));
    await refused(batchPath, token, { body: [item(farm, farm.example)] }, { path: '', status: [400], codes: ['VALIDATION_FAILED'] });
    await refused(batchPath, token, { body: { commands: [item(farm, farm.example)], atomic: false } }, { path: '/atomic', status: [400] });
    await refused(batchPath, token, { body: { commands: [{ command: 'cow.milk', body: {} }] } }, { path: '/commands/0/command', status: [400] });
    await refused(batchPath, token, { body: { commands: [null] } }, { path: '/commands/0/command', status: [400] });
  });

  it.each(COMMANDS.map((def) => [def.name, def] as const))('refuses %s with a bad body among good ones, naming its index and field', async (_name, def) => {
    const missing = badBodies(def).find((c) => c.kind === 'missing')!;
    const commands = [item(def, def.example), item(def, def.example), item(def, missing.body)];
    await refused(`/${def.service}/v1/batch`, tokenFor(def, someOrgFor(def)), { body: { commands } }, { path: `/commands/2/body${missing.path}`, status: [400], codes: ['VALIDATION_FAILED'] });
  });

  const mixed = ID_CASES.filter((c) => c.good !== undefined);
  it('has all-or-nothing cases', () => {
    expect(mixed.length).toBeGreaterThan(3);
  });

  it.each(mixed.map((c) => [c.name, c] as const))('writes nothing of a batch whose last command names %s', async (_name, c) => {
    // The first command would succeed alone; the second names an object nothing has (or, made
    // from the same body, reuses the first one's new id: a conflict). Either way, neither is kept.
    const commands = [item(c.def, c.good), item(c.def, c.body)];
    await refused(`/${c.def.service}/v1/batch`, tokenFor(c.def, c.org), { body: { commands } }, { path: '/commands/1/body', status: [404, 409], codes: ['NOT_FOUND', 'CONFLICT'] });
  });
});

describe('duplicate submissions', () => {
  // Runs last: the first of each pair writes.
  it.each([...LIVE.values()].map((l) => [l.def.name, l] as const))('%s: the same body again is refused as a conflict', async (_name, live) => {
    const path = endpoint(live.def);
    const token = tokenFor(live.def, live.org);
    // The first one is recorded (201), or it is what the world sent already (its last step of
    // this command) and so is itself the duplicate (409).
    const first = await post(path, token, { body: live.body, headers: { prefer: 'wait=20' } });
    expect([201, 409], JSON.stringify(first.body)).toContain(first.status);
    await world.composed.projected();
    const again = await refused(path, token, { body: live.body }, { path: '', status: [409], codes: ['CONFLICT'] });
    expect(again.body.rule, JSON.stringify(again.body)).toEqual(expect.any(String));
    expect(again.body.pointer, JSON.stringify(again.body)).toEqual(expect.any(String));
  });
});
