/**
 * A subject's history as an EPCIS 2.0 document (README.md, "Export" has the table of every
 * choice). Pure: the caller passes the ledger entries (the subject's and its lineage's, in log
 * order) and the time; nothing is read or fetched.
 */
import type { LedgerEvent } from '@milkchain/domain';
import {
  classIdOf,
  DEFAULT_ID_BASE,
  lgtinUri,
  locationUri,
  MILKCHAIN_BIZSTEP,
  MILKCHAIN_NS,
  orgUrn,
  partyUri,
  uomOf,
} from './ids.ts';
import { EPCIS_CONTEXT_URL } from './schema.ts';

/** A sequenced ledger entry as the ledger serves it and the bus carries it; the signature is not exported. */
export interface LedgerEntry {
  seq: number;
  id: string;
  event: LedgerEvent;
  signature?: unknown;
}

export type EpcisEvent = Record<string, unknown> & { type: string };

export interface EpcisDocument {
  '@context': unknown[];
  type: 'EPCISDocument';
  schemaVersion: '2.0';
  creationDate: string;
  id?: string;
  epcisBody: { eventList: EpcisEvent[] };
  [extension: `${string}:${string}`]: unknown;
}

export interface ExportOptions {
  /** The document's creationDate (the package reads no clock). */
  now: Date;
  /** Base of the class ids milkchain mints (raw milk, loads, batches, samples); default https://id.milkchain.dev. */
  idBase?: string;
  /** The GLN of an organisation, when it has one: organisations appear as GS1 parties then, else as urn:milkchain:org:<id>. */
  glnOf?: (org: string) => string | undefined;
  /** The document's own id (a URI), e.g. the URL it is served at. */
  documentId?: string;
}

/** The @context of every document milkchain writes: GS1's, then the `milkchain:` namespace. */
export const EXPORT_CONTEXT: readonly unknown[] = Object.freeze([EPCIS_CONTEXT_URL, Object.freeze({ milkchain: MILKCHAIN_NS })]);

/**
 * The kinds an export carries (version 1 of each). Animal registrations and treatments stay out (they describe an
 * animal and its veterinary care, not product moving along the chain, and no EPCIS partner needs
 * them), as does the log's own org.key.registered.
 */
export const EXPORTED_KINDS: ReadonlySet<string> = new Set([
  'milk.collected',
  'milk.transported',
  'milk.received',
  'sample.taken',
  'lab.result.recorded',
  'batch.produced',
  'lot.packed',
  'lot.held',
  'lot.released',
  'shipment.dispatched',
  'shipment.received',
  'shipment.temperature.reported',
  'lot.sold',
  'recall.initiated',
  'recall.acknowledged',
  'recall.closed',
]);

/**
 * `ni:///sha-256;<id>?ver=CBV2.0`: the milkchain event id, which is the RFC 6962 leaf hash of the
 * event's canonical bytes, NOT the CBV 2.0 event hash of the EPCIS event (that would hash the
 * EPCIS rendering; ours names the signed ledger event, so a reader can fetch its receipt). An
 * event that becomes two EPCIS events (a dispatch: packing and shipping) marks the second `&part=`.
 */
export function epcisEventId(id: string, part?: string): string {
  return `ni:///sha-256;${id}?ver=CBV2.0${part === undefined ? '' : `&part=${part}`}`;
}

/** The milkchain event id inside an EPCIS eventID written by epcisEventId, else undefined. */
export function milkchainIdOf(eventID: string): string | undefined {
  return /^ni:\/\/\/sha-256;([0-9a-f]{64})\?ver=CBV2\.0(?:&part=[a-z]+)?$/.exec(eventID)?.[1];
}

function offsetOf(time: string): string {
  const m = /([+-]\d{2}:\d{2})$/.exec(time);
  return m ? m[1]! : '+00:00';
}

interface Ctx {
  base: string;
  glnOf: (org: string) => string | undefined;
  /** Subject of each event id seen in the entries (to name a lot's batch, which lot.packed names only by id). */
  subjectOfId: ReadonlyMap<string, string>;
  /** Lots of each recall, from its recall.initiated (recall.closed does not repeat them). */
  recallLots: ReadonlyMap<string, Array<{ gtin: string; lot: string }>>;
}

