/**
 * The custody projection: how each admitted ledger event changes the objects it touches. Every
 * custody service folds the whole ledger stream with `evolve`, so what a decider reads is the same
 * in every service, and the write path folds its own events the same way before they are sent.
 *
 * Contract: pure and total. A well-formed event of a known kind never makes it throw; an object
 * the event refers to but the caller did not load is left alone (load what `foldNeeds` and then
 * `touches(event, loaded)` name, or use `objectsToFold`, to get the full effect). Objects passed in
 * are never mutated: changed objects are returned as new values.
 */
import type { LedgerEvent } from '../envelope.ts';
import type { Data as AnimalRegistered } from '../kinds/animal.registered/v1.ts';
import type { Data as AnimalTreated } from '../kinds/animal.treated/v1.ts';
import type { Data as BatchProduced } from '../kinds/batch.produced/v1.ts';
import type { Data as LabResultRecorded } from '../kinds/lab.result.recorded/v1.ts';
import type { Data as LotHeld } from '../kinds/lot.held/v1.ts';
import type { Data as LotPacked } from '../kinds/lot.packed/v1.ts';
import type { Data as LotSold } from '../kinds/lot.sold/v1.ts';
import type { Data as MilkCollected } from '../kinds/milk.collected/v1.ts';
import type { Data as MilkReceived } from '../kinds/milk.received/v1.ts';
import type { Data as MilkTransported } from '../kinds/milk.transported/v1.ts';
import type { Data as RecallAcknowledged } from '../kinds/recall.acknowledged/v1.ts';
import type { Data as RecallClosed } from '../kinds/recall.closed/v1.ts';
import type { Data as RecallInitiated } from '../kinds/recall.initiated/v1.ts';
import type { Data as SampleTaken } from '../kinds/sample.taken/v1.ts';
import type { Data as ShipmentDispatched } from '../kinds/shipment.dispatched/v1.ts';
import type { Data as ShipmentReceived } from '../kinds/shipment.received/v1.ts';
import type { Data as ShipmentTemperatureReported } from '../kinds/shipment.temperature.reported/v1.ts';
import { convert, heldBy, objectUnitOf, round, totalHeld } from './quantities.ts';
import { subjectFor } from './subjects.ts';
import type { CustodyObject, Needs, ObjectType } from './types.ts';

type Objects = ReadonlyMap<string, CustodyObject>;

/** Quantities below this are nothing left (floating-point dust of partial takes). */
const NOTHING = 1e-6;

export interface LotInTransit {
  from: string;
  to: string;
  quantity: number;
}

export interface SampleResult {
  analyte: string;
  verdict: 'conformant' | 'non_conformant';
  ruleId: string;
}

/** The lot subject of a (gtin, lot) pair, or undefined for a lot number no subject can carry. */
export function lotSubject(gtin: string, lot: string): string | undefined {
  try {
    return subjectFor('lot', gtin, lot);
  } catch {
    return undefined;
  }
}

function localPart(subject: string): string {
  return subject.split(':').slice(4).join(':');
}

function copy(o: CustodyObject): CustodyObject {
  return structuredClone(o);
}

function created(event: LedgerEvent, id: string, type: ObjectType, fields: Partial<CustodyObject>): CustodyObject {
  return {
    subject: event.subject,
    type,
    org: event.org,
    head: id,
    occurredAt: event.occurredAt,
    from: [],
    status: 'active',
    holdings: {},
    unit: null,
    species: [],
    data: {},
    ...fields,
  };
}

/** The event's subject, as it now stands: head and occurredAt move to this event. */
function advanced(objects: Objects, event: LedgerEvent, id: string): CustodyObject | undefined {
  const o = objects.get(event.subject);
  if (!o) return undefined;
  return { ...copy(o), head: id, occurredAt: event.occurredAt };
}

function union(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())].sort();
}

/** The loaded objects of `type` whose head is one of `ids`, in the order of `ids`. */
function byHeads(objects: Objects, ids: readonly string[], type: ObjectType): CustodyObject[] {
  const index = new Map<string, CustodyObject>();
  for (const o of objects.values()) if (o.type === type) index.set(o.head, o);
  return ids.flatMap((id) => {
    const o = index.get(id);
    return o ? [o] : [];
  });
}

