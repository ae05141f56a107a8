/**
 * Farm commands, Given/When/Then: animals, treatments, collections, loads.
 */
import { describe, expect, it } from 'vitest';
import { toProblems } from '../../src/index.ts';
import { AS, BODY, command, COLLECTION_1, COLLECTION_2, COW_1, COW_2, givenAnimals, givenCollections, givenLoad, LOAD, ORG, SLIP_1, SLIP_2, World } from './world.ts';

describe('animal.register (farm /animals)', () => {
  it('given a new ear tag, when the farm registers it, then one animal.registered on urn:milkchain:animal:<earTag>', () => {
    const w = new World();
    expect(w.decide('animal.register', BODY.cow1, AS.farm)).toEqual([
      {
        kind: 'animal.registered',
        kindVersion: 1,
        subject: `urn:milkchain:animal:${COW_1}`,
        occurredAt: '2026-03-02T09:30:00+08:00',
        data: { earTag: COW_1, species: 'cow', breed: '荷斯坦牛 Holstein', sex: 'female', birthDate: '2023-04-18', herd: 'XL-H02', origin: 'born_on_farm' },
        inputSubjects: [],
      },
    ]);
  });

  it('given no occurredAt, then it happened now, written in Beijing time', () => {
    const w = new World();
    w.now = new Date('2026-11-23T01:02:03.456Z');
    const { occurredAt: _, ...body } = BODY.cow1;
    const drafts = w.decide('animal.register', body, AS.farm);
    expect(Array.isArray(drafts) && drafts[0]?.occurredAt).toBe('2026-11-23T09:02:03+08:00');
  });

  it('given the ear tag is registered, when it is registered again, then a conflict animal.exists at /earTag', () => {
    const w = givenAnimals();
    expect(w.refusal('animal.register', BODY.cow1, AS.farm)).toMatchObject({ status: 'conflict', rule: 'animal.exists', path: '/earTag' });
  });

  it('command.time.future: given occurredAt 6 minutes ahead of the clock, then refused at /occurredAt; 5 minutes ahead is accepted', () => {
    const w = new World();
    w.now = new Date('2026-03-02T09:24:00+08:00');
    expect(w.refusal('animal.register', BODY.cow1, AS.farm)).toMatchObject({ status: 'rule', rule: 'command.time.future', path: '/occurredAt' });
    w.now = new Date('2026-03-02T09:25:00+08:00');
    expect(Array.isArray(w.decide('animal.register', BODY.cow1, AS.farm))).toBe(true);
  });

  it('animal.birth-date: given a birth date after the registration, then refused at /birthDate', () => {
    expect(new World().refusal('animal.register', { ...BODY.cow1, birthDate: '2026-03-03' }, AS.farm)).toMatchObject({ status: 'rule', rule: 'animal.birth-date', path: '/birthDate' });
  });
});

describe('animal.treat (farm /animals/treatments)', () => {
  it("given the farm's animal, when it records a treatment, then animal.treated on the animal", () => {
    const w = new World();
    w.run('animal.register', BODY.cow1, AS.farm);
    const { occurredAt: _, ...data } = BODY.treatment;
    expect(w.decide('animal.treat', BODY.treatment, AS.farm)).toEqual([
      { kind: 'animal.treated', kindVersion: 1, subject: `urn:milkchain:animal:${COW_1}`, occurredAt: '2026-11-20T07:10:00+08:00', data, inputSubjects: [] },
    ]);
  });

  it('given no such animal, then not_found animal.not-found at /earTag', () => {
    expect(new World().refusal('animal.treat', BODY.treatment, AS.farm)).toMatchObject({ status: 'not_found', rule: 'animal.not-found', path: '/earTag' });
  });

  it("custody.not-owner: given another farm's animal, then a conflict at /earTag", () => {
    const w = givenAnimals();
    expect(w.refusal('animal.treat', BODY.treatment, AS.farm2)).toMatchObject({ status: 'conflict', rule: 'custody.not-owner', path: '/earTag' });
  });

  it('command.time.future: given a treatment administered tomorrow, then refused at /administeredAt', () => {
    const w = givenAnimals();
    w.now = new Date('2026-11-20T07:10:00+08:00');
    expect(w.refusal('animal.treat', { ...BODY.treatment, administeredAt: '2026-11-21T07:00:00+08:00', milkWithdrawalUntil: '2026-11-25T07:00:00+08:00' }, AS.farm)).toMatchObject({
      rule: 'command.time.future',
      path: '/administeredAt',
    });
  });
});

