/**
 * The custody projection, Given/When/Then: how ledger events fold into objects (holdings along the
 * chain, holds, lineage), that a projector folding the stream gets what the write path got, and
 * that evolve is pure and total.
 */
import { describe, expect, it } from 'vitest';
import { evolve, foldNeeds, knownKinds, kindInfo, subjectFor, touches, type CustodyObject, type LedgerEvent } from '../../src/index.ts';
import { fixtureEvent } from '../../src/testing/index.ts';
import {
  AS,
  BATCH,
  BODY,
  COLLECTION_1,
  COLLECTION_2,
  givenLoad,
  givenLot,
  givenReceipt,
  GTIN,
  LOAD,
  LOT,
  loadFrom,
  LOT_NO,
  ORG,
  result,
  SHIPMENT,
  World,
} from './world.ts';

const ID = (n: number) => n.toString(16).padStart(64, '0');

describe('evolve: holdings along the chain', () => {
  it('given the Hohhot scenario, when each step is recorded, then custody moves farm → collector → dairy → lots → shop → sold', () => {
    const w = givenLoad();
    // collection → load: both farms' tanks emptied into the collector's tanker.
    expect(w.get(COLLECTION_1)).toMatchObject({ holdings: { [ORG.farm]: 0 }, status: 'closed', unit: 'L' });
    expect(w.get(COLLECTION_2)).toMatchObject({ holdings: { [ORG.farm2]: 0 }, status: 'closed' });
    expect(w.get(LOAD)).toMatchObject({ holdings: { [ORG.collector]: 3720 }, unit: 'L', from: [COLLECTION_1, COLLECTION_2], species: ['cow'], status: 'active' });

    // reception: the dairy holds what arrived.
    w.run('reception.record', BODY.reception, AS.dairy);
    expect(w.get(LOAD)).toMatchObject({ holdings: { [ORG.dairy]: 3712 }, data: { received: { org: ORG.dairy, volumeL: 3712, decision: 'accepted' } } });

    // batch: 3700 L used, 12 L left in the silo; the batch holds its output.
    w.run('batch.produce', BODY.batch, AS.dairy);
    expect(w.get(LOAD).holdings).toEqual({ [ORG.dairy]: 12 });
    expect(w.get(BATCH)).toMatchObject({ holdings: { [ORG.dairy]: 3650 }, unit: 'L', from: [LOAD], species: ['cow'], data: { productType: 'pasteurised_milk' } });

    // lot: 14200 × 250 mL = 3550 L packed, 100 L left.
    w.run('lot.pack', BODY.lot, AS.dairy);
    expect(w.get(BATCH).holdings).toEqual({ [ORG.dairy]: 100 });
    expect(w.get(LOT)).toMatchObject({ holdings: { [ORG.dairy]: 14200 }, unit: 'unit', from: [BATCH], species: ['cow'], data: { productType: 'pasteurised_milk', bestBefore: '2026-11-30', sold: 0 } });

    // shipment: 4800 units leave the dairy and are in transit.
    w.run('shipment.dispatch', BODY.shipment, AS.dairy);
    expect(w.get(LOT).holdings).toEqual({ [ORG.dairy]: 9400 });
    expect(w.get(LOT).data.inTransit).toEqual({ [SHIPMENT]: { from: ORG.dairy, to: ORG.shop, quantity: 4800 } });
    expect(w.get(SHIPMENT)).toMatchObject({ holdings: { [ORG.dairy]: 4800 }, status: 'active', data: { from: ORG.dairy, to: ORG.shop, lots: [{ subject: LOT, quantity: 4800 }] } });

    // receipt: the shop holds what arrived; the shipment is closed.
    w.run('shipment.receive', BODY.receipt, AS.shop);
    expect(w.get(LOT).holdings).toEqual({ [ORG.dairy]: 9400, [ORG.shop]: 4800 });
    expect(w.get(LOT).data.inTransit).toEqual({});
    expect(w.get(SHIPMENT)).toMatchObject({ holdings: { [ORG.shop]: 4800 }, status: 'closed', data: { received: { org: ORG.shop, condition: 'intact' } } });

    // sale: 312 units leave custody.
    w.run('sale.record', BODY.sale, AS.shop);
    expect(w.get(LOT)).toMatchObject({ holdings: { [ORG.dairy]: 9400, [ORG.shop]: 4488 }, data: { sold: 312 } });
  });

  it('given 4700 of 4800 units arrive, then the shop holds 4700 and the 100 missing leave custody, recorded on the shipment', () => {
    const w = givenLot();
    w.run('shipment.dispatch', BODY.shipment, AS.dairy);
    w.run('shipment.receive', { ...BODY.receipt, lots: [{ gtin: GTIN, lot: LOT_NO, quantity: 4700 }], condition: 'damaged' }, AS.shop);
    expect(w.get(LOT).holdings).toEqual({ [ORG.dairy]: 9400, [ORG.shop]: 4700 });
    expect(w.get(SHIPMENT).data.received).toMatchObject({ lots: [{ subject: LOT, quantity: 4700 }], condition: 'damaged' });
  });

  it('given a rejected reception, then the load is rejected and stays with the collector', () => {
    const w = givenLoad();
    w.run('reception.record', { ...BODY.reception, decision: 'rejected', remarks: '酒精试验阳性 alcohol test positive' }, AS.dairy);
    expect(w.get(LOAD)).toMatchObject({ status: 'rejected', holdings: { [ORG.collector]: 3720 } });
  });

  it('given the lot is held and then released, then it is active again and the hold is gone', async () => {
    const w = givenLot();
    w.run('lot.hold', { gtin: GTIN, lot: LOT_NO, reason: 'complaint', occurredAt: '2026-11-23T16:00:00+08:00' }, AS.dairy);
    expect(w.get(LOT)).toMatchObject({ status: 'held', data: { hold: { reason: 'complaint', org: ORG.dairy, at: '2026-11-23T16:00:00+08:00' } } });
    await w.fold(fixtureEvent('lot.released', { org: ORG.samr, subject: LOT, occurredAt: '2026-11-23T17:00:00+08:00', data: { gtin: GTIN, lot: LOT_NO, reason: 'investigation_closed' } }));
    expect(w.get(LOT).status).toBe('active');
    expect(w.get(LOT).data.hold).toBeUndefined();
  });
});

