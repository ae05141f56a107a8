/**
 * A small dairy world for the custody tests: organisations of the Hohhot demo region, a store of
 * custody objects that loads what a command's `needs` asks for (as the services' tables do), and
 * a write path that does what the services do with a decision: chain the drafts (prev, inputs),
 * check them against the kind schemas, name them by their hash and fold them with `evolve`.
 */
import { expect } from 'vitest';
import { canonicalBytes, eventIdFromBytes } from '@milkchain/ledger';
import {
  COMMANDS,
  RECALL_COMMANDS,
  evolve,
  isRefusal,
  objectsToFold,
  touches,
  validateEvent,
  type CommandDefinition,
  type CustodyObject,
  type EventDraft,
  type LedgerEvent,
  type Needs,
  type Refusal,
  type Role,
} from '../../src/index.ts';

export const ORG = {
  farm: 'org_xilin_pasture',
  farm2: 'org_horinger_pasture',
  collector: 'org_saihan_collect',
  dairy: 'org_hohhot_dairy',
  workshop: 'org_uxin_dairy_workshop',
  lab: 'org_nmg_dairy_lab',
  carrier: 'org_caoyuan_coldchain',
  shop: 'org_qingcheng_mart',
  samr: 'org_hohhot_samr',
} as const;

export interface Actor {
  org: string;
  roles: readonly Role[];
}

export const AS = {
  farm: { org: ORG.farm, roles: ['farm'] },
  farm2: { org: ORG.farm2, roles: ['farm'] },
  collector: { org: ORG.collector, roles: ['collector'] },
  dairy: { org: ORG.dairy, roles: ['processor'] },
  workshop: { org: ORG.workshop, roles: ['workshop'] },
  lab: { org: ORG.lab, roles: ['lab'] },
  carrier: { org: ORG.carrier, roles: ['logistics'] },
  shop: { org: ORG.shop, roles: ['retailer'] },
  samr: { org: ORG.samr, roles: ['regulator'] },
} as const satisfies Record<string, Actor>;

export const COW_1 = '152502200031457';
export const COW_2 = '152502200031458';
export const COLLECTION_1 = `urn:milkchain:collection:${ORG.farm}:XL-T2-20261123-AM`;
export const COLLECTION_2 = `urn:milkchain:collection:${ORG.farm2}:SL-T1-20261123-AM`;
export const LOAD = `urn:milkchain:load:${ORG.collector}:SH-20261123-01`;
export const BATCH = `urn:milkchain:batch:${ORG.dairy}:HD-P1-20261123-02`;
export const GTIN = '06901234000016';
export const LOT_NO = '261123P1B';
export const LOT = `urn:milkchain:lot:${GTIN}:${LOT_NO}`;
export const SSCC = '006901234000000018';
export const SHIPMENT = `urn:milkchain:shipment:${SSCC}`;
export const SLIP_1 = 'JJD-150102-20261123-017';
export const SLIP_2 = 'JJD-150123-20261123-004';

export const NOW = new Date('2026-11-26T12:00:00+08:00');

export function command(name: string): CommandDefinition {
  const def = [...COMMANDS, ...RECALL_COMMANDS].find((c) => c.name === name);
  if (!def) throw new Error(`no command ${name}`);
  return def;
}

function idOf(event: LedgerEvent): string {
  return eventIdFromBytes(canonicalBytes(event));
}

/**
 * What the services' tables return for `needs` (packages/custody store.ts): the named subjects,
 * the org's animals, the transitive descendants, the lineage with its samples, objects by head.
 */