describe('collection.record (farm /collections)', () => {
  it('given the animal under withdrawal is excluded, when the farm records a collection, then milk.collected on urn:milkchain:collection:<org>:<id>', () => {
    const w = givenAnimals();
    const { occurredAt: _, collectionId: _id, ...data } = BODY.collection1;
    expect(w.decide('collection.record', BODY.collection1, AS.farm)).toEqual([
      { kind: 'milk.collected', kindVersion: 1, subject: COLLECTION_1, occurredAt: '2026-11-23T06:10:00+08:00', data, inputSubjects: [] },
    ]);
  });

  it('raw-milk.withdrawal (GB 19301-2010): given a cow under withdrawal until 2026-11-24, when she is not excluded, then refused at /animalsExcluded naming her', () => {
    const w = givenAnimals();
    const r = w.refusal('collection.record', { ...BODY.collection1, animalsExcluded: [] }, AS.farm);
    expect(r).toMatchObject({ status: 'rule', rule: 'raw-milk.withdrawal', source: 'GB 19301-2010', path: '/animalsExcluded', details: { earTags: [COW_1] } });
  });

  it('raw-milk.withdrawal: given the withdrawal ended before milking started, then the cow need not be excluded', () => {
    const w = givenAnimals();
    const later = { ...BODY.collection1, collectionId: 'XL-T2-20261125-AM', animalsExcluded: [], milkingWindow: { start: '2026-11-25T04:30:00+08:00', end: '2026-11-25T06:00:00+08:00' }, occurredAt: '2026-11-25T06:10:00+08:00' };
    expect(Array.isArray(w.decide('collection.record', later, AS.farm))).toBe(true);
  });

  it('raw-milk.cooling.tank-max (生鲜乳收购贮运规定): given the tank at 6.0 °C, then refused at /tankTemperatureC', () => {
    const w = givenAnimals();
    expect(w.refusal('collection.record', { ...BODY.collection1, tankTemperatureC: 6 }, AS.farm)).toMatchObject({ status: 'rule', rule: 'raw-milk.cooling.tank-max', path: '/tankTemperatureC' });
  });

  it('raw-milk.cooling.cooled-max: given 4.5 °C recorded 2 h after milking ended, then refused at /tankTemperatureC', () => {
    const w = givenAnimals();
    expect(w.refusal('collection.record', { ...BODY.collection1, tankTemperatureC: 4.5, occurredAt: '2026-11-23T08:00:00+08:00' }, AS.farm)).toMatchObject({
      rule: 'raw-milk.cooling.cooled-max',
      path: '/tankTemperatureC',
    });
  });

  it('animal.not-found: given an excluded ear tag nobody registered, then not_found at /animalsExcluded/1/earTag', () => {
    const w = givenAnimals();
    const body = { ...BODY.collection1, animalsExcluded: [{ earTag: COW_1, reason: 'withdrawal' }, { earTag: '152502200099999', reason: 'colostrum' }] };
    expect(w.refusal('collection.record', body, AS.farm)).toMatchObject({ status: 'not_found', rule: 'animal.not-found', path: '/animalsExcluded/1/earTag' });
  });

  it("custody.not-owner: given an excluded animal of another farm, then a conflict at /animalsExcluded/0/earTag", () => {
    const w = givenAnimals();
    const body = { ...BODY.collection2, animalsExcluded: [{ earTag: COW_2, reason: 'sick' }] };
    expect(w.refusal('collection.record', body, AS.farm2)).toMatchObject({ status: 'conflict', rule: 'custody.not-owner', path: '/animalsExcluded/0/earTag' });
  });

  it('collection.exists: given the collection id is used, then a conflict at /collectionId', () => {
    const w = givenCollections();
    expect(w.refusal('collection.record', BODY.collection1, AS.farm)).toMatchObject({ status: 'conflict', rule: 'collection.exists', path: '/collectionId' });
  });

  it('command.time.order: given a collection recorded before milking ended, then refused at /occurredAt', () => {
    const w = givenAnimals();
    expect(w.refusal('collection.record', { ...BODY.collection1, occurredAt: '2026-11-23T05:59:00+08:00' }, AS.farm)).toMatchObject({ rule: 'command.time.order', path: '/occurredAt' });
  });

  it('command.time.future: given a milking window that ends in the future, then refused at /milkingWindow/end', () => {
    const w = givenAnimals();
    w.now = new Date('2026-11-23T05:00:00+08:00');
    const { occurredAt: _, ...body } = BODY.collection1;
    expect(w.refusal('collection.record', body, AS.farm)).toMatchObject({ rule: 'command.time.future', path: '/milkingWindow/end' });
  });
});