describe('evolve: results', () => {
  it('given a sample of the load, when a result is non-conformant, then the sampled load is held and the result is on the sample', () => {
    const w = givenLoad();
    w.run('sample.take', BODY.intakeSample, AS.lab);
    const sample = `urn:milkchain:sample:${ORG.lab}:${BODY.intakeSample.sampleId}`;
    expect(w.get(sample)).toMatchObject({ from: [LOAD], species: ['cow'], data: { matrix: 'raw_milk', results: [] } });
    w.run('result.record', result('fat', 3.5, 'g/100g'), AS.lab);
    expect(w.get(LOAD).status).toBe('active');
    w.run('result.record', result('total_bacterial_count', 2_100_000, 'CFU/mL'), AS.lab);
    expect(w.get(LOAD).status).toBe('held');
    expect(w.get(sample).data.results).toEqual([
      { analyte: 'fat', verdict: 'conformant', ruleId: 'raw-milk.fat.min' },
      { analyte: 'total_bacterial_count', verdict: 'non_conformant', ruleId: 'raw-milk.total-bacterial-count.max' },
    ]);
  });
});

describe('evolve: folding fixture events as a projector does', () => {
  async function world(): Promise<{ w: World; ids: Record<string, string> }> {
    const w = new World();
    const ids: Record<string, string> = {};
    const c1 = 'urn:milkchain:collection:org_xilin_pasture:xl-am';
    const c2 = 'urn:milkchain:collection:org_xilin_pasture:xl-pm';
    ids.c1 = await w.fold(fixtureEvent('milk.collected', { subject: c1, occurredAt: '2026-11-23T06:10:00+08:00' }));
    ids.c2 = await w.fold(fixtureEvent('milk.collected', { subject: c2, data: { volumeL: 1000 }, occurredAt: '2026-11-23T18:10:00+08:00' }));
    // 2000 L: c2 (1000 L) whole, then 1000 of c1's 1860.5 L.
    ids.load = await w.fold(fixtureEvent('milk.transported', { subject: 'urn:milkchain:load:org_saihan_collect:L1', prev: null, inputs: [ids.c2, ids.c1], data: { volumeL: 2000 } }));
    return { w, ids };
  }

  it('given two collections, when a load names them only by their heads, then the projector finds them and takes 1000 L whole and 1000 L of 1860.5 L', async () => {
    const { w } = await world();
    expect(w.get('urn:milkchain:collection:org_xilin_pasture:xl-pm')).toMatchObject({ holdings: { org_xilin_pasture: 0 }, status: 'closed' });
    expect(w.get('urn:milkchain:collection:org_xilin_pasture:xl-am')).toMatchObject({ holdings: { org_xilin_pasture: 860.5 }, status: 'active' });
    expect(w.get('urn:milkchain:load:org_saihan_collect:L1')).toMatchObject({
      org: 'org_saihan_collect',
      holdings: { org_saihan_collect: 2000 },
      from: ['urn:milkchain:collection:org_xilin_pasture:xl-pm', 'urn:milkchain:collection:org_xilin_pasture:xl-am'],
      species: ['cow'],
    });
  });

  it('given the load event alone, then touches names its subject, and foldNeeds asks for its inputs by head', async () => {
    const { w, ids } = await world();
    const load = w.log[2]!.event;
    expect(touches(load)).toEqual(['urn:milkchain:load:org_saihan_collect:L1']);
    expect(foldNeeds(load)).toEqual({ subjects: ['urn:milkchain:load:org_saihan_collect:L1'], heads: [ids.c2, ids.c1] });
  });

  it('given a lab result event, when the objects loaded include its sample, then touches adds the sampled object', async () => {
    const { w } = await world();
    const sample = 'urn:milkchain:sample:org_nmg_dairy_lab:S-1';
    await w.fold(fixtureEvent('sample.taken', { subject: sample, data: { sampleId: 'S-1', sampledFrom: 'urn:milkchain:load:org_saihan_collect:L1' } }));
    const failed = fixtureEvent('lab.result.recorded', {
      subject: sample,
      data: { sampleId: 'S-1', value: 2.5, verdict: 'non_conformant' },
    });
    expect(touches(failed)).toEqual([sample]);
    expect(touches(failed, w.objects)).toEqual([sample, 'urn:milkchain:load:org_saihan_collect:L1']);
    // One load of foldNeeds is enough: the sample's lineage holds the sampled object.
    expect(foldNeeds(failed)).toEqual({ subjects: [sample], lineageOf: sample });
    expect([...loadFrom(w.objects, foldNeeds(failed)).keys()]).toContain('urn:milkchain:load:org_saihan_collect:L1');
    await w.fold(failed);
    expect(w.get('urn:milkchain:load:org_saihan_collect:L1').status).toBe('held');
  });
});