/** Takes `amount` from `org`'s holdings; an object nobody holds any more is closed (unless held or rejected). */
function take(o: CustodyObject, org: string, amount: number): void {
  const left = round(heldBy(o.holdings, org) - amount);
  o.holdings[org] = left > NOTHING ? left : 0;
  if (o.status === 'active' && totalHeld(o.holdings) <= NOTHING) o.status = 'closed';
}

function give(o: CustodyObject, org: string, amount: number): void {
  o.holdings[org] = round(heldBy(o.holdings, org) + amount);
  if (o.status === 'closed' && amount > 0) o.status = 'active';
}

type Fold = (objects: Objects, event: LedgerEvent, id: string) => CustodyObject[];

const FOLDS: Readonly<Record<string, Fold>> = {
  'animal.registered': (objects, event, id) => {
    const d = event.data as AnimalRegistered;
    const before = objects.get(event.subject);
    return [
      created(event, id, 'animal', {
        species: [d.species],
        data: {
          earTag: d.earTag,
          species: d.species,
          breed: d.breed,
          herd: d.herd,
          withdrawals: before?.data.withdrawals ?? [],
          ...(before?.data.milkWithdrawalUntil === undefined ? {} : { milkWithdrawalUntil: before.data.milkWithdrawalUntil }),
        },
      }),
    ];
  },

  'animal.treated': (objects, event, id) => {
    const d = event.data as AnimalTreated;
    const animal = advanced(objects, event, id);
    if (!animal) return [];
    const withdrawals = [...((animal.data.withdrawals as unknown[] | undefined) ?? []), { administeredAt: d.administeredAt, milkWithdrawalUntil: d.milkWithdrawalUntil }];
    const latest = animal.data.milkWithdrawalUntil;
    animal.data.withdrawals = withdrawals;
    if (typeof latest !== 'string' || !(Date.parse(latest) >= Date.parse(d.milkWithdrawalUntil))) animal.data.milkWithdrawalUntil = d.milkWithdrawalUntil;
    return [animal];
  },

  'milk.collected': (_objects, event, id) => {
    const d = event.data as MilkCollected;
    return [
      created(event, id, 'collection', {
        holdings: { [event.org]: d.volumeL },
        unit: 'L',
        species: [d.species],
        data: {
          collectionId: localPart(event.subject),
          species: d.species,
          volumeL: d.volumeL,
          milkingWindow: d.milkingWindow,
          handoverSlipNo: d.handoverSlipNo,
          tankTemperatureC: d.tankTemperatureC,
        },
      }),
    ];
  },

  // The event names its collections by their heads (inputs) and records only the total: each is
  // emptied in input order, the last one taking what is left. The decider orders the inputs so
  // that this reproduces the quantities of the command (at most one collection is taken in part,
  // and it comes last).
  'milk.transported': (objects, event, id) => {
    const d = event.data as MilkTransported;
    const changed: CustodyObject[] = [];
    const taken: Array<{ subject: string; volumeL: number }> = [];
    let remaining = d.volumeL;
    for (const c of byHeads(objects, event.inputs, 'collection')) {
      const o = copy(c);
      const holder = Object.keys(o.holdings).find((org) => heldBy(o.holdings, org) > NOTHING);
      const amount = holder === undefined ? 0 : round(Math.min(remaining, heldBy(o.holdings, holder)));
      if (holder !== undefined) take(o, holder, amount);
      remaining = round(remaining - amount);
      taken.push({ subject: o.subject, volumeL: amount });
      changed.push(o);
    }
    const load = created(event, id, 'load', {
      holdings: { [event.org]: d.volumeL },
      unit: 'L',
      from: changed.map((c) => c.subject),
      species: union(...changed.map((c) => c.species)),
      data: {
        loadId: localPart(event.subject),
        handoverSlipNo: d.handoverSlipNo,
        volumeL: d.volumeL,
        loadedAt: d.loadedAt,
        loadingTemperatureC: d.loadingTemperatureC,
        destination: d.destination.org,
        collections: taken,
      },
    });
    return [load, ...changed];
  },

  'milk.received': (objects, event, id) => {
    const d = event.data as MilkReceived;
    const load = advanced(objects, event, id);
    if (!load) return [];
    load.data.received = { org: event.org, volumeL: d.volumeL, temperatureC: d.temperatureC, sealIntact: d.sealIntact, decision: d.decision, at: event.occurredAt };
    if (d.decision === 'accepted') {
      // Custody passes to the processor with what arrived, which is what it can use.
      load.holdings = { [event.org]: d.volumeL };
      if (load.status === 'closed') load.status = 'active';
    } else {
      // The milk stays with the collector for disposal; nobody may use it.
      load.status = 'rejected';
    }
    return [load];
  },

  'batch.produced': (objects, event, id) => {
    const d = event.data as BatchProduced;
    const changed: CustodyObject[] = [];
    for (const input of d.inputs) {
      const found = objects.get(input.subject);
      if (!found) continue;
      const o = copy(found);
      const amount = convert(input.quantity.value, input.quantity.unit, o.unit);
      if (amount !== undefined) take(o, event.org, amount);
      changed.push(o);
    }
    const unit = objectUnitOf(d.output.unit);
    const output = convert(d.output.value, d.output.unit, unit) ?? d.output.value;
    const batch = created(event, id, 'batch', {
      holdings: { [event.org]: output },
      unit,
      from: d.inputs.map((i) => i.subject),
      species: union(...changed.map((c) => c.species)),
      data: { batchId: d.batchId, productType: d.productType, productName: d.productName, output: d.output },
    });
    return [batch, ...changed];
  },

  'lot.packed': (objects, event, id) => {
    const d = event.data as LotPacked;
    const found = byHeads(objects, event.inputs, 'batch')[0];
    const batch = found ? copy(found) : undefined;
    if (batch) {
      const amount = convert(d.units * d.unitSize.value, d.unitSize.unit, batch.unit);
      if (amount !== undefined) take(batch, event.org, amount);
    }
    const before = objects.get(event.subject);
    const lot = created(event, id, 'lot', {
      holdings: { ...before?.holdings, [event.org]: round(heldBy(before?.holdings ?? {}, event.org) + d.units) },
      unit: 'unit',
      from: union(before?.from ?? [], batch ? [batch.subject] : []),
      species: union(before?.species ?? [], batch?.species ?? []),
      status: before?.status === 'held' ? 'held' : 'active',
      data: {
        ...before?.data,
        gtin: d.gtin,
        lot: d.lot,
        units: d.units + (typeof before?.data.units === 'number' ? before.data.units : 0),
        unitSize: d.unitSize,
        productType: batch?.data.productType ?? before?.data.productType,
        productionDate: d.productionDate,
        bestBefore: d.bestBefore,
        ...(d.storage === undefined ? {} : { storage: d.storage }),
        sold: before?.data.sold ?? 0,
        inTransit: before?.data.inTransit ?? {},
      },
    });
    return batch ? [lot, batch] : [lot];
  },

  'lot.held': (objects, event, id) => {
    const d = event.data as LotHeld;
    const lot = advanced(objects, event, id);
    if (!lot) return [];
    if (lot.status !== 'rejected') lot.status = 'held';
    lot.data.hold = { reason: d.reason, org: event.org, at: event.occurredAt };
    return [lot];
  },

  'lot.released': (objects, event, id) => {
    const lot = advanced(objects, event, id);
    if (!lot) return [];
    if (lot.status === 'held') lot.status = totalHeld(lot.holdings) > NOTHING || Object.keys(inTransit(lot)).length > 0 ? 'active' : 'closed';
    delete lot.data.hold;
    return [lot];
  },

  'lot.sold': (objects, event, id) => {
    const d = event.data as LotSold;
    const lot = advanced(objects, event, id);
    if (!lot) return [];
    take(lot, event.org, d.units);
    if (lot.status === 'closed' && Object.keys(inTransit(lot)).length > 0) lot.status = 'active';
    lot.data.sold = round((typeof lot.data.sold === 'number' ? lot.data.sold : 0) + d.units);
    return [lot];
  },

  'sample.taken': (objects, event, id) => {
    const d = event.data as SampleTaken;
    const sampled = objects.get(d.sampledFrom);
    const productType = sampled?.data.productType;
    return [
      created(event, id, 'sample', {
        from: [d.sampledFrom],
        species: sampled?.species ?? [],
        data: {
          sampleId: d.sampleId,
          sampledFrom: d.sampledFrom,
          matrix: d.matrix,
          purpose: d.purpose,
          ...(typeof productType === 'string' ? { productType } : {}),
          takenAt: event.occurredAt,
          results: [],
        },
      }),
    ];
  },

  // A non-conformant result holds the sampled object: nothing may be made from it, shipped or
  // sold (the decider also records lot.held for every lot made from it).
  'lab.result.recorded': (objects, event, id) => {
    const d = event.data as LabResultRecorded;
    const sample = advanced(objects, event, id);
    if (!sample) return [];
    const result: SampleResult = { analyte: d.analyte, verdict: d.verdict, ruleId: d.rule.id };
    sample.data.results = [...resultsOf(sample), result];
    // A sample is analysed by one laboratory: the first to record a result on it.
    if (typeof sample.data.analysedBy !== 'string') sample.data.analysedBy = event.org;
    const sampledSubject = sample.from[0];
    const found = sampledSubject === undefined ? undefined : objects.get(sampledSubject);
    if (d.verdict !== 'non_conformant' || !found || found.status === 'held' || found.status === 'rejected') return [sample];
    const sampled = copy(found);
    sampled.status = 'held';
    if (sampled.type === 'lot') sampled.data.hold = { reason: 'non_conformant_result', org: event.org, at: event.occurredAt };
    return [sample, sampled];
  },

  'shipment.dispatched': (objects, event, id) => {
    const d = event.data as ShipmentDispatched;
    const lots: Array<{ subject: string; quantity: number }> = [];
    const changed: CustodyObject[] = [];
    for (const line of d.lots) {
      const subject = lotSubject(line.gtin, line.lot);
      if (subject === undefined) continue;
      lots.push({ subject, quantity: line.quantity });
      const found = objects.get(subject);
      if (!found) continue;
      const lot = copy(found);
      take(lot, event.org, line.quantity);
      lot.data.inTransit = { ...inTransit(lot), [event.subject]: { from: event.org, to: d.to.org, quantity: line.quantity } satisfies LotInTransit };
      if (lot.status === 'closed') lot.status = 'active';
      changed.push(lot);
    }
    const shipment = created(event, id, 'shipment', {
      holdings: { [event.org]: lots.reduce((n, l) => n + l.quantity, 0) },
      unit: 'unit',
      species: union(...changed.map((l) => l.species)),
      data: {
        sscc: d.sscc,
        dispatchedAt: event.occurredAt,
        from: event.org,
        to: d.to.org,
        ...(d.carrier === undefined ? {} : { carrier: d.carrier }),
        lots,
        ...(d.temperatureRange === undefined ? {} : { temperatureRange: d.temperatureRange }),
        excursions: [],
      },
    });
    return [shipment, ...changed];
  },

  'shipment.temperature.reported': (objects, event, id) => {
    const d = event.data as ShipmentTemperatureReported;
    const shipment = advanced(objects, event, id);
    if (!shipment) return [];
    const before = Array.isArray(shipment.data.excursions) ? (shipment.data.excursions as unknown[]) : [];
    shipment.data.excursions = [...before, ...d.excursions];
    return [shipment];
  },

  // What arrived passes to the receiver; what did not arrive is recorded on the shipment and
  // leaves custody (lost or damaged on the way).
  'shipment.received': (objects, event, id) => {
    const d = event.data as ShipmentReceived;
    const shipment = advanced(objects, event, id);
    const arrived: Array<{ subject: string; quantity: number }> = [];
    const changed = new Map<string, CustodyObject>();
    for (const line of d.lots) {
      const subject = lotSubject(line.gtin, line.lot);
      if (subject === undefined) continue;
      arrived.push({ subject, quantity: line.quantity });
      const found = objects.get(subject);
      if (!found) continue;
      const lot = copy(found);
      give(lot, event.org, line.quantity);
      const moving = { ...inTransit(lot) };
      delete moving[event.subject];
      lot.data.inTransit = moving;
      changed.set(subject, lot);
    }
    for (const line of shipment ? shipmentLots(shipment) : []) {
      const found = changed.has(line.subject) ? undefined : objects.get(line.subject);
      if (!found) continue;
      const lot = copy(found);
      const moving = { ...inTransit(lot) };
      delete moving[event.subject];
      lot.data.inTransit = moving;
      if (lot.status === 'active' && totalHeld(lot.holdings) <= NOTHING && Object.keys(moving).length === 0) lot.status = 'closed';
      changed.set(line.subject, lot);
    }
    if (!shipment) return [...changed.values()];
    shipment.holdings = { [event.org]: arrived.reduce((n, l) => n + l.quantity, 0) };
    shipment.status = 'closed';
    shipment.data.received = { org: event.org, lots: arrived, condition: d.condition, at: event.occurredAt };
    return [shipment, ...changed.values()];
  },

  // The recall is the hold: the one signed event names the scope and takes every lot in it off
  // sale at once (no window in which the recall is recorded and a lot is not yet held, and no
  // second write to chains that shops and carriers are writing at the same time). Its inputs are
  // the lots' heads, so each lot's chain is linked to the recall that holds it.
  'recall.initiated': (objects, event, id) => {
    const d = event.data as RecallInitiated;
    const changed: CustodyObject[] = [];
    const scope: Array<{ subject: string; gtin: string; lot: string; holdings: Record<string, number> }> = [];
    const holders = new Set<string>();
    for (const line of d.lots) {
      const subject = lotSubject(line.gtin, line.lot);
      if (subject === undefined) continue;
      const found = objects.get(subject);
      const holdings: Record<string, number> = {};
      if (found) {
        for (const [org, n] of Object.entries(found.holdings)) {
          if (n <= NOTHING) continue;
          holdings[org] = n;
          holders.add(org);
        }
        for (const t of Object.values(inTransit(found))) holders.add(t.to);
        const lot = copy(found);
        if (lot.status !== 'rejected') lot.status = 'held';
        lot.data.hold = { reason: 'recall', org: event.org, at: event.occurredAt, recallId: d.recallId };
        lot.data.recall = { recallId: d.recallId, level: d.level, at: event.occurredAt };
        changed.push(lot);
      }
      scope.push({ subject, gtin: line.gtin, lot: line.lot, holdings });
    }
    // `from` stays empty: a recall is not made from its lots (lineage walks must not reach it).
    const recall = created(event, id, 'recall', {
      species: union(...changed.map((l) => l.species)),
      data: {
        recallId: d.recallId,
        level: d.level,
        cause: d.cause,
        action: d.action,
        root: d.root,
        initiatedAt: event.occurredAt,
        lots: scope,
        holders: [...holders].sort(),
        acknowledgements: {},
      },
    });
    return [recall, ...changed];
  },

  'recall.acknowledged': (objects, event, id) => {
    const d = event.data as RecallAcknowledged;
    const recall = advanced(objects, event, id);
    if (!recall) return [];
    const acks = (recall.data.acknowledgements ?? {}) as Record<string, unknown>;
    recall.data.acknowledgements = { ...acks, [event.org]: { at: event.occurredAt, lotsHeld: d.lotsHeld, ...(d.note === undefined ? {} : { note: d.note }) } };
    return [recall];
  },

  'recall.closed': (objects, event, id) => {
    const d = event.data as RecallClosed;
    const recall = advanced(objects, event, id);
    if (!recall) return [];
    recall.status = 'closed';
    recall.data.closed = { org: event.org, at: event.occurredAt, outcome: d.outcome, unitsRecovered: d.unitsRecovered, unitsDestroyed: d.unitsDestroyed };
    return [recall];
  },
};

