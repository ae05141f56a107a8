import { knownKinds, type LedgerEvent } from '@milkchain/domain';
import { fixtureEvent } from '@milkchain/domain/testing';
import { eventId } from '@milkchain/ledger';
import { beforeAll, describe, expect, it } from 'vitest';
import { EPCIS_CONTEXT_URL, EXPORTED_KINDS, MILKCHAIN_NS, toEpcisDocument, validateEpcisDocument, type EpcisEvent, type LedgerEntry } from '../src/index.ts';
import { demo, glnOf, historyOf, latestBySubject, type World } from './helpers.ts';

const NOW = new Date('2026-12-03T10:00:00+08:00');

function entries(events: LedgerEvent[]): LedgerEntry[] {
  return events.map((event, seq) => ({ seq, id: eventId(event), event, signature: 'not exported' }));
}

const ofKind = (list: EpcisEvent[], kind: string) => list.filter((e) => e['milkchain:kind'] === kind);

/** One event of every registered kind from the kinds' fixtures, a batch that the lot names by id, a rejected load, a recall hold, and a recall from start to close. */
function syntheticHistory(): LedgerEntry[] {
  const batch = fixtureEvent('batch.produced');
  const batchId = eventId(batch);
  const recall = fixtureEvent('recall.initiated');
  const events = [
    ...knownKinds().map(({ kind }) => fixtureEvent(kind)),
    fixtureEvent('lot.packed', { subject: 'urn:milkchain:lot:06901234000016:261123P1C', inputs: [batchId], data: { lot: '261123P1C' } }),
    fixtureEvent('milk.received', { subject: 'urn:milkchain:load:saihan-20261123-02', data: { decision: 'rejected', remarks: '酸度超标 acidity too high', silo: undefined } }),
    fixtureEvent('lot.held', { subject: 'urn:milkchain:lot:06901234000016:261123P1C', data: { lot: '261123P1C', reason: 'recall' } }),
    fixtureEvent('shipment.received', { data: { condition: 'temperature_breach', temperatureC: undefined } }),
    fixtureEvent('recall.closed', { subject: recall.subject, data: { recallId: 'RC-2026-0099' } }),
  ];
  // The batch first, so that the lot that names it by id follows it in log order.
  return entries([batch, ...events.filter((e) => e !== events.find((x) => x.kind === 'batch.produced'))]);
}

