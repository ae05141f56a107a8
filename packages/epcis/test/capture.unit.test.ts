import { COMMANDS, isGtin14, isSscc18 } from '@milkchain/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { EPCIS_CONTEXT_URL, mapCapture, parseId, toEpcisDocument, type CaptureResult, type EpcisEvent } from '../src/index.ts';
import { demo, glnOf, gs1Examples, orgOfGln, type World } from './helpers.ts';

const NOW = new Date('2026-12-03T10:00:00+08:00');

function refusal(result: CaptureResult) {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems.map((p) => ({ index: p.index, path: p.path, en: p.reason.en, zh: p.reason['zh-CN'], message: p.message }));
}

function document(events: Array<Record<string, unknown>>): Record<string, unknown> {
  return { '@context': [EPCIS_CONTEXT_URL], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-11-25T10:00:00+08:00', epcisBody: { eventList: events } };
}

const sale = (eventID: string, over: Record<string, unknown> = {}) => ({
  type: 'ObjectEvent',
  eventID,
  eventTime: '2026-11-24T22:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'retail_selling',
  disposition: 'retail_sold',
  quantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000016/10/261123P1B', quantity: 312 }],
  bizLocation: { id: 'https://id.gs1.org/414/6901234000023' },
  ...over,
});

describe('mapCapture', () => {
  describe('given the five GS1 example documents, each is refused and the reason names the event and the field', () => {
    const examples = new Map(gs1Examples().map((e) => [e.name, e.doc]));

    it('Example 9.6.1 (shipping and receiving of SGTINs): both events refused, single serialised items are not lots', () => {
      const problems = refusal(mapCapture(examples.get('Example_9.6.1-ObjectEvent.jsonld')));
      expect(problems.map((p) => [p.index, p.path])).toEqual([
        [0, '/epcList/0'],
        [1, '/epcList/0'],
      ]);
      expect(problems[0]!.en).toContain('urn:epc:id:sgtin:0614141.107346.2017 is a single serialised item (SGTIN): milkchain follows lots');
      expect(problems[0]!.message).toMatch(/^urn:epc:id:sgtin:0614141\.107346\.2017 是单件（SGTIN）标识.* \/ urn:epc:id:sgtin/);
    });

    it('Example 9.6.3 (receiving an SSCC with SGTIN children): refused at childEPCs', () => {
      const problems = refusal(mapCapture(examples.get('Example_9.6.3-AggregationEvent.jsonld')));
      expect(problems.map((p) => [p.index, p.path])).toEqual([[0, '/childEPCs/0']]);
      expect(problems[0]!.en).toContain('SGTIN');
    });

    it('Example 9.6.4 (commissioning SGTINs from inputs): refused at outputEPCList, in both the EPC URN and the Digital Link version', () => {
      for (const name of ['Example_9.6.4-TransformationEvent.jsonld', 'Example_9.6.4-TransformationEventWithDigitalLink.jsonld']) {
        const problems = refusal(mapCapture(examples.get(name)));
        expect(problems.map((p) => [p.index, p.path]), name).toEqual([[0, '/outputEPCList/0']]);
        expect(problems[0]!.en).toContain('urn:epc:id:sgtin:4012345.077889.25 is a single serialised item');
      }
    });

    it('SensorDataExample1 (inspecting an SGTIN with sensor data): refused at bizStep, results come through the lab API', () => {
      const problems = refusal(mapCapture(examples.get('SensorDataExample1.jsonld')));
      expect(problems.map((p) => [p.index, p.path])).toEqual([[0, '/bizStep']]);
      expect(problems[0]!.en).toBe(
        'bizStep inspecting is not captured: results are recorded through the lab API (result.record): verdicts and limits are computed from the rule packs (GB standards), never taken from outside',
      );
      expect(problems[0]!.zh).toMatch(/^bizStep inspecting 不通过 EPCIS 导入/);
    });

    it('and every refusal still returns the eventIDs (for the endpoint)', () => {
      const result = mapCapture(examples.get('Example_9.6.1-ObjectEvent.jsonld'));
      expect(result.eventIds).toEqual([
        'ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0',
        'ni:///sha-256;00e1e6eba3a7cc6125be4793a631f0af50f8322e0ab5f2c0bab994a11cec1d79?ver=CBV2.0',
      ]);
    });
  });

  describe('given partner documents', () => {
    it('when a shop reports a sale by LGTIN at its GLN, then it becomes sale.record', () => {
      const result = mapCapture(document([sale('urn:uuid:0d4c2c36-1f0e-4a8e-9d36-5b7d1c0d1a01')]));
      expect(result).toEqual({
        ok: true,
        eventIds: ['urn:uuid:0d4c2c36-1f0e-4a8e-9d36-5b7d1c0d1a01'],
        skipped: [],
        commands: [
          {
            service: 'logistics',
            command: 'sale.record',
            source: 0,
            body: { gtin: '06901234000016', lot: '261123P1B', units: 312, day: '2026-11-24', store: { gln: '6901234000023' }, occurredAt: '2026-11-24T22:00:00+08:00' },
          },
        ],
      });
    });

    it('when a carrier sends an AggregationEvent packing EPC-URN lots into an SSCC and its shipping to a GLN, then they become one shipment.dispatch', () => {
      const sscc = 'urn:epc:id:sscc:6901234.0000000001';
      const result = mapCapture(
        document([
          {
            type: 'AggregationEvent',
            eventID: 'urn:uuid:1',
            eventTime: '2026-11-24T05:30:00+08:00',
            eventTimeZoneOffset: '+08:00',
            action: 'ADD',
            bizStep: 'https://ref.gs1.org/cbv/BizStep-packing',
            parentID: sscc,
            childQuantityList: [{ epcClass: 'urn:epc:class:lgtin:6901234.000001.261123P1B', quantity: 4800 }],
          },
          {
            type: 'ObjectEvent',
            eventID: 'urn:uuid:2',
            eventTime: '2026-11-24T05:40:00+08:00',
            eventTimeZoneOffset: '+08:00',
            action: 'OBSERVE',
            bizStep: 'shipping',
            epcList: [sscc],
            readPoint: { id: 'urn:epc:id:sgln:6901234.00001.0' }, // GLN 6901234000016
            destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${glnOf('org_qingcheng_mart')}` }],
          },
        ]),
        { orgOfGln },
      );
      expect(result.ok ? result.commands : result.problems).toEqual([
        {
          service: 'logistics',
          command: 'shipment.dispatch',
          source: 1,
          merged: [0],
          body: {
            // urn:epc:id:sscc:<prefix>.<extension digit><serial>: 0 · 6901234 · 000000001 · check digit 6
            sscc: '069012340000000016',
            lots: [{ gtin: '06901234000016', lot: '261123P1B', quantity: 4800 }],
            from: { gln: '6901234000016' },
            to: { org: 'org_qingcheng_mart' },
            occurredAt: '2026-11-24T05:40:00+08:00',
          },
        },
      ]);
      expect(isSscc18('069012340000000016')).toBe(true);
    });

    it('when the consignee GLN belongs to no milkchain organisation, then the shipping is refused at destinationList', () => {
      const problems = refusal(
        mapCapture(
          document([
            {
              type: 'ObjectEvent',
              eventID: 'urn:uuid:3',
              eventTime: '2026-11-24T05:40:00+08:00',
              eventTimeZoneOffset: '+08:00',
              action: 'OBSERVE',
              bizStep: 'shipping',
              epcList: ['https://id.gs1.org/00/006901234000000018'],
              quantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000016/10/261123P1B', quantity: 10 }],
              destinationList: [{ type: 'owning_party', destination: 'https://id.gs1.org/417/4000001000005' }],
            },
          ]),
          { orgOfGln },
        ),
      );
      expect(problems.map((p) => [p.index, p.path])).toEqual([[0, '/destinationList']]);
      expect(problems[0]!.en).toContain('https://id.gs1.org/417/4000001000005 is not a registered milkchain organisation');
    });

    it('when packing into an SSCC comes without its shipping, then it is refused: milkchain records packing with the dispatch', () => {
      const problems = refusal(
        mapCapture(
          document([
            {
              type: 'AggregationEvent',
              eventID: 'urn:uuid:4',
              eventTime: '2026-11-24T05:30:00+08:00',
              eventTimeZoneOffset: '+08:00',
              action: 'ADD',
              bizStep: 'packing',
              parentID: 'https://id.gs1.org/00/006901234000000018',
              childQuantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000016/10/261123P1B', quantity: 10 }],
            },
          ]),
        ),
      );
      expect(problems.map((p) => [p.index, p.path])).toEqual([[0, '/parentID']]);
    });

    it('when one event of two cannot be mapped, then the whole document is refused; allOrNothing: false maps the other and lists the refused one', () => {
      const doc = document([sale('urn:uuid:5'), sale('urn:uuid:6', { bizStep: 'destroying' })]);
      const problems = refusal(mapCapture(doc));
      expect(problems.map((p) => [p.index, p.path])).toEqual([[1, '/bizStep']]);
      expect(problems[0]!.en).toContain('bizStep destroying on a ObjectEvent has no milkchain counterpart');
      const partial = mapCapture(doc, { allOrNothing: false });
      expect(partial.ok && partial.commands.map((c) => [c.command, c.source])).toEqual([['sale.record', 0]]);
      expect(partial.ok && partial.skipped.map((p) => p.index)).toEqual([1]);
    });

    it('when an eventID is missing or repeated, or an event deletes, or a lot quantity is a fraction, then each is refused by index and field', () => {
      const { eventID: _drop, ...withoutId } = sale('x');
      const problems = refusal(
        mapCapture(
          document([
            withoutId,
            sale('urn:uuid:7'),
            sale('urn:uuid:7'),
            sale('urn:uuid:8', { action: 'DELETE' }),
            sale('urn:uuid:9', { quantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000016/10/261123P1B', quantity: 2.5, uom: 'KGM' }] }),
          ]),
        ),
      );
      expect(problems.map((p) => [p.index, p.path])).toEqual([
        [0, '/eventID'],
        [2, '/eventID'],
        [3, '/action'],
        [4, '/quantityList/0/uom'],
      ]);
      expect(problems[1]!.en).toBe('the eventID repeats that of event 1');
    });

    it('when the document does not validate, then the schema errors come back by event index', () => {
      const problems = refusal(mapCapture(document([sale('urn:uuid:10', { action: 'SELL' })])));
      expect(problems.some((p) => p.index === 0 && p.path === '/action' && p.en.includes('EPCIS 2.0 JSON Schema'))).toBe(true);
    });

    it('when a mapped body breaks the command schema (a lot number too long), then the problem names the command field', () => {
      const problems = refusal(mapCapture(document([sale('urn:uuid:11', { quantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000016/10/LOT-NUMBER-FAR-TOO-LONG-1', quantity: 1 }] })])));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ index: 0, path: '' });
      expect(problems[0]!.en).toMatch(/^mapped onto sale\.record, the field \/lot is invalid/);
    });
  });

  describe('parseId (EPC URNs and Digital Link, as the GS1 examples write them)', () => {
    it('turns SSCC, LGTIN and SGLN URNs into keys with their check digits, and knows SGTINs and patterns for what they are', () => {
      const sscc = parseId('urn:epc:id:sscc:0614141.1234567890');
      expect(sscc).toEqual({ kind: 'sscc', sscc: expect.stringMatching(/^10614141234567890\d$/) });
      expect(isSscc18((sscc as { sscc: string }).sscc)).toBe(true);
      const lgtin = parseId('urn:epc:class:lgtin:4012345.012345.998877');
      expect(lgtin).toMatchObject({ kind: 'lgtin', lot: '998877', gtin: expect.stringMatching(/^0401234512345\d$/) });
      expect(isGtin14((lgtin as { gtin: string }).gtin)).toBe(true);
      expect(parseId('urn:epc:id:sgln:0614141.07346.1234')).toMatchObject({ kind: 'gln', gln: expect.stringMatching(/^061414107346\d$/) });
      expect(parseId('https://id.gs1.org/01/00614141777778/10/987')).toEqual({ kind: 'lgtin', gtin: '00614141777778', lot: '987' });
      expect(parseId('https://example.com/01/00614141777778/10/987')).toEqual({ kind: 'lgtin', gtin: '00614141777778', lot: '987' });
      expect(parseId('https://id.gs1.org/01/04012345666663').kind).toBe('instance');
      expect(parseId('urn:epc:idpat:sgtin:4012345.066666.*').kind).toBe('instance');
      expect(parseId('https://id.milkchain.dev/raw-milk-load/org_saihan_collect/SH-20261123-01')).toMatchObject({ kind: 'milkchain', subject: 'urn:milkchain:load:org_saihan_collect:SH-20261123-01' });
      expect(parseId('https://id.gs1.org/01/06901234000017/10/1').kind).toBe('unknown'); // wrong check digit
    });
  });

  describe('given the demo world exported as one document and captured back (allOrNothing: false)', () => {
    let w: World;
    let events: EpcisEvent[];
    let result: CaptureResult;
    beforeAll(() => {
      w = demo();
      const doc = toEpcisDocument(w.entries, { now: NOW, glnOf });
      events = doc.epcisBody.eventList;
      result = mapCapture(doc, { orgOfGln, allOrNothing: false });
    }, 120_000);

    /** Differences between what the world's step sent and what capture made of it; fields EPCIS does not carry (names, vehicle plate) may be missing. */
    function differences(sent: unknown, captured: unknown, path = ''): string[] {
      if (Array.isArray(sent)) {
        if (!Array.isArray(captured) || captured.length !== sent.length) return [`${path}: ${JSON.stringify(sent)} ≠ ${JSON.stringify(captured)}`];
        return sent.flatMap((s, i) => differences(s, captured[i], `${path}/${i}`));
      }
      if (typeof sent === 'object' && sent !== null) {
        if (typeof captured !== 'object' || captured === null) return [`${path}: missing`];
        return Object.entries(sent).flatMap(([k, v]) => {
          if (!(k in captured)) return ['name', 'vehiclePlate'].includes(k) ? [] : [`${path}/${k}: missing`];
          return differences(v, (captured as Record<string, unknown>)[k], `${path}/${k}`);
        });
      }
      return Object.is(sent, captured) ? [] : [`${path}: ${JSON.stringify(sent)} ≠ ${JSON.stringify(captured)}`];
    }

    it('then every capturable event maps back to the command that made it, with the same body', () => {
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const stepOf = new Map(w.events.map((e) => [e.id, w.steps[e.step]!]));
      const counts = new Map<string, number>();
      let compared = 0;
      for (const c of result.commands) {
        counts.set(c.command, (counts.get(c.command) ?? 0) + 1);
        const step = stepOf.get(events[c.source]!['milkchain:eventId'] as string)!;
        if (step.command !== c.command) {
          // The only event a step makes besides its own is the hold a failed result puts on lots (AFM1).
          expect([step.command, c.command]).toEqual(['result.record', 'lot.hold']);
          continue;
        }
        expect(differences(step.body, c.body), `${c.command} from event ${c.source}`).toEqual([]);
        compared++;
      }
      const made = (command: string) => w.steps.filter((s) => s.command === command).length;
      for (const command of ['reception.record', 'lot.pack', 'lot.hold', 'lot.release', 'shipment.dispatch', 'shipment.temperature.report', 'shipment.receive', 'sale.record']) {
        expect(counts.get(command) ?? 0, command).toBeGreaterThanOrEqual(made(command));
        expect(made(command), command).toBeGreaterThan(0);
      }
      console.log(`round trip: ${result.commands.length} commands, ${compared} compared with the steps that made them`);
      expect(new Set(result.commands.map((c) => c.command))).toEqual(new Set(['reception.record', 'lot.pack', 'lot.hold', 'lot.release', 'shipment.dispatch', 'shipment.temperature.report', 'shipment.receive', 'sale.record']));
      for (const c of result.commands) expect(COMMANDS.find((d) => d.name === c.command)!.schema.safeParse(c.body).success).toBe(true);
    });

    it('then what is not captured is refused at bizStep (or the raw milk), and every packing is folded into its dispatch', () => {
      if (!result.ok) throw new Error('capture refused');
      const refusedKinds = new Map<string, Set<string>>();
      for (const p of result.skipped) {
        const kind = events[p.index!]!['milkchain:kind'] as string;
        refusedKinds.set(kind, (refusedKinds.get(kind) ?? new Set()).add(p.path));
      }
      expect(Object.fromEntries([...refusedKinds].map(([k, v]) => [k, [...v]]))).toEqual({
        'milk.collected': ['/quantityList'],
        'milk.transported': ['/bizStep'],
        'sample.taken': ['/bizStep'],
        'lab.result.recorded': ['/bizStep'],
        'batch.produced': ['/bizStep'],
      });
      const packings = events.filter((e) => e.type === 'AggregationEvent').length;
      expect(result.commands.filter((c) => c.merged !== undefined).length).toBe(packings);
      expect(result.eventIds).toEqual(events.map((e) => e.eventID));
    });
  });
});