export function loadFrom(all: ReadonlyMap<string, CustodyObject>, needs: Needs): Map<string, CustodyObject> {
  const out = new Map<string, CustodyObject>();
  const add = (o: CustodyObject | undefined) => o && out.set(o.subject, structuredClone(o));
  for (const s of needs.subjects) add(all.get(s));
  if (needs.animalsOf) for (const o of all.values()) if (o.type === 'animal' && o.org === needs.animalsOf.org) add(o);
  if (needs.descendantsOf) {
    const found = new Set<string>([needs.descendantsOf]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const o of all.values()) {
        if (!found.has(o.subject) && o.from.some((f) => found.has(f))) {
          found.add(o.subject);
          add(o);
          grew = true;
        }
      }
    }
  }
  if (needs.lineageOf) {
    const ancestors = new Set<string>([needs.lineageOf]);
    const queue = [needs.lineageOf];
    for (let i = 0; i < queue.length; i++) {
      for (const f of all.get(queue[i]!)?.from ?? []) {
        if (ancestors.has(f)) continue;
        ancestors.add(f);
        queue.push(f);
      }
    }
    for (const s of ancestors) add(all.get(s));
    for (const o of all.values()) if (o.type === 'sample' && o.from.some((f) => ancestors.has(f))) add(o);
  }
  if (needs.heads) for (const o of all.values()) if (needs.heads.includes(o.head)) add(o);
  return out;
}

export class World {
  readonly objects = new Map<string, CustodyObject>();
  readonly heads = new Map<string, string>();
  readonly log: Array<{ id: string; event: LedgerEvent }> = [];
  now: Date = NOW;

  get(subject: string): CustodyObject {
    const o = this.objects.get(subject);
    if (!o) throw new Error(`no object ${subject}`);
    return o;
  }

  /** Parses the body and runs the decider against what its needs load: the service's decision. */
  decide(name: string, body: unknown, as: Actor): EventDraft[] | Refusal {
    const def = command(name);
    const parsed = def.schema.safeParse(body);
    if (!parsed.success) throw new Error(`${name}: the body does not parse: ${JSON.stringify(parsed.error.issues)}`);
    const objects = loadFrom(this.objects, def.needs(parsed.data, { org: as.org }));
    return def.decide(parsed.data, { now: this.now, org: as.org, roles: as.roles, objects });
  }

  refusal(name: string, body: unknown, as: Actor): Refusal {
    const r = this.decide(name, body, as);
    if (!isRefusal(r)) throw new Error(`${name}: expected a refusal, got ${JSON.stringify(r)}`);
    return r;
  }

  /**
   * Runs a command as a service would: decide, then chain each draft (prev = the subject's head,
   * inputs = the heads of its input subjects), check it as the ledger will (validateEvent), and
   * fold it the way the write path does (evolve over the objects the decision loaded).
   */
  run(name: string, body: unknown, as: Actor): Array<{ id: string; event: LedgerEvent }> {
    const def = command(name);
    const parsed = def.schema.safeParse(body);
    if (!parsed.success) throw new Error(`${name}: the body does not parse: ${JSON.stringify(parsed.error.issues)}`);
    const objects = loadFrom(this.objects, def.needs(parsed.data, { org: as.org }));
    const decision = def.decide(parsed.data, { now: this.now, org: as.org, roles: as.roles, objects });
    if (isRefusal(decision)) throw new Error(`${name}: refused: ${JSON.stringify(decision)}`);
    return decision.map((draft) => {
      const event = this.chain(draft, as.org);
      const id = this.commit(event, objects);
      return { id, event };
    });
  }

  chain(draft: EventDraft, org: string): LedgerEvent {
    const event: LedgerEvent = {
      v: 1,
      kind: draft.kind,
      kindVersion: draft.kindVersion,
      org,
      subject: draft.subject,
      prev: this.heads.get(draft.subject) ?? null,
      inputs: draft.inputSubjects.map((s) => {
        const h = this.heads.get(s);
        if (!h) throw new Error(`input ${s} has no head`);
        return h;
      }),
      occurredAt: draft.occurredAt,
      data: draft.data,
    };
    const valid = validateEvent(event);
    expect(valid.ok ? [] : valid.problems, `${draft.kind} on ${draft.subject} passes the kind schema`).toEqual([]);
    return event;
  }

  private commit(event: LedgerEvent, objects: Map<string, CustodyObject>): string {
    const id = idOf(event);
    for (const o of evolve(objects, event, id)) {
      objects.set(o.subject, o);
      this.objects.set(o.subject, structuredClone(o));
    }
    this.heads.set(event.subject, id);
    this.log.push({ id, event });
    return id;
  }

