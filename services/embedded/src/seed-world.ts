// Seeds the demo world through the public HTTP APIs, exactly as its users would: the
// organisations and their users in identity, then every step of the world as a command to its
// service, each waited for (`Prefer: wait`) so the next one sees it.
import { commandsOf, type ServiceName } from '@milkchain/domain';
import { demoWorld, WORLD_ORGS, type WorldOrg, type WorldStep } from '@milkchain/seeds';

export interface SeedProgress {
  (done: number, total: number, label: string): void;
}

export interface SeedResult {
  orgs: number;
  steps: number;
  events: number;
}

const SERVICES: readonly ServiceName[] = ['farm', 'processor', 'lab', 'logistics'];

/** command name → the POST path that serves it. */
export function commandPaths(): Map<string, { path: string; roles: readonly string[] }> {
  const out = new Map<string, { path: string; roles: readonly string[] }>();
  for (const s of SERVICES) for (const d of commandsOf(s)) out.set(d.name, { path: `/${s}/v1${d.path}`, roles: d.roles });
  return out;
}

async function call(base: string, path: string, init: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: unknown }> {
  const res = await fetch(base + path, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

export async function login(base: string, username: string, password: string): Promise<string> {
  const r = await call(base, '/identity/v1/token', { body: { grant_type: 'password', username, password } });
  if (r.status !== 200) throw new Error(`login as ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return (r.body as { access_token: string }).access_token;
}

/** Creates the world's organisations (or `orgs`) and their users, skipping those that exist; returns a token per organisation. */
export async function seedOrgs(base: string, adminPassword: string, orgs: readonly WorldOrg[] = WORLD_ORGS): Promise<Map<string, string>> {
  const admin = await login(base, 'admin', adminPassword);
  const tokens = new Map<string, string>();
  for (const org of orgs) {
    const exists = await call(base, `/identity/v1/orgs/${org.id}`, {});
    if (exists.status !== 200) {
      const { users, ...profile } = org;
      const created = await call(base, '/identity/v1/orgs', { token: admin, body: profile });
      if (created.status !== 201) throw new Error(`creating ${org.id}: ${created.status} ${JSON.stringify(created.body)}`);
      for (const u of users) {
        const r = await call(base, `/identity/v1/orgs/${org.id}/users`, { token: admin, body: u });
        if (r.status !== 201) throw new Error(`creating user ${u.username}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }
    // `org` → its first user's token; `org#role` → the token of a user holding that role.
    for (const [i, u] of org.users.entries()) {
      const token = await login(base, u.username, u.password);
      if (i === 0) tokens.set(org.id, token);
      for (const role of u.roles) if (!tokens.has(`${org.id}#${role}`)) tokens.set(`${org.id}#${role}`, token);
    }
  }
  return tokens;
}

/** Runs world steps in order; each must be sequenced (201) before the next starts. */
export async function runSteps(base: string, tokens: Map<string, string>, steps: readonly WorldStep[], progress?: SeedProgress, waitProjected?: () => Promise<void>): Promise<number> {
  const paths = commandPaths();
  let events = 0;
  for (const [i, step] of steps.entries()) {
    const command = paths.get(step.command);
    if (!command) throw new Error(`step ${i}: unknown command ${step.command}`);
    const path = command.path;
    const role = command.roles.find((r) => tokens.has(`${step.org}#${r}`));
    const token = role ? tokens.get(`${step.org}#${role}`) : tokens.get(step.org);
    if (!token) throw new Error(`step ${i}: no token for ${step.org}`);
    const r = await call(base, path, { token, body: step.body, headers: { prefer: 'wait=20' } });
    if (r.status !== 201) throw new Error(`step ${i} (${step.command} by ${step.org}) answered ${r.status}: ${JSON.stringify(r.body)}`);
    events += (r.body as { events: unknown[] }).events.length;
    await waitProjected?.();
    progress?.(i + 1, steps.length, step.command);
  }
  return events;
}

/**
 * The first day of a world of `days` days that has ended by `now`: the services refuse events
 * dated in the future, so on a clock earlier than the world's own dates (2026-11-02 to 11-23) the
 * whole world moves back until its last day is yesterday (China time).
 */
export function worldStart(now: Date, days = 21): string {
  const planned = '2026-11-02';
  const yesterdayCst = new Date(now.getTime() + 8 * 3_600_000 - 86_400_000);
  const latest = new Date(Date.UTC(yesterdayCst.getUTCFullYear(), yesterdayCst.getUTCMonth(), yesterdayCst.getUTCDate()) - (days - 1) * 86_400_000);
  const candidate = latest.toISOString().slice(0, 10);
  return candidate < planned ? candidate : planned;
}

export async function seedWorld(base: string, adminPassword: string, opts: { progress?: SeedProgress; waitProjected?: () => Promise<void>; days?: number; now?: Date } = {}): Promise<SeedResult> {
  const tokens = await seedOrgs(base, adminPassword);
  const days = opts.days ?? 21;
  const steps = demoWorld({ days, start: worldStart(opts.now ?? new Date(), days) });
  const events = await runSteps(base, tokens, steps, opts.progress, opts.waitProjected);
  return { orgs: WORLD_ORGS.length, steps: steps.length, events };
}