describe('toEpcisDocument', () => {
  describe('given a history with one event of every kind (the kinds fixtures) and the variants of the mapping', () => {
    let history: LedgerEntry[];
    let doc: ReturnType<typeof toEpcisDocument>;
    let list: EpcisEvent[];
    beforeAll(() => {
      history = syntheticHistory();
      doc = toEpcisDocument(history, { now: NOW, glnOf: (org) => (org === 'org_hohhot_dairy' ? '6901234000016' : undefined), documentId: 'https://trace.milkchain.dev/epcis/v2/events/x.jsonld' });
      list = doc.epcisBody.eventList;
    });

    it('then the document validates against the EPCIS 2.0 schema', () => {
      expect(validateEpcisDocument(doc)).toEqual({ ok: true });
      expect(doc['@context']).toEqual([EPCIS_CONTEXT_URL, { milkchain: MILKCHAIN_NS }]);
      expect(doc).toMatchObject({ type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-12-03T02:00:00.000Z', id: 'https://trace.milkchain.dev/epcis/v2/events/x.jsonld' });
    });

    it('then every exported kind is there, and animals and log keys are not', () => {
      const kinds = new Set(list.map((e) => e['milkchain:kind']));
      expect([...kinds].sort()).toEqual([...EXPORTED_KINDS].sort());
      for (const k of ['animal.registered', 'animal.treated', 'org.key.registered']) expect(kinds.has(k)).toBe(false);
    });

    it('then each EPCIS event names its ledger event: eventID ni:///sha-256;<id>?ver=CBV2.0 and milkchain:eventId, and carries prev and inputs', () => {
      const ids = new Map(history.map((h) => [h.id, h]));
      for (const e of list) {
        const id = e['milkchain:eventId'] as string;
        const entry = ids.get(id)!;
        expect(entry).toBeDefined();
        expect(e.eventID).toMatch(new RegExp(`^ni:///sha-256;${id}\\?ver=CBV2\\.0(&part=packing)?$`));
        expect(e).toMatchObject({ eventTime: entry.event.occurredAt, eventTimeZoneOffset: '+08:00', 'milkchain:seq': entry.seq, 'milkchain:prev': entry.event.prev, 'milkchain:inputs': entry.event.inputs });
      }
      expect(new Set(list.map((e) => e.eventID)).size).toBe(list.length);
    });

    it('then a collection is raw milk commissioned by quantity in litres under the deployment prefix', () => {
      const [e] = ofKind(list, 'milk.collected');
      expect(e).toMatchObject({
        type: 'ObjectEvent',
        action: 'ADD',
        bizStep: 'commissioning',
        quantityList: [{ epcClass: 'https://id.milkchain.dev/raw-milk/xl-20261123-am', quantity: 1860.5, uom: 'LTR' }],
        sensorElementList: [{ sensorReport: [{ type: 'Temperature', value: 3.6, uom: 'CEL' }] }],
        ilmd: { 'milkchain:species': 'cow', 'milkchain:animalsExcluded': 1 },
      });
    });

    it('then a batch is a TransformationEvent from its inputs, and a lot whose batch is in the history a TransformationEvent from that batch to its LGTIN', () => {
      expect(ofKind(list, 'batch.produced')[0]).toMatchObject({
        type: 'TransformationEvent',
        bizStep: 'creating_class_instance',
        inputQuantityList: [{ epcClass: 'https://id.milkchain.dev/raw-milk-load/saihan-20261123-01', quantity: 3700, uom: 'LTR' }],
        outputQuantityList: [{ epcClass: 'https://id.milkchain.dev/batch/HD-P1-20261123-02', quantity: 3650, uom: 'LTR' }],
      });
      const [alone, fromBatch] = ofKind(list, 'lot.packed');
      expect(alone).toMatchObject({ type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000016/10/261123P1B', quantity: 14200 }] });
      expect(fromBatch).toMatchObject({
        type: 'TransformationEvent',
        bizStep: 'commissioning',
        inputQuantityList: [{ epcClass: 'https://id.milkchain.dev/batch/HD-P1-20261123-02', quantity: 3550, uom: 'LTR' }],
        outputQuantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000016/10/261123P1C', quantity: 14200 }],
        ilmd: { 'cbvmda:bestBeforeDate': '2026-11-30', 'milkchain:unitSize': { value: 250, unit: 'mL' } },
        readPoint: { id: 'https://id.gs1.org/414/6901234000016' },
      });
    });

    it('then a dispatch is the packing of its lots into the SSCC (AggregationEvent) and the shipping of the SSCC', () => {
      const [packing, shipping] = ofKind(list, 'shipment.dispatched');
      expect(packing).toMatchObject({
        type: 'AggregationEvent',
        action: 'ADD',
        bizStep: 'packing',
        parentID: 'https://id.gs1.org/00/006901234000000018',
        childQuantityList: [
          { epcClass: 'https://id.gs1.org/01/06901234000016/10/261123P1B', quantity: 4800 },
          { epcClass: 'https://id.gs1.org/01/06901234000023/10/261120W2', quantity: 600 },
        ],
      });
      expect(packing!.eventID).toMatch(/&part=packing$/);
      expect(shipping).toMatchObject({
        type: 'ObjectEvent',
        bizStep: 'shipping',
        disposition: 'in_transit',
        epcList: ['https://id.gs1.org/00/006901234000000018'],
        sourceList: [{ type: 'owning_party', source: 'https://id.gs1.org/417/6901234000016' }, { type: 'location', source: 'https://id.gs1.org/414/6901234000016' }],
        destinationList: [{ type: 'owning_party', destination: 'urn:milkchain:org:org_qingcheng_mart' }, { type: 'location', destination: 'https://id.gs1.org/414/6901234000023' }],
      });
    });

    it('then cold-chain readings are sensor reports in CEL and the excursion an alarm with its peak', () => {
      const [e] = ofKind(list, 'shipment.temperature.reported');
      expect(e).toMatchObject({ bizStep: 'sensor_reporting', epcList: ['https://id.gs1.org/00/006901234000000018'] });
      const [readings, excursion] = e!.sensorElementList as Array<{ sensorMetadata: Record<string, unknown>; sensorReport: Array<Record<string, unknown>> }>;
      expect(readings!.sensorReport).toEqual([
        { type: 'Temperature', value: 3.9, uom: 'CEL', time: '2026-11-24T06:00:00+08:00' },
        { type: 'Temperature', value: 6.8, uom: 'CEL', time: '2026-11-24T06:30:00+08:00' },
        { type: 'Temperature', value: 4.6, uom: 'CEL', time: '2026-11-24T07:00:00+08:00' },
      ]);
      expect(excursion).toMatchObject({ sensorMetadata: { startTime: '2026-11-24T06:20:00+08:00', endTime: '2026-11-24T06:45:00+08:00' }, sensorReport: [{ exception: 'ALARM_CONDITION', maxValue: 6.8 }] });
    });

    it('then holds, releases, results, sales and recalls carry their CBV dispositions', () => {
      const disp = (kind: string) => ofKind(list, kind).map((e) => [e.bizStep, e.disposition]);
      expect(disp('lot.held')).toEqual([
        ['holding', 'non_sellable_other'],
        ['holding', 'recalled'],
      ]);
      expect(disp('lot.released')).toEqual([[`${MILKCHAIN_NS}bizStep/releasing`, 'sellable_accessible']]);
      expect(disp('lab.result.recorded')).toEqual([['inspecting', 'conformant']]);
      expect(disp('milk.received')).toEqual([
        ['receiving', 'in_progress'],
        ['receiving', 'non_conformant'],
      ]);
      expect(disp('lot.sold')).toEqual([['retail_selling', 'retail_sold']]);
      expect(disp('sample.taken')).toEqual([['sampling', 'active']]);
      expect(disp('shipment.received')).toEqual([
        ['receiving', 'in_progress'],
        ['receiving', 'non_conformant'],
      ]);
      const recalls = [...ofKind(list, 'recall.initiated'), ...ofKind(list, 'recall.acknowledged'), ...ofKind(list, 'recall.closed')];
      for (const e of recalls) expect(e.disposition).toBe('recalled');
      const closed = ofKind(list, 'recall.closed');
      // The closing of the recall whose start is in the history lists its lots; the other lists none.
      expect(closed.map((e) => e.quantityList ?? e.epcList)).toEqual([[{ epcClass: 'https://id.gs1.org/01/06901234000016/10/261123P1B' }], []]);
    });

    it('then no personal or needless data leaves: no vehicle plates, permits, ear tags or signatures', () => {
      const text = JSON.stringify(doc);
      for (const secret of ['蒙A·D3217', '蒙准运150105-0031', '215010200012345', '蒙A·L5521', 'not exported', 'breed']) expect(text).not.toContain(secret);
    });

    it('then organisations without a known GLN are urn:milkchain:org:<id>', () => {
      const bare = toEpcisDocument(history, { now: NOW });
      const shipping = ofKind(bare.epcisBody.eventList, 'shipment.dispatched')[1]!;
      expect(shipping.sourceList).toEqual([{ type: 'owning_party', source: 'urn:milkchain:org:org_hohhot_dairy' }, { type: 'location', source: 'https://id.gs1.org/414/6901234000016' }]);
      expect(validateEpcisDocument(bare)).toEqual({ ok: true });
    });
  });

  describe('given the demo world (seeds simulate(): every event of 21 days, unsigned, in memory)', () => {
    let w: World;
    beforeAll(() => {
      w = demo();
    }, 60_000);

    it('when the history of every subject is exported, then every document validates', () => {
      const latest = latestBySubject(w);
      let documents = 0;
      let events = 0;
      const covered = new Set<string>();
      for (const subject of latest.keys()) {
        const doc = toEpcisDocument(historyOf(w, subject, latest), { now: NOW, glnOf });
        const result = validateEpcisDocument(doc);
        expect(result.ok ? [] : result.errors.slice(0, 5), subject).toEqual([]);
        documents++;
        events += doc.epcisBody.eventList.length;
        for (const e of doc.epcisBody.eventList) covered.add(e['milkchain:eventId'] as string);
      }
      console.log(`demo world: ${documents} subjects exported, ${events} EPCIS events, all valid`);
      expect(documents).toBe(latest.size);
      expect(documents).toBeGreaterThan(1000);
      // Every exportable event of the world is in the history of some subject.
      const exportable = w.entries.filter((e) => EXPORTED_KINDS.has(e.event.kind));
      expect(exportable.filter((e) => !covered.has(e.id))).toEqual([]);
    });

    it('when a lot of the AFM1 incident is exported, then its history reaches back to the raw milk and shows the hold', () => {
      const held = w.entries.find((e) => e.event.kind === 'lot.held' && (e.event.data as { reason: string }).reason === 'non_conformant_result')!;
      const doc = toEpcisDocument(historyOf(w, held.event.subject, latestBySubject(w)), { now: NOW, glnOf });
      const kinds = doc.epcisBody.eventList.map((e) => e['milkchain:kind']);
      for (const k of ['milk.collected', 'milk.transported', 'milk.received', 'batch.produced', 'lot.packed', 'lot.held']) expect(kinds).toContain(k);
      expect(doc.epcisBody.eventList.find((e) => e['milkchain:kind'] === 'lot.held')).toMatchObject({ bizStep: 'holding', disposition: 'non_sellable_other', 'milkchain:reason': 'non_conformant_result' });
    });
  });
});