describe('evolve: the write path and a projector agree', () => {
  it('given the whole scenario recorded through commands, when the log is refolded from nothing as a projector does, then every object is the same', async () => {
    const w = givenReceipt();
    w.run('sale.record', BODY.sale, AS.shop);
    w.run('sample.take', { ...BODY.intakeSample, sampleId: 'S-L', sampledFrom: LOT, matrix: 'finished_product', purpose: 'supervision', occurredAt: '2026-11-25T09:00:00+08:00' }, AS.samr);
    w.run('result.record', { ...result('salmonella', 3, 'CFU/25g'), sampleId: 'S-L', takenBy: ORG.samr, sampledFrom: LOT, occurredAt: '2026-11-25T15:00:00+08:00' }, AS.lab);
    const { objects, touched } = await w.replay();
    expect(objects).toEqual(w.objects);
    expect(w.get(LOT).status).toBe('held');

    // Every object an event changed is among the subjects touches() names for it with the objects loaded.
    const before = new World();
    for (const { id, event } of w.log) {
      const snapshot = new Map([...before.objects].map(([s, o]) => [s, structuredClone(o)]));
      await before.fold(event);
      const changed = [...before.objects.keys()].filter((s) => JSON.stringify(before.objects.get(s)) !== JSON.stringify(snapshot.get(s)));
      expect(touched.get(id), `${event.kind} on ${event.subject}`).toEqual(expect.arrayContaining(changed));
    }
  });
});

describe('evolve: pure and total', () => {
  it('given every registered kind, when its fixture is folded into nothing, then evolve does not throw, and unprojected kinds change nothing', () => {
    for (const { kind, version } of knownKinds()) {
      const event = kindInfo(kind, version)!.fixture;
      expect(() => evolve(new Map(), event, ID(1)), kind).not.toThrow();
    }
    // A recall is projected (the recall object; its lots are held when they are loaded).
    expect(evolve(new Map(), fixtureEvent('recall.initiated'), ID(1)).map((o) => o.type)).toEqual(['recall']);
    expect(evolve(new Map(), fixtureEvent('org.key.registered'), ID(1))).toEqual([]);
    expect(evolve(new Map(), { ...fixtureEvent('lot.held'), kind: 'constructor' } as LedgerEvent, ID(1))).toEqual([]);
  });

  it('given objects passed in, when an event moves their holdings, then the objects passed in are not changed', async () => {
    const w = givenLot();
    const before = structuredClone(w.get(LOT));
    const objects = new Map<string, CustodyObject>([[LOT, w.get(LOT)]]);
    const sold = fixtureEvent('lot.sold', { org: ORG.dairy, subject: LOT, data: { units: 10 } });
    const [after] = evolve(objects, sold, ID(2));
    expect(after?.holdings[ORG.dairy]).toBe(14190);
    expect(objects.get(LOT)).toEqual(before);
  });

  it('given a lot number a subject cannot carry, then shipment events skip it instead of throwing', () => {
    const shipped = fixtureEvent('shipment.dispatched', { data: { lots: [{ gtin: GTIN, lot: 'A/B', quantity: 1 }] } });
    expect(() => evolve(new Map(), shipped, ID(3))).not.toThrow();
    expect(touches(shipped)).toEqual([shipped.subject]);
  });

  it('subjectFor builds the URNs of the brief and refuses parts a subject cannot carry', () => {
    expect(subjectFor('lot', GTIN, LOT_NO)).toBe(LOT);
    expect(subjectFor('collection', 'org_xilin_pasture', 'XL-1')).toBe('urn:milkchain:collection:org_xilin_pasture:XL-1');
    expect(subjectFor('shipment', '006901234000000018')).toBe(SHIPMENT);
    expect(() => subjectFor('lot', GTIN, 'A/B')).toThrow(RangeError);
    expect(() => subjectFor('lot', GTIN)).toThrow(RangeError);
  });
});