type D = Record<string, unknown>;

const party = (ctx: Ctx, org: string, gln?: string) => {
  const g = gln ?? ctx.glnOf(org);
  return g === undefined ? orgUrn(org) : partyUri(g);
};

const place = (gln: string | undefined) => (gln === undefined ? undefined : { id: locationUri(gln) });

function quantity(epcClass: string, value?: number, unit?: string): D {
  const uom = unit === undefined ? undefined : uomOf(unit);
  return { epcClass, ...(value === undefined ? {} : { quantity: value }), ...(uom === undefined ? {} : { uom }) };
}

function temperature(value: number, time?: string): D {
  return { type: 'Temperature', value, uom: 'CEL', ...(time === undefined ? {} : { time }) };
}

const handoverSlip = (no: string) => [{ type: 'desadv', bizTransaction: `urn:milkchain:handover-slip:${encodeURIComponent(no)}` }];

/** The fields every exported event carries: time, id, and the ledger links under `milkchain:`. */
function common(entry: LedgerEntry, type: string, part?: string): EpcisEvent {
  const e = entry.event;
  return {
    type,
    eventTime: e.occurredAt,
    eventTimeZoneOffset: offsetOf(e.occurredAt),
    eventID: epcisEventId(entry.id, part),
    'milkchain:eventId': entry.id,
    'milkchain:seq': entry.seq,
    'milkchain:kind': e.kind,
    'milkchain:kindVersion': e.kindVersion,
    'milkchain:org': orgUrn(e.org),
    'milkchain:subject': e.subject,
    'milkchain:prev': e.prev,
    'milkchain:inputs': e.inputs,
  };
}