export function inTransit(lot: CustodyObject): Record<string, LotInTransit> {
  const v = lot.data.inTransit;
  return typeof v === 'object' && v !== null ? (v as Record<string, LotInTransit>) : {};
}

export function resultsOf(sample: CustodyObject): SampleResult[] {
  return Array.isArray(sample.data.results) ? (sample.data.results as SampleResult[]) : [];
}

export function shipmentLots(shipment: CustodyObject): Array<{ subject: string; quantity: number }> {
  return Array.isArray(shipment.data.lots) ? (shipment.data.lots as Array<{ subject: string; quantity: number }>) : [];
}

/**
 * Folds one ledger event (already admitted; `id` is its event id) into the objects it touches;
 * returns the changed or new objects. Pure, total: never throws on a well-formed event of a known
 * kind, ignores kinds it does not project (keys).
 */
export function evolve(objects: Objects, event: LedgerEvent, id: string): CustodyObject[] {
  const fold = Object.hasOwn(FOLDS, event.kind) ? FOLDS[event.kind] : undefined;
  return fold ? fold(objects, event, id) : [];
}

function lotsNamed(event: LedgerEvent): string[] {
  const lots = (event.data as { lots?: unknown }).lots;
  if (!Array.isArray(lots)) return [];
  return lots.flatMap((l: { gtin?: unknown; lot?: unknown }) => {
    const s = typeof l.gtin === 'string' && typeof l.lot === 'string' ? lotSubject(l.gtin, l.lot) : undefined;
    return s === undefined ? [] : [s];
  });
}

