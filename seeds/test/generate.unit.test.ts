import { validateEvent } from '@milkchain/domain';
import { canonicalBytes, canonicalize, eventIdFromBytes } from '@milkchain/ledger';
import { describe, expect, it } from 'vitest';
import { generateEntries, generateEvents } from '../src/generate.ts';

describe('generateEvents: fast, valid, chained events for benchmarks', () => {
  it('given 20,000 events, then every one is canonical as built, its id is its hash, and every prev and input points at an earlier event', () => {
    const lastOf = new Map<string, string>();
    const seen = new Set<string>();
    const kinds = new Map<string, number>();
    let count = 0;
    for (const { id, event } of generateEntries(20_000, { hubs: 7 })) {
      count++;
      // The generator hashes JSON.stringify of key-ordered objects: that must be RFC 8785.
      expect(JSON.stringify(event)).toBe(canonicalize(event));
      expect(id).toBe(eventIdFromBytes(canonicalBytes(event)));
      expect(event.prev).toBe(lastOf.get(event.subject) ?? null);
      for (const input of event.inputs) expect(seen.has(input), `${event.kind} input ${input}`).toBe(true);
      lastOf.set(event.subject, id);
      seen.add(id);
      kinds.set(event.kind, (kinds.get(event.kind) ?? 0) + 1);
    }
    expect(count).toBe(20_000);
    expect(seen.size).toBe(20_000);
    // The whole chain is there, in the demo world's proportions (three collections per load).
    for (const kind of ['milk.collected', 'milk.transported', 'milk.received', 'sample.taken', 'lab.result.recorded', 'batch.produced', 'lot.packed', 'lot.held', 'lot.released', 'shipment.dispatched', 'shipment.temperature.reported', 'shipment.received', 'lot.sold']) {
      expect(kinds.get(kind), kind).toBeGreaterThan(0);
    }
    expect(Math.round(kinds.get('milk.collected')! / kinds.get('milk.transported')!)).toBe(3);
  });

  it('given a sample of every kind, then validateEvent (the kind schemas) accepts each', () => {
    const perKind = new Map<string, number>();
    let checked = 0;
    for (const event of generateEvents(6_000, { hubs: 3, seed: 7 })) {
      const n = perKind.get(event.kind) ?? 0;
      if (n >= 40) continue;
      perKind.set(event.kind, n + 1);
      const result = validateEvent(event);
      expect(result.ok ? [] : result.problems, `${event.kind} ${event.subject}`).toEqual([]);
      checked++;
    }
    expect(perKind.size).toBe(13);
    expect(checked).toBeGreaterThan(300);
  });

  it('given the same seed, then the same events; given another, then other numbers', () => {
    const ids = (seed: number) => [...generateEntries(500, { seed, hubs: 2 })].map((e) => e.id);
    expect(ids(3)).toEqual(ids(3));
    expect(ids(4)).not.toEqual(ids(3));
    expect([...generateEvents(0)]).toEqual([]);
  });
});