  /** Folds an event the way a service projecting the ledger stream does (objectsToFold, then evolve). */
  async fold(event: LedgerEvent): Promise<string> {
    const id = idOf(event);
    const objects = await objectsToFold(event, async (needs) => loadFrom(this.objects, needs));
    for (const o of evolve(objects, event, id)) this.objects.set(o.subject, o);
    this.heads.set(event.subject, id);
    this.log.push({ id, event });
    return id;
  }

  /** Refolds the whole log from nothing, as a projector does: the objects it gets, and every event's touched subjects. */
  async replay(): Promise<{ objects: Map<string, CustodyObject>; touched: Map<string, string[]> }> {
    const again = new World();
    const touched = new Map<string, string[]>();
    for (const { event } of this.log) {
      const objects = await objectsToFold(event, async (needs) => loadFrom(again.objects, needs));
      touched.set(idOf(event), touches(event, objects));
      await again.fold(event);
    }
    return { objects: again.objects, touched };
  }
}

// ---------------------------------------------------------------------------------------------
// The scenario, step by step: each `given` builds on the one before.

export const BODY = {
  cow1: { earTag: COW_1, species: 'cow', breed: '荷斯坦牛 Holstein', sex: 'female', birthDate: '2023-04-18', herd: 'XL-H02', origin: 'born_on_farm', occurredAt: '2026-03-02T09:30:00+08:00' },
  cow2: { earTag: COW_2, species: 'cow', breed: '西门塔尔牛 Simmental', sex: 'female', birthDate: '2022-09-01', herd: 'XL-H02', origin: 'purchased', occurredAt: '2026-03-02T09:31:00+08:00' },
  treatment: {
    earTag: COW_1,
    drug: { name: '氯唑西林钠乳房注入剂 Cloxacillin intramammary', activeSubstance: 'cloxacillin' },
    dose: { value: 1, unit: 'tube' },
    route: 'intramammary',
    diagnosis: 'clinical mastitis, left hind quarter',
    administeredAt: '2026-11-20T07:00:00+08:00',
    milkWithdrawalUntil: '2026-11-24T07:00:00+08:00',
    occurredAt: '2026-11-20T07:10:00+08:00',
  },
  collection1: {
    collectionId: 'XL-T2-20261123-AM',
    species: 'cow',
    volumeL: 1860.5,
    tankTemperatureC: 3.6,
    milkingWindow: { start: '2026-11-23T04:30:00+08:00', end: '2026-11-23T06:00:00+08:00' },
    animalsExcluded: [{ earTag: COW_1, reason: 'withdrawal' }],
    handoverSlipNo: SLIP_1,
    tankId: 'T2',
    occurredAt: '2026-11-23T06:10:00+08:00',
  },
  collection2: {
    collectionId: 'SL-T1-20261123-AM',
    species: 'cow',
    volumeL: 1859.5,
    tankTemperatureC: 3.9,
    milkingWindow: { start: '2026-11-23T04:00:00+08:00', end: '2026-11-23T05:30:00+08:00' },
    animalsExcluded: [],
    handoverSlipNo: SLIP_2,
    occurredAt: '2026-11-23T05:40:00+08:00',
  },
  load: {
    loadId: 'SH-20261123-01',
    collections: [
      { subject: COLLECTION_1, volumeL: 1860.5 },
      { subject: COLLECTION_2, volumeL: 1859.5, handoverSlipNo: SLIP_2 },
    ],
    vehicle: { plate: '蒙A·D3217', permitNo: '蒙准运150105-0031' },
    handoverSlipNo: SLIP_1,
    loadedAt: '2026-11-23T06:40:00+08:00',
    loadingTemperatureC: 3.8,
    destination: { org: ORG.dairy, gln: '6901234000016', name: '呼和浩特乳品一厂 Hohhot Dairy Plant 1' },
    readings: [{ at: '2026-11-23T06:45:00+08:00', temperatureC: 3.8 }],
    occurredAt: '2026-11-23T07:05:00+08:00',
  },
  reception: {
    load: LOAD,
    handoverSlipNo: SLIP_1,
    volumeL: 3712,
    temperatureC: 4.4,
    sealIntact: true,
    decision: 'accepted',
    silo: 'SILO-03',
    occurredAt: '2026-11-23T08:20:00+08:00',
  },
  intakeSample: {
    sampleId: 'S-20261123-0412',
    sampledFrom: LOAD,
    matrix: 'raw_milk',
    purpose: 'intake',
    quantity: { value: 250, unit: 'mL' },
    temperatureC: 4.1,
    sealNo: 'F-0058213',
    occurredAt: '2026-11-23T08:35:00+08:00',
  },
  batch: {
    batchId: 'HD-P1-20261123-02',
    productType: 'pasteurised_milk',
    productName: '鲜牛奶 Fresh pasteurised milk',
    inputs: [{ subject: LOAD, quantity: { value: 3700, unit: 'L' } }],
    output: { value: 3650, unit: 'L' },
    process: [
      { operation: 'homogenisation', temperatureC: 65 },
      { operation: 'pasteurisation', temperatureC: 75, holdSeconds: 15 },
    ],
    line: 'P1',
    occurredAt: '2026-11-23T13:30:00+08:00',
  },
  lot: {
    batch: BATCH,
    gtin: GTIN,
    lot: LOT_NO,
    units: 14200,
    unitSize: { value: 250, unit: 'mL' },
    productionDate: '2026-11-23',
    bestBefore: '2026-11-30',
    storage: '2–6 °C 冷藏',
    occurredAt: '2026-11-23T15:10:00+08:00',
  },
  shipment: {
    sscc: SSCC,
    lots: [{ gtin: GTIN, lot: LOT_NO, quantity: 4800 }],
    from: { gln: '6901234000016', name: '一厂成品冷库 Plant 1 cold store' },
    to: { org: ORG.shop, gln: '6901234000023', name: '青城超市新城店 Qingcheng Mart, Xincheng' },
    carrier: ORG.carrier,
    temperatureRange: { minC: 2, maxC: 6 },
    vehiclePlate: '蒙A·L5521',
    occurredAt: '2026-11-24T05:40:00+08:00',
  },
  receipt: {
    sscc: SSCC,
    lots: [{ gtin: GTIN, lot: LOT_NO, quantity: 4800 }],
    at: { gln: '6901234000023' },
    condition: 'intact',
    temperatureC: 4.2,
    occurredAt: '2026-11-24T08:15:00+08:00',
  },
  sale: { gtin: GTIN, lot: LOT_NO, units: 312, day: '2026-11-24', store: { gln: '6901234000023' }, occurredAt: '2026-11-24T22:00:00+08:00' },
} as const;

