// Runs world steps purely through the domain, the way the custody services do (docs/custody.md,
// "The write path"), with an in-memory projection instead of PostgreSQL and no signatures: parse
// with the command's schema, load what `needs` asks for, `decide`, chain the drafts onto the
// subjects' heads, check each event with validateEvent, and fold it into the projection with
// `evolve`. A refusal anywhere throws, naming the step: the demo world must run clean.
import {
  COMMANDS,
  evolve,
  isRefusal,
  toProblems,
  validateEvent,
  type CommandDefinition,
  type CustodyObject,
  type LedgerEvent,
  type Needs,
  type Role,
} from '@milkchain/domain';
import { canonicalBytes, eventIdFromBytes } from '@milkchain/ledger';
import type { WorldStep } from './world.ts';

export interface SimulatedEvent {
  id: string;
  event: LedgerEvent;
  /** Index of the step that made it. */
  step: number;
}

export class SimulationError extends Error {
  constructor(
    readonly step: number,
    readonly worldStep: WorldStep,
    message: string,
    readonly details?: unknown,
  ) {
    super(`step ${step} (${worldStep.command} by ${worldStep.org} at ${worldStep.at}): ${message}`);
    this.name = 'SimulationError';
  }
}

/**
 * The objects a decider gets for `needs`, read from the whole projection the way the custody
 * store's queries read its table (packages/custody/src/store.ts): named subjects; every animal of
 * an organisation; every object made, transitively, from a subject (not the subject itself);
 * a subject with all its ancestors and every sample taken from any of them; objects by head id.
 */
export function loadNeeds(all: ReadonlyMap<string, CustodyObject>, needs: Needs): Map<string, CustodyObject> {
  const out = new Map<string, CustodyObject>();
  const put = (o: CustodyObject | undefined) => {
    if (o) out.set(o.subject, o);
  };
  for (const s of needs.subjects) put(all.get(s));
  if (needs.animalsOf) {
    const org = needs.animalsOf.org;
    for (const o of all.values()) if (o.type === 'animal' && o.org === org) put(o);
  }
  if (needs.descendantsOf !== undefined) {
    const children = new Map<string, string[]>();
    for (const o of all.values()) {
      for (const parent of o.from) {
        const list = children.get(parent);
        if (list) list.push(o.subject);
        else children.set(parent, [o.subject]);
      }
    }
    const seen = new Set<string>([needs.descendantsOf]);
    const queue = [needs.descendantsOf];
    while (queue.length > 0) {
      for (const child of children.get(queue.shift()!) ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        queue.push(child);
        put(all.get(child));
      }
    }
  }
  if (needs.lineageOf !== undefined) {
    const ancestors = new Set<string>([needs.lineageOf]);
    const queue = [needs.lineageOf];
    while (queue.length > 0) {
      for (const parent of all.get(queue.shift()!)?.from ?? []) {
        if (ancestors.has(parent)) continue;
        ancestors.add(parent);
        queue.push(parent);
      }
    }
    for (const s of ancestors) put(all.get(s));
    for (const o of all.values()) if (o.type === 'sample' && o.from.some((f) => ancestors.has(f))) put(o);
  }
  if (needs.heads !== undefined && needs.heads.length > 0) {
    const wanted = new Set(needs.heads);
    for (const o of all.values()) if (wanted.has(o.head)) put(o);
  }
  return out;
}

/**
 * Runs `steps` in order; `orgRoles` gives each organisation's roles (the token's `roles` claim).
 * `now` for each decision is the step's time plus one minute. Returns every event made, with its
 * id, in order. Throws SimulationError on an unknown command, a role the organisation lacks, a
 * body its schema refuses, a refusal, or an event validateEvent refuses.
 */
export function simulate(steps: readonly WorldStep[], orgRoles: ReadonlyMap<string, readonly Role[]>): SimulatedEvent[] {
  const byName = new Map<string, CommandDefinition>(COMMANDS.map((c) => [c.name, c]));
  const objects = new Map<string, CustodyObject>();
  const heads = new Map<string, string>();
  const events: SimulatedEvent[] = [];

  steps.forEach((step, i) => {
    const fail = (message: string, details?: unknown) => new SimulationError(i, step, message, details);
    const def = byName.get(step.command);
    if (!def) throw fail(`unknown command; the commands are ${[...byName.keys()].join(', ')}`);
    const roles = orgRoles.get(step.org) ?? [];
    if (!def.roles.some((r) => roles.includes(r))) throw fail(`needs one of the roles ${def.roles.join(', ')}; ${step.org} has ${roles.join(', ') || 'none'}`);
    const parsed = def.schema.safeParse(step.body);
    if (!parsed.success) {
      const problems = toProblems(parsed.error.issues);
      throw fail(`body refused: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems);
    }
    const cmd = parsed.data;
    const ctxObjects = loadNeeds(objects, def.needs(cmd, { org: step.org }));
    const now = new Date(Date.parse(step.at) + 60_000);
    const decision = def.decide(cmd, { now, org: step.org, roles, objects: ctxObjects });
    if (isRefusal(decision)) {
      throw fail(`refused (${decision.status} ${decision.rule}${decision.path ? ` at ${decision.path}` : ''}): ${decision.reason['zh-CN']} / ${decision.reason.en}`, decision);
    }
    for (const draft of decision) {
      const inputs = draft.inputSubjects.map((s) => {
        const h = heads.get(s);
        if (!h) throw fail(`draft ${draft.kind} names input ${s}, which has no event yet`);
        return h;
      });
      const event: LedgerEvent = {
        v: 1,
        kind: draft.kind,
        kindVersion: draft.kindVersion,
        org: step.org,
        subject: draft.subject,
        prev: heads.get(draft.subject) ?? null,
        inputs,
        occurredAt: draft.occurredAt,
        data: draft.data,
      };
      const valid = validateEvent(event);
      if (!valid.ok) throw fail(`the ${draft.kind} event it makes is invalid: ${valid.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, valid.problems);
      const id = eventIdFromBytes(canonicalBytes(event));
      heads.set(draft.subject, id);
      for (const o of evolve(objects, event, id)) objects.set(o.subject, o);
      events.push({ id, event, step: i });
    }
  });
  return events;
}
