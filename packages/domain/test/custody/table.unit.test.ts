/**
 * The command table as the services see it: every command is served, described, validated,
 * exemplified, and never makes an event the ledger would refuse.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandsOf, isRefusal, rolesFor, validateEvent, type EventDraft, type LedgerEvent } from '../../src/index.ts';
import {
  AS,
  BODY,
  command,
  givenAnimals,
  givenBatch,
  givenCollections,
  givenLoad,
  givenLot,
  givenReceipt,
  givenReception,
  givenShipment,
  GTIN,
  LOT,
  LOT_NO,
  result,
  World,
  type Actor,
} from './world.ts';

/** For each command: a world its example can be decided in, and who sends it. */
const STAGES: Record<string, () => { w: World; as: Actor }> = {
  'animal.register': () => ({ w: new World(), as: AS.farm }),
  'animal.treat': () => ({ w: givenAnimals(), as: AS.farm }),
  'collection.record': () => ({ w: givenAnimals(), as: AS.farm }),
  'load.record': () => ({ w: givenCollections(), as: AS.collector }),
  'reception.record': () => ({ w: givenLoad(), as: AS.dairy }),
  'batch.produce': () => ({ w: givenReception(), as: AS.dairy }),
  'lot.pack': () => ({ w: givenBatch(), as: AS.dairy }),
  'lot.hold': () => ({ w: givenLot(), as: AS.dairy }),
  'lot.release': () => {
    const w = givenLot();
    w.run('sample.take', BODY.intakeSample, AS.lab);
    for (const [a, v, u] of [
      ['protein', 3.2, 'g/100g'],
      ['fat', 3.9, 'g/100g'],
      ['total_bacterial_count', 1000, 'CFU/mL'],
      ['aflatoxin_m1', 0.1, 'µg/kg'],
      ['melamine', 0.1, 'mg/kg'],
    ] as const) {
      w.run('result.record', result(a, v, u), AS.lab);
    }
    w.run('sample.take', { ...BODY.intakeSample, sampleId: 'S-R', sampledFrom: LOT, matrix: 'finished_product', purpose: 'release', occurredAt: '2026-11-23T15:30:00+08:00' }, AS.lab);
    for (const a of ['staphylococcus_aureus', 'salmonella']) w.run('result.record', { ...result(a, 0, 'CFU/25g'), sampleId: 'S-R', sampledFrom: LOT, occurredAt: '2026-11-25T10:00:00+08:00' }, AS.lab);
    w.run('lot.hold', { gtin: GTIN, lot: LOT_NO, reason: 'pending_results', occurredAt: '2026-11-23T15:20:00+08:00' }, AS.dairy);
    return { w, as: AS.dairy };
  },
  'sample.take': () => ({ w: givenLoad(), as: AS.lab }),
  'result.record': () => {
    const w = givenLot();
    w.run('sample.take', BODY.intakeSample, AS.lab);
    return { w, as: AS.lab };
  },
  'shipment.dispatch': () => ({ w: givenLot(), as: AS.dairy }),
  'shipment.temperature.report': () => ({ w: givenShipment(), as: AS.carrier }),
  'shipment.receive': () => ({ w: givenShipment(), as: AS.shop }),
  'sale.record': () => ({ w: givenReceipt(), as: AS.shop }),
};

/** More bodies whose drafts must pass the kind schemas: the paths the examples do not take. */
const MORE: Array<{ name: string; body: (example: Record<string, unknown>) => unknown }> = [
  { name: 'result.record', body: (e) => ({ ...e, analyte: 'aflatoxin_m1', value: 0.8, unit: 'μg/kg' }) }, // non-conformant: holds the lot
  { name: 'reception.record', body: (e) => ({ ...e, decision: 'rejected', remarks: '铅封破损 seal broken', sealIntact: false }) },
  { name: 'shipment.receive', body: (e) => ({ ...e, lots: [{ gtin: GTIN, lot: LOT_NO, quantity: 0 }], condition: 'damaged' }) },
];

const DUMMY = (n: number) => (n + 1).toString(16).padStart(64, 'a');

