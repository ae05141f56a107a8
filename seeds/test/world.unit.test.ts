import { isGtin14, isSscc18, validateEvent } from '@milkchain/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { worldOrgRoles, worldProduct, ORG } from '../src/orgs.ts';
import { simulate, SimulationError, type SimulatedEvent } from '../src/simulate.ts';
import { AFM1_INCIDENT, demoWorld, EXCURSION_DAY, type WorldStep } from '../src/world.ts';

const data = (e: SimulatedEvent) => e.event.data as Record<string, unknown>;

describe('the demo world, run through the domain', () => {
  let steps: WorldStep[];
  let events: SimulatedEvent[];
  const ofKind = (kind: string) => events.filter((e) => e.event.kind === kind);

  beforeAll(() => {
    steps = demoWorld();
    const t0 = performance.now();
    events = simulate(steps, worldOrgRoles());
    console.log(`demo world: ${steps.length} steps → ${events.length} events in ${Math.round(performance.now() - t0)} ms`);
  });

  it('given 21 days from 2026-11-02, when every step is decided, then none is refused and each makes events', () => {
    expect(steps.length).toBeGreaterThan(2000);
    expect(new Set(events.map((e) => e.step)).size).toBe(steps.length);
    expect(steps[0]!.at.startsWith('2026-11-02')).toBe(true);
    // The last day's lots are released the day after, when their pathogen results are in.
    expect(steps.at(-1)!.at.slice(0, 10) >= '2026-11-22' && steps.at(-1)!.at.slice(0, 10) <= '2026-11-23').toBe(true);
    for (let i = 1; i < steps.length; i++) expect(Date.parse(steps[i]!.at)).toBeGreaterThanOrEqual(Date.parse(steps[i - 1]!.at));
  });

  it('then every event passes validateEvent, and every prev and input is the id of an earlier event', () => {
    const seen = new Set<string>();
    const last = new Map<string, string>();
    for (const { id, event } of events) {
      const v = validateEvent(event);
      expect(v.ok ? [] : v.problems, `${event.kind} ${event.subject}`).toEqual([]);
      expect(event.prev).toBe(last.get(event.subject) ?? null);
      for (const input of event.inputs) expect(seen.has(input)).toBe(true);
      seen.add(id);
      last.set(event.subject, id);
    }
    expect(seen.size).toBe(events.length);
  });

  it('then the chain is complete: herds, treatments, collections, loads, receptions, samples, results, batches, lots, releases, shipments, readings, receipts, sales', () => {
    const count = (kind: string) => ofKind(kind).length;
    expect(count('animal.registered')).toBe(404);
    expect(count('animal.treated')).toBe(3);
    expect(count('milk.collected')).toBe(steps.filter((s) => s.command === 'collection.record').length);
    expect(count('milk.transported')).toBe(count('milk.received'));
    expect(count('sample.taken')).toBeGreaterThan(count('milk.transported'));
    expect(count('batch.produced')).toBe(count('lot.packed'));
    // Positive release: lots packed before their pathogen results (pasteurised, yoghurt, camel) are held, then released.
    const pending = ofKind('lot.held').filter((e) => data(e).reason === 'pending_results');
    expect(pending.length).toBeGreaterThan(40);
    expect(count('lot.released')).toBe(pending.length);
    expect(count('shipment.dispatched')).toBe(count('shipment.received'));
    expect(count('shipment.temperature.reported')).toBe(count('shipment.dispatched'));
    expect(count('lot.sold')).toBeGreaterThan(100);
    // Realistic numbers: tank 2–4 °C, fat about 3.8, protein about 3.2.
    for (const e of ofKind('milk.collected')) {
      expect(data(e).tankTemperatureC as number).toBeGreaterThanOrEqual(2);
      expect(data(e).tankTemperatureC as number).toBeLessThanOrEqual(4);
    }
    const mean = (analyte: string) => {
      const v = ofKind('lab.result.recorded').filter((e) => data(e).analyte === analyte).map((e) => data(e).value as number);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    expect(mean('fat')).toBeCloseTo(3.85, 1);
    expect(mean('protein')).toBeCloseTo(3.2, 1);
    for (const e of ofKind('shipment.dispatched')) expect(isSscc18(data(e).sscc as string)).toBe(true);
    for (const e of ofKind('lot.packed')) expect(isGtin14(data(e).gtin as string)).toBe(true);
  });

  it('then every treated animal is excluded from the collections its withdrawal covers, and only from those', () => {
    for (const t of ofKind('animal.treated')) {
      const { earTag, administeredAt, milkWithdrawalUntil } = data(t) as { earTag: string; administeredAt: string; milkWithdrawalUntil: string };
      const covered = ofKind('milk.collected').filter((c) => {
        if (c.event.org !== t.event.org) return false;
        const w = data(c).milkingWindow as { start: string; end: string };
        return Date.parse(milkWithdrawalUntil) > Date.parse(w.start) && Date.parse(administeredAt) < Date.parse(w.end);
      });
      expect(covered.length, earTag).toBeGreaterThan(1);
      for (const c of ofKind('milk.collected').filter((c) => c.event.org === t.event.org)) {
        const excluded = (data(c).animalsExcluded as Array<{ earTag: string }>).some((a) => a.earTag === earTag);
        expect(excluded, `${c.event.subject} ${earTag}`).toBe(covered.includes(c));
      }
    }
  });

  it(`then the AFM1 confirmation of ${AFM1_INCIDENT.value} µg/kg is non-conformant and holds exactly the lot made from that load, which is never released, shipped or sold`, () => {
    const bad = ofKind('lab.result.recorded').filter((e) => data(e).verdict === 'non_conformant');
    expect(bad).toHaveLength(1);
    expect(data(bad[0]!)).toMatchObject({ analyte: 'aflatoxin_m1', value: AFM1_INCIDENT.value, limit: { comparison: 'lte', value: 0.5 }, rule: { source: 'GB 2761' } });
    // The screening of the same load passed: only the confirmation found it.
    const screening = ofKind('lab.result.recorded').filter((e) => data(e).analyte === 'aflatoxin_m1' && data(e).value === AFM1_INCIDENT.screening);
    expect(screening.map((e) => data(e).verdict)).toEqual(['conformant']);
    const holds = ofKind('lot.held').filter((e) => data(e).reason === 'non_conformant_result');
    expect(holds).toHaveLength(1);
    expect(holds[0]!.step).toBe(bad[0]!.step);
    expect(holds[0]!.event.inputs).toEqual([bad[0]!.id]);
    // UHT milk packed the next day (lot codes end in yymmdd) from that evening's load.
    const yymmdd = new Date(Date.parse('2026-11-02T08:00:00+08:00') + (AFM1_INCIDENT.day + 1) * 86_400_000).toISOString().slice(2, 10).replaceAll('-', '');
    const heldLots = holds.map((h) => h.event.subject);
    expect(heldLots).toEqual([`urn:milkchain:lot:${worldProduct('uht').gtin}:U1${yymmdd}`]);
    for (const kind of ['lot.released', 'lot.sold']) expect(ofKind(kind).filter((e) => heldLots.includes(e.event.subject))).toEqual([]);
    const shippedLots = ofKind('shipment.dispatched').flatMap((e) => (data(e).lots as Array<{ gtin: string; lot: string }>).map((l) => `urn:milkchain:lot:${l.gtin}:${l.lot}`));
    expect(shippedLots.filter((s) => heldLots.includes(s))).toEqual([]);
  });

  it('then one shipment reports a real excursion (computed from its readings), and the shop receives it as a temperature breach', () => {
    const excursions = ofKind('shipment.temperature.reported').filter((e) => (data(e).excursions as unknown[]).length > 0);
    expect(excursions).toHaveLength(1);
    expect(data(excursions[0]!).excursions).toEqual([expect.objectContaining({ peakC: 7.4 })]);
    expect(excursions[0]!.event.occurredAt.slice(8, 10)).toBe(String(2 + EXCURSION_DAY).padStart(2, '0'));
    const receipt = ofKind('shipment.received').find((e) => e.event.subject === excursions[0]!.event.subject)!;
    expect(data(receipt).condition).toBe('temperature_breach');
  });

  it('then camel milk goes from the camel cooperative to a released, shipped and sold pasteurised camel-milk lot', () => {
    const camel = worldProduct('camel');
    expect(ofKind('milk.collected').filter((e) => e.event.org === ORG.camelCoop && data(e).species === 'camel').length).toBeGreaterThan(10);
    const lots = ofKind('lot.packed').filter((e) => data(e).gtin === camel.gtin);
    expect(lots.length).toBeGreaterThan(10);
    const released = new Set(ofKind('lot.released').map((e) => e.event.subject));
    expect(lots.every((l) => released.has(l.event.subject))).toBe(true);
    expect(ofKind('lot.sold').some((e) => data(e).gtin === camel.gtin)).toBe(true);
    // The workshop's traditional products are there too.
    for (const key of ['milk_tofu', 'milk_skin']) expect(ofKind('lot.sold').some((e) => data(e).gtin === worldProduct(key).gtin)).toBe(true);
  });

  it('is deterministic, and shorter worlds run clean too', () => {
    expect(demoWorld()).toEqual(steps);
    const short = demoWorld({ start: '2027-01-04', days: 4 });
    expect(short[0]!.at.startsWith('2027-01-04')).toBe(true);
    expect(simulate(short, worldOrgRoles()).length).toBeGreaterThan(500);
  });

  it('given a collection whose tank is at 7.5 °C, then simulate throws naming the step and the cooling rule', () => {
    const short = demoWorld({ days: 2 });
    const i = short.findIndex((s) => s.command === 'collection.record');
    const broken = short.map((s, j) => (j === i ? { ...s, body: { ...s.body, tankTemperatureC: 7.5 } } : s));
    expect(() => simulate(broken, worldOrgRoles())).toThrow(SimulationError);
    expect(() => simulate(broken, worldOrgRoles())).toThrow(new RegExp(`^step ${i} \\(collection.record .*raw-milk.cooling.tank-max`));
  });

  it('given an organisation without the role, then simulate refuses as the service would (403)', () => {
    const short = demoWorld({ days: 1 });
    const roles = worldOrgRoles();
    roles.set(ORG.farmTumed, ['retailer']);
    expect(() => simulate(short, roles)).toThrow(/needs one of the roles/);
  });
});