describe('load.record (farm /loads)', () => {
  it('given two collections handed over whole, when the collector loads them, then milk.transported with their sum, held by the collector', () => {
    const w = givenCollections();
    const { occurredAt: _, loadId: _id, collections: _c, ...rest } = BODY.load;
    expect(w.decide('load.record', BODY.load, AS.collector)).toEqual([
      {
        kind: 'milk.transported',
        kindVersion: 1,
        subject: LOAD,
        occurredAt: '2026-11-23T07:05:00+08:00',
        data: { ...rest, volumeL: 3720 },
        inputSubjects: [COLLECTION_1, COLLECTION_2],
      },
    ]);
  });

  it('given one collection taken in part and listed first, then it goes last in inputSubjects, so that emptying them in order reproduces the command', () => {
    const w = givenCollections();
    const body = { ...BODY.load, collections: [{ subject: COLLECTION_1, volumeL: 1000 }, BODY.load.collections[1]] };
    const drafts = w.decide('load.record', body, AS.collector);
    expect(Array.isArray(drafts) && drafts[0]).toMatchObject({ inputSubjects: [COLLECTION_2, COLLECTION_1], data: { volumeL: 2859.5 } });
    w.run('load.record', body, AS.collector);
    expect(w.get(COLLECTION_1).holdings).toEqual({ [ORG.farm]: 860.5 });
    expect(w.get(COLLECTION_2)).toMatchObject({ holdings: { [ORG.farm2]: 0 }, status: 'closed' });
    expect(w.get(LOAD).data.collections).toEqual([
      { subject: COLLECTION_2, volumeL: 1859.5 },
      { subject: COLLECTION_1, volumeL: 1000 },
    ]);
  });

  it('load.partial-collections: given two collections both taken in part, then refused at the second one', () => {
    const w = givenCollections();
    const body = { ...BODY.load, collections: [{ subject: COLLECTION_1, volumeL: 1000 }, { subject: COLLECTION_2, volumeL: 1000, handoverSlipNo: SLIP_2 }] };
    expect(w.refusal('load.record', body, AS.collector)).toMatchObject({ status: 'rule', rule: 'load.partial-collections', path: '/collections/1/volumeL' });
  });

  it('custody.quantity: given the farm holds 1860.5 L, when 1861 L is loaded, then a conflict at /collections/0/volumeL', () => {
    const w = givenCollections();
    const body = { ...BODY.load, collections: [{ subject: COLLECTION_1, volumeL: 1861 }] };
    expect(w.refusal('load.record', body, AS.collector)).toMatchObject({ status: 'conflict', rule: 'custody.quantity', path: '/collections/0/volumeL', details: { org: ORG.farm, held: 1860.5 } });
  });

  it('collection.not-found: given an unknown collection, then not_found at /collections/0/subject', () => {
    const w = givenCollections();
    const body = { ...BODY.load, collections: [{ subject: `urn:milkchain:collection:${ORG.farm}:NOPE`, volumeL: 10 }] };
    expect(w.refusal('load.record', body, AS.collector)).toMatchObject({ status: 'not_found', rule: 'collection.not-found', path: '/collections/0/subject' });
  });

  it('collection.closed: given a collection already loaded whole, when it is loaded again, then a conflict at /collections/0/subject', () => {
    const w = givenLoad();
    const body = { ...BODY.load, loadId: 'SH-20261123-02', collections: [{ subject: COLLECTION_1, volumeL: 1 }] };
    expect(w.refusal('load.record', body, AS.collector)).toMatchObject({ status: 'conflict', rule: 'collection.closed', path: '/collections/0/subject' });
  });

  it('load.handover-slip: given the slip of another handover, then a conflict at /handoverSlipNo (or the line that names it)', () => {
    const w = givenCollections();
    expect(w.refusal('load.record', { ...BODY.load, handoverSlipNo: 'JJD-150102-20261123-999' }, AS.collector)).toMatchObject({
      status: 'conflict',
      rule: 'load.handover-slip',
      path: '/handoverSlipNo',
    });
    const body = { ...BODY.load, collections: [BODY.load.collections[0], { subject: COLLECTION_2, volumeL: 1859.5, handoverSlipNo: SLIP_1 }] };
    expect(w.refusal('load.record', body, AS.collector)).toMatchObject({ rule: 'load.handover-slip', path: '/collections/1/handoverSlipNo' });
  });

  it('raw-milk.cooling.tank-max: given the milk loaded at 6.0 °C, then refused at /loadingTemperatureC', () => {
    const w = givenCollections();
    expect(w.refusal('load.record', { ...BODY.load, loadingTemperatureC: 6 }, AS.collector)).toMatchObject({ status: 'rule', rule: 'raw-milk.cooling.tank-max', path: '/loadingTemperatureC' });
  });

  it('raw-milk.farm-tank.max-hours: given milking started 48 h 1 min before loading, then refused at that collection', () => {
    const w = givenCollections();
    w.now = new Date('2026-11-26T12:00:00+08:00');
    const body = { ...BODY.load, loadedAt: '2026-11-25T04:31:00+08:00', occurredAt: '2026-11-25T05:00:00+08:00' };
    expect(w.refusal('load.record', body, AS.collector)).toMatchObject({ rule: 'raw-milk.farm-tank.max-hours', path: '/collections/0/subject' });
  });

  it('load.mixed-species: given cow and goat milk in one tanker, then refused at /collections', () => {
    const w = givenCollections();
    w.run('collection.record', { ...BODY.collection2, collectionId: 'SL-GOAT-1', species: 'goat', handoverSlipNo: SLIP_1 }, AS.farm2);
    const body = { ...BODY.load, collections: [BODY.load.collections[0], { subject: `urn:milkchain:collection:${ORG.farm2}:SL-GOAT-1`, volumeL: 1859.5 }] };
    expect(w.refusal('load.record', body, AS.collector)).toMatchObject({ status: 'rule', rule: 'load.mixed-species', path: '/collections' });
  });

  it('load.exists: given the load id is used, then a conflict at /loadId', () => {
    const w = givenLoad();
    expect(w.refusal('load.record', BODY.load, AS.collector)).toMatchObject({ status: 'conflict', rule: 'load.exists', path: '/loadId' });
  });

  it('command.time.order: given the load recorded before it was loaded, then refused at /occurredAt', () => {
    const w = givenCollections();
    expect(w.refusal('load.record', { ...BODY.load, occurredAt: '2026-11-23T06:39:00+08:00' }, AS.collector)).toMatchObject({ rule: 'command.time.order', path: '/occurredAt' });
  });

  it('schema: given collections adding up to more than one tanker (60000 L), then the body is refused at /collections', () => {
    const body = { ...BODY.load, collections: [{ subject: COLLECTION_1, volumeL: 40000 }, { subject: COLLECTION_2, volumeL: 30000 }] };
    const parsed = command('load.record').schema.safeParse(body);
    expect(parsed.success ? [] : toProblems(parsed.error.issues)).toEqual([{ path: '/collections', message: 'collections must add up to at most 60000 L (one tanker), not 70000 L' }]);
  });
});