/**
 * Subjects whose objects `evolve` reads or changes for this event: its subject plus the objects it
 * consumes or moves. Without `objects`, those the event itself names. Some links are named only
 * through other objects (a load's collections and a lot's batch by their heads, a lab result's
 * sampled object through its sample, the lots a receipt leaves out through the shipment): given
 * the objects loaded for the first answer (`foldNeeds`), those are added too, so that the full
 * set can be stored with the event and a refold finds every object it changed.
 */
export function touches(event: LedgerEvent, objects?: Objects): string[] {
  const out = [event.subject];
  const data = event.data as Record<string, unknown>;
  switch (event.kind) {
    case 'batch.produced':
      if (Array.isArray(data.inputs)) for (const i of data.inputs as Array<{ subject?: unknown }>) if (typeof i.subject === 'string') out.push(i.subject);
      break;
    case 'sample.taken':
      if (typeof data.sampledFrom === 'string') out.push(data.sampledFrom);
      break;
    case 'shipment.dispatched':
    case 'shipment.received':
    case 'recall.initiated':
      out.push(...lotsNamed(event));
      break;
  }
  if (objects) {
    switch (event.kind) {
      case 'milk.transported':
        out.push(...byHeads(objects, event.inputs, 'collection').map((o) => o.subject));
        break;
      case 'lot.packed':
        out.push(...byHeads(objects, event.inputs, 'batch').map((o) => o.subject));
        break;
      case 'lab.result.recorded': {
        const sampled = objects.get(event.subject)?.from[0];
        if (sampled !== undefined) out.push(sampled);
        break;
      }
      case 'shipment.received': {
        const shipment = objects.get(event.subject);
        if (shipment) out.push(...shipmentLots(shipment).map((l) => l.subject));
        break;
      }
    }
  }
  return [...new Set(out)];
}