export function givenAnimals(w = new World()): World {
  w.run('animal.register', BODY.cow1, AS.farm);
  w.run('animal.register', BODY.cow2, AS.farm);
  w.run('animal.treat', BODY.treatment, AS.farm);
  return w;
}

export function givenCollections(w = givenAnimals()): World {
  w.run('collection.record', BODY.collection1, AS.farm);
  w.run('collection.record', BODY.collection2, AS.farm2);
  return w;
}

export function givenLoad(w = givenCollections()): World {
  w.run('load.record', BODY.load, AS.collector);
  return w;
}

export function givenReception(w = givenLoad()): World {
  w.run('reception.record', BODY.reception, AS.dairy);
  return w;
}

export function givenBatch(w = givenReception()): World {
  w.run('batch.produce', BODY.batch, AS.dairy);
  return w;
}

export function givenLot(w = givenBatch()): World {
  w.run('lot.pack', BODY.lot, AS.dairy);
  return w;
}

export function givenShipment(w = givenLot()): World {
  w.run('shipment.dispatch', BODY.shipment, AS.dairy);
  return w;
}

export function givenReceipt(w = givenShipment()): World {
  w.run('shipment.receive', BODY.receipt, AS.shop);
  return w;
}

/** A result body for the intake sample. */
export function result(analyte: string, value: number, unit: string, extra: Record<string, unknown> = {}) {
  return { sampleId: BODY.intakeSample.sampleId, sampledFrom: LOAD, analyte, value, unit, method: 'GB 5009 rapid test', occurredAt: '2026-11-23T10:42:00+08:00', ...extra };
}