/** A draft as the service fills it in: prev and inputs with (dummy) ids. */
function filled(draft: EventDraft, org: string): LedgerEvent {
  return { v: 1, kind: draft.kind, kindVersion: draft.kindVersion, org, subject: draft.subject, prev: DUMMY(99), inputs: draft.inputSubjects.map((_, i) => DUMMY(i)), occurredAt: draft.occurredAt, data: draft.data };
}

describe('the command table', () => {
  it('every command has a unique name and a unique path in its service, with zh-CN and English summaries', () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    expect(new Set(COMMANDS.map((c) => `${c.service} ${c.path}`)).size).toBe(COMMANDS.length);
    for (const c of COMMANDS) {
      expect(c.path, c.name).toMatch(/^\/[a-z/]+$/);
      expect(c.summary['zh-CN'], c.name).toMatch(/\p{Script=Han}/u);
      expect(c.summary.en, c.name).toMatch(/^[A-Z]/);
      expect(c.roles.length, c.name).toBeGreaterThan(0);
    }
  });

  it('commandsOf serves each service its commands: farm 4, processor 5, lab 2, logistics 4', () => {
    expect(commandsOf('farm').map((c) => c.path)).toEqual(['/animals', '/animals/treatments', '/collections', '/loads']);
    expect(commandsOf('processor').map((c) => c.path)).toEqual(['/receptions', '/batches', '/lots', '/lots/holds', '/lots/releases']);
    expect(commandsOf('lab').map((c) => c.path)).toEqual(['/samples', '/results']);
    expect(commandsOf('logistics').map((c) => c.path)).toEqual(['/shipments', '/shipments/temperatures', '/shipments/receipts', '/sales']);
  });

  it('every command has a world in this test (a new command needs one)', () => {
    expect(Object.keys(STAGES).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  for (const def of COMMANDS) {
    describe(def.name, () => {
      it('its example parses with its schema', () => {
        const parsed = def.schema.safeParse(def.example);
        expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      });

      it('its schema refuses an unknown field', () => {
        const parsed = def.schema.safeParse({ ...(def.example as object), note: 'x' });
        expect(parsed.success ? [] : parsed.error.issues.map((i) => i.code)).toEqual(['unrecognized_keys']);
      });

      it('its example is decided in the scenario, and every draft, filled in, passes the kind schema and is a kind its roles may emit', () => {
        const { w, as } = STAGES[def.name]!();
        const bodies = [def.example, ...MORE.filter((m) => m.name === def.name).map((m) => m.body(def.example as Record<string, unknown>))];
        for (const body of bodies) {
          const drafts = w.decide(def.name, body, as);
          if (isRefusal(drafts)) throw new Error(`${def.name} refused its example: ${JSON.stringify(drafts)}`);
          expect(drafts.length).toBeGreaterThan(0);
          for (const draft of drafts) {
            const valid = validateEvent(filled(draft, as.org));
            expect(valid.ok ? [] : valid.problems, `${def.name} → ${draft.kind}`).toEqual([]);
            const allowed = rolesFor(draft.kind, draft.kindVersion);
            expect(def.roles.filter((r) => !allowed.includes(r)), `${def.name} roles the ledger allows for ${draft.kind}`).toEqual([]);
          }
        }
      });

      it('command.time.future: an occurredAt 6 minutes ahead of the clock is refused at /occurredAt', () => {
        const { w, as } = STAGES[def.name]!();
        w.now = new Date('2026-12-01T00:00:00+08:00');
        const refusal = w.refusal(def.name, { ...(def.example as object), occurredAt: '2026-12-01T00:06:00+08:00' }, as);
        expect(refusal).toMatchObject({ status: 'rule', rule: 'command.time.future', path: '/occurredAt' });
      });
    });
  }

  it('lab.result.recorded from result.record: the non-conformant drafts are the result, then lot.held for the lot made from the load', () => {
    const { w, as } = STAGES['result.record']!();
    const drafts = w.decide('result.record', MORE[0]!.body(command('result.record').example as Record<string, unknown>), as);
    expect(Array.isArray(drafts) && drafts.map((d) => [d.kind, d.subject])).toEqual([
      ['lab.result.recorded', 'urn:milkchain:sample:org_nmg_dairy_lab:S-20261123-0412'],
      ['lot.held', LOT],
    ]);
  });
});