/**
 * What to load before folding `event`: the subjects it names, the objects its inputs are the heads
 * of (a load's collections, a lot's batch), and for a lab result the sample's lineage, which
 * holds the sampled object (so that one load is enough for every kind but shipment.received,
 * whose unlisted lots `objectsToFold` adds in a second round).
 */
export function foldNeeds(event: LedgerEvent): Needs {
  const byHead = event.kind === 'milk.transported' || event.kind === 'lot.packed';
  return {
    subjects: touches(event),
    ...(byHead && event.inputs.length > 0 ? { heads: [...event.inputs] } : {}),
    ...(event.kind === 'lab.result.recorded' ? { lineageOf: event.subject } : {}),
  };
}

/**
 * Loads, with `load`, everything `evolve` needs for `event`: `foldNeeds(event)`, then whatever
 * `touches(event, loaded)` adds. Two rounds at most. The result is what to pass to `evolve`,
 * and `touches(event, result)` is the full set of subjects to record with the event.
 */
export async function objectsToFold(
  event: LedgerEvent,
  load: (needs: Needs) => Promise<ReadonlyMap<string, CustodyObject>>,
): Promise<Map<string, CustodyObject>> {
  const objects = new Map(await load(foldNeeds(event)));
  const more = touches(event, objects).filter((s) => !objects.has(s));
  if (more.length > 0) for (const [s, o] of await load({ subjects: more })) objects.set(s, o);
  return objects;
}
