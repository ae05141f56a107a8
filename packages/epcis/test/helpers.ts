// Shared by the unit tests: the GS1 examples as copied into the package, and the demo world's
// events (seeds' simulate(): the world run purely through the domain, unsigned) as ledger entries.
import { readdirSync, readFileSync } from 'node:fs';
import { simulate, WORLD_ORGS, demoWorld, worldOrgRoles, type SimulatedEvent, type WorldStep } from '@milkchain/seeds';
import type { LedgerEntry } from '../src/index.ts';

const EXAMPLES = new URL('../standards/examples/', import.meta.url);

export function gs1Examples(): Array<{ name: string; doc: unknown }> {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.jsonld'))
    .sort()
    .map((name) => ({ name, doc: JSON.parse(readFileSync(new URL(name, EXAMPLES), 'utf8')) as unknown }));
}

const glns = new Map(WORLD_ORGS.filter((o) => o.gln !== undefined).map((o) => [o.id, o.gln!]));
const orgs = new Map([...glns].map(([org, gln]) => [gln, org]));
export const glnOf = (org: string): string | undefined => glns.get(org);
export const orgOfGln = (gln: string): string | undefined => orgs.get(gln);

export interface World {
  steps: WorldStep[];
  events: SimulatedEvent[];
  entries: LedgerEntry[];
  byId: Map<string, LedgerEntry>;
}

let world: World | undefined;

/** The demo world once per test file (about a second). */
export function demo(): World {
  if (world) return world;
  const steps = demoWorld();
  const events = simulate(steps, worldOrgRoles());
  const entries = events.map((e, seq) => ({ seq, id: e.id, event: e.event }));
  world = { steps, events, entries, byId: new Map(entries.map((e) => [e.id, e])) };
  return world;
}

/**
 * A subject's history as the trace service would give it: every event reachable from the
 * subject's latest event through prev and inputs (ARCHITECTURE.md: "A lot's history is the graph
 * reachable from its latest event"), in log order.
 */
export function historyOf(w: World, subject: string, latest: Map<string, string>): LedgerEntry[] {
  const head = latest.get(subject);
  if (head === undefined) return [];
  const seen = new Set<string>([head]);
  const queue = [head];
  while (queue.length > 0) {
    const e = w.byId.get(queue.pop()!)!;
    for (const id of [...(e.event.prev === null ? [] : [e.event.prev]), ...e.event.inputs]) {
      if (!seen.has(id)) {
        seen.add(id);
        queue.push(id);
      }
    }
  }
  return w.entries.filter((e) => seen.has(e.id));
}

export function latestBySubject(w: World): Map<string, string> {
  const latest = new Map<string, string>();
  for (const e of w.entries) latest.set(e.event.subject, e.id);
  return latest;
}