/** Drops undefined members, so optional facts are absent rather than null. */
function defined(o: D): D {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function lotClasses(lots: ReadonlyArray<{ gtin: string; lot: string; quantity?: number; units?: number }>): D[] {
  return lots.map((l) => quantity(lgtinUri(l.gtin, l.lot), l.quantity ?? l.units));
}

function mapEntry(entry: LedgerEntry, ctx: Ctx): EpcisEvent[] {
  const e = entry.event;
  const d = e.data as D;
  const own = classIdOf(e.subject, ctx.base);
  const orgPlace = place(ctx.glnOf(e.org));
  switch (e.kind) {
    case 'milk.collected': {
      const w = d.milkingWindow as { start: string; end: string };
      return [
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'ADD',
          bizStep: 'commissioning',
          disposition: 'active',
          quantityList: [quantity(own!, d.volumeL as number, 'L')],
          bizLocation: orgPlace,
          bizTransactionList: handoverSlip(String(d.handoverSlipNo)),
          sensorElementList: [{ sensorReport: [temperature(d.tankTemperatureC as number, e.occurredAt)] }],
          ilmd: defined({
            'milkchain:species': d.species,
            'milkchain:milkingStart': w.start,
            'milkchain:milkingEnd': w.end,
            'milkchain:tankId': d.tankId,
            'milkchain:animalsExcluded': (d.animalsExcluded as unknown[]).length,
          }),
        }) as EpcisEvent,
      ];
    }
    case 'milk.transported': {
      const dest = d.destination as { org: string; gln?: string };
      const readings = d.readings as Array<{ at: string; temperatureC: number }>;
      return [
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'OBSERVE',
          bizStep: 'departing',
          disposition: 'in_transit',
          quantityList: [quantity(own!, d.volumeL as number, 'L')],
          readPoint: orgPlace,
          bizTransactionList: handoverSlip(String(d.handoverSlipNo)),
          sourceList: [{ type: 'possessing_party', source: party(ctx, e.org) }],
          destinationList: [
            { type: 'possessing_party', destination: party(ctx, dest.org) },
            ...(dest.gln === undefined ? [] : [{ type: 'location', destination: locationUri(dest.gln) }]),
          ],
          sensorElementList: [
            { sensorMetadata: { time: d.loadedAt }, sensorReport: [temperature(d.loadingTemperatureC as number)] },
            ...readings.map((r) => ({ sensorMetadata: { time: r.at }, sensorReport: [temperature(r.temperatureC)] })),
          ],
          'milkchain:loadedAt': d.loadedAt,
        }) as EpcisEvent,
      ];
    }
    case 'milk.received': {
      const accepted = d.decision === 'accepted';
      return [
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'OBSERVE',
          bizStep: 'receiving',
          disposition: accepted ? 'in_progress' : 'non_conformant',
          quantityList: [quantity(own!, d.volumeL as number, 'L')],
          readPoint: orgPlace,
          bizLocation: orgPlace,
          bizTransactionList: handoverSlip(String(d.handoverSlipNo)),
          sensorElementList: [{ sensorReport: [temperature(d.temperatureC as number, e.occurredAt)] }],
          'milkchain:decision': d.decision,
          'milkchain:sealIntact': d.sealIntact,
          'milkchain:remarks': d.remarks,
          'milkchain:silo': d.silo,
        }) as EpcisEvent,
      ];
    }
    case 'sample.taken': {
      const q = d.quantity as { value: number; unit: string };
      return [
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'ADD',
          bizStep: 'sampling',
          disposition: 'active',
          quantityList: [quantity(own!, q.value, q.unit)],
          bizLocation: orgPlace,
          sensorElementList: [{ sensorReport: [temperature(d.temperatureC as number, e.occurredAt)] }],
          ilmd: defined({
            'milkchain:sampledFrom': classIdOf(String(d.sampledFrom), ctx.base) ?? d.sampledFrom,
            'milkchain:matrix': d.matrix,
            'milkchain:purpose': d.purpose,
            'milkchain:sealNo': d.sealNo,
          }),
        }) as EpcisEvent,
      ];
    }
    case 'lab.result.recorded': {
      const limit = d.limit as { comparison: string; value: number; unit: string };
      return [
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'OBSERVE',
          bizStep: 'inspecting',
          disposition: d.verdict,
          quantityList: [quantity(own!)],
          readPoint: orgPlace,
          sensorElementList: [
            {
              sensorReport: [
                {
                  type: `${MILKCHAIN_NS}analyte/${encodeURIComponent(String(d.analyte))}`,
                  value: d.value,
                  'milkchain:unit': d.unit,
                  'milkchain:limit': limit,
                },
              ],
            },
          ],
          'milkchain:analyte': d.analyte,
          'milkchain:method': d.method,
          'milkchain:verdict': d.verdict,
          'milkchain:rule': d.rule,
          'milkchain:certificateNo': d.certificateNo,
        }) as EpcisEvent,
      ];
    }
    case 'batch.produced': {
      const inputs = d.inputs as Array<{ subject: string; quantity: { value: number; unit: string } }>;
      const output = d.output as { value: number; unit: string };
      return [
        defined({
          ...common(entry, 'TransformationEvent'),
          bizStep: 'creating_class_instance',
          disposition: 'in_progress',
          inputQuantityList: inputs.map((i) => quantity(classIdOf(i.subject, ctx.base) ?? i.subject, i.quantity.value, i.quantity.unit)),
          outputQuantityList: [quantity(own!, output.value, output.unit)],
          transformationID: own,
          readPoint: orgPlace,
          ilmd: defined({
            'milkchain:productType': d.productType,
            'milkchain:productName': d.productName,
            'milkchain:process': d.process,
            'milkchain:line': d.line,
          }),
        }) as EpcisEvent,
      ];
    }
    case 'lot.packed': {
      const size = d.unitSize as { value: number; unit: string };
      const lot = lgtinUri(String(d.gtin), String(d.lot));
      const batch = e.inputs.map((id) => ctx.subjectOfId.get(id)).find((s) => s !== undefined && s.startsWith('urn:milkchain:batch:'));
      const ilmd = defined({
        'cbvmda:lotNumber': d.lot,
        'cbvmda:bestBeforeDate': d.bestBefore,
        'milkchain:productionDate': d.productionDate,
        'milkchain:unitSize': size,
        'milkchain:storage': d.storage,
      });
      const units = d.units as number;
      const base = { bizStep: 'commissioning', disposition: 'active', readPoint: orgPlace, ilmd };
      if (batch === undefined) {
        // The batch is not in the history given: the lot's commissioning alone.
        return [defined({ ...common(entry, 'ObjectEvent'), action: 'ADD', ...base, quantityList: [quantity(lot, units)] }) as EpcisEvent];
      }
      const volume = units * size.value;
      const [inValue, inUnit] = size.unit === 'mL' ? [volume / 1000, 'L'] : size.unit === 'g' ? [volume / 1000, 'kg'] : [volume, size.unit];
      return [
        defined({
          ...common(entry, 'TransformationEvent'),
          ...base,
          inputQuantityList: [quantity(classIdOf(batch, ctx.base)!, round(inValue), inUnit)],
          outputQuantityList: [quantity(lot, units)],
        }) as EpcisEvent,
      ];
    }
    case 'lot.held':
    case 'lot.released': {
      const held = e.kind === 'lot.held';
      const recalled = held && d.reason === 'recall';
      const disposition = recalled ? 'recalled' : held ? 'non_sellable_other' : 'sellable_accessible';
      return [
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'OBSERVE',
          bizStep: held ? 'holding' : MILKCHAIN_BIZSTEP.releasing,
          disposition,
          persistentDisposition: held ? { set: [disposition] } : { unset: ['non_sellable_other'] },
          quantityList: [quantity(lgtinUri(String(d.gtin), String(d.lot)), d.unitsAffected as number | undefined)],
          readPoint: orgPlace,
          'milkchain:reason': d.reason,
          'milkchain:detail': d.detail,
        }) as EpcisEvent,
      ];
    }
    case 'lot.sold': {
      const store = d.store as { org: string; gln?: string };
      return [
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'OBSERVE',
          bizStep: 'retail_selling',
          disposition: 'retail_sold',
          quantityList: [quantity(lgtinUri(String(d.gtin), String(d.lot)), d.units as number)],
          bizLocation: place(store.gln ?? ctx.glnOf(store.org)),
          'milkchain:day': d.day,
        }) as EpcisEvent,
      ];
    }
    case 'shipment.dispatched': {
      const lots = d.lots as Array<{ gtin: string; lot: string; quantity: number }>;
      const from = d.from as { org: string; gln?: string };
      const to = d.to as { org: string; gln?: string };
      const range = d.temperatureRange as { minC: number; maxC: number } | undefined;
      const origin = place(from.gln ?? ctx.glnOf(from.org));
      return [
        defined({
          ...common(entry, 'AggregationEvent', 'packing'),
          action: 'ADD',
          bizStep: 'packing',
          disposition: 'container_closed',
          parentID: own,
          childQuantityList: lotClasses(lots),
          readPoint: origin,
        }) as EpcisEvent,
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'OBSERVE',
          bizStep: 'shipping',
          disposition: 'in_transit',
          epcList: [own],
          readPoint: origin,
          sourceList: [
            { type: 'owning_party', source: party(ctx, from.org) },
            ...(from.gln === undefined ? [] : [{ type: 'location', source: locationUri(from.gln) }]),
          ],
          destinationList: [
            { type: 'owning_party', destination: party(ctx, to.org) },
            ...(to.gln === undefined ? [] : [{ type: 'location', destination: locationUri(to.gln) }]),
          ],
          'milkchain:carrier': d.carrier === undefined ? undefined : party(ctx, String(d.carrier)),
          'milkchain:temperatureRange': range,
        }) as EpcisEvent,
      ];
    }
    case 'shipment.received': {
      const lots = d.lots as Array<{ gtin: string; lot: string; quantity: number }>;
      const at = d.at as { org: string; gln?: string };
      const condition = String(d.condition);
      const disposition = condition === 'damaged' ? 'damaged' : condition === 'temperature_breach' ? 'non_conformant' : 'in_progress';
      return [
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'OBSERVE',
          bizStep: 'receiving',
          disposition,
          epcList: [own],
          quantityList: lotClasses(lots),
          readPoint: place(at.gln ?? ctx.glnOf(at.org)),
          bizLocation: place(at.gln ?? ctx.glnOf(at.org)),
          sensorElementList: d.temperatureC === undefined ? undefined : [{ sensorReport: [temperature(d.temperatureC as number, e.occurredAt)] }],
          'milkchain:condition': condition,
          'milkchain:remarks': d.remarks,
        }) as EpcisEvent,
      ];
    }
    case 'shipment.temperature.reported': {
      const readings = d.readings as Array<{ at: string; temperatureC: number }>;
      const excursions = d.excursions as Array<{ start: string; end: string; peakC: number }>;
      const device = `urn:milkchain:sensor:${encodeURIComponent(String(d.sensor))}`;
      return [
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'OBSERVE',
          bizStep: 'sensor_reporting',
          epcList: [own],
          readPoint: orgPlace,
          sensorElementList: [
            { sensorMetadata: { deviceID: device }, sensorReport: readings.map((r) => temperature(r.temperatureC, r.at)) },
            ...excursions.map((x) => ({
              sensorMetadata: { deviceID: device, startTime: x.start, endTime: x.end },
              sensorReport: [{ type: 'Temperature', exception: 'ALARM_CONDITION', maxValue: x.peakC, uom: 'CEL' }],
            })),
          ],
          'milkchain:sensor': d.sensor,
          'milkchain:temperatureRange': d.range,
        }) as EpcisEvent,
      ];
    }
    case 'recall.initiated':
    case 'recall.acknowledged':
    case 'recall.closed': {
      const lots =
        e.kind === 'recall.initiated'
          ? (d.lots as Array<{ gtin: string; lot: string }>)
          : e.kind === 'recall.acknowledged'
            ? (d.lotsHeld as Array<{ gtin: string; lot: string; units: number }>)
            : (ctx.recallLots.get(String(d.recallId)) ?? []);
      const { recallId: _id, lots: _l, lotsHeld: _h, ...facts } = d;
      return [
        defined({
          ...common(entry, 'ObjectEvent'),
          action: 'OBSERVE',
          bizStep: MILKCHAIN_BIZSTEP.recalling,
          disposition: 'recalled',
          persistentDisposition: e.kind === 'recall.initiated' ? { set: ['recalled'] } : undefined,
          // ObjectEvent needs an epcList or a quantityList: a recall whose lots are unknown here lists none.
          ...(lots.length === 0 ? { epcList: [] } : { quantityList: lotClasses(lots) }),
          readPoint: orgPlace,
          'milkchain:recallId': d.recallId,
          ...Object.fromEntries(Object.entries(facts).map(([k, v]) => [`milkchain:${k}`, v])),
        }) as EpcisEvent,
      ];
    }
    default:
      return [];
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The EPCISDocument of `entries` (ledger entries in log order: the subject's events and its
 * lineage's, as the caller chose them). Kinds outside EXPORTED_KINDS are left out; each exported
 * ledger event becomes one EPCIS event, except a dispatch, which becomes the packing
 * (AggregationEvent) and the shipping (ObjectEvent) of its logistic unit.
 */
export function toEpcisDocument(entries: readonly LedgerEntry[], opts: ExportOptions): EpcisDocument {
  const recallLots = new Map<string, Array<{ gtin: string; lot: string }>>();
  const subjectOfId = new Map<string, string>();
  for (const { id, event } of entries) {
    subjectOfId.set(id, event.subject);
    if (event.kind === 'recall.initiated') {
      const d = event.data as { recallId: string; lots: Array<{ gtin: string; lot: string }> };
      recallLots.set(d.recallId, d.lots);
    }
  }
  const ctx: Ctx = { base: opts.idBase ?? DEFAULT_ID_BASE, glnOf: opts.glnOf ?? (() => undefined), subjectOfId, recallLots };
  // Only version 1 of each kind has a mapping; a later version needs its own before it is exported.
  const eventList = entries.filter((en) => EXPORTED_KINDS.has(en.event.kind) && en.event.kindVersion === 1).flatMap((en) => mapEntry(en, ctx));
  return {
    '@context': [...EXPORT_CONTEXT],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: opts.now.toISOString(),
    ...(opts.documentId === undefined ? {} : { id: opts.documentId }),
    epcisBody: { eventList },
  };
}
