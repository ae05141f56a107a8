/**
 * Recall commands (served by the trace service), Given/When/Then: start, acknowledge, close; and
 * the hold a recall puts on its lots, as every custody decider then sees it.
 */
import { describe, expect, it } from 'vitest';
import { commandsOf, isRefusal, recallPending, RECALL_COMMANDS, type CustodyObject } from '../../src/index.ts';
import { AS, BODY, givenBatch, givenLot, givenReceipt, GTIN, LOAD, LOT, LOT_NO, ORG, World } from './world.ts';

const RECALL = 'urn:milkchain:recall:RC-2026-0007';

const START = {
  recallId: 'RC-2026-0007',
  level: 'I',
  cause: 'chemical_residue',
  description: '黄曲霉毒素M1超标 aflatoxin M1 above the limit',
  root: LOAD,
  action: 'stop_sale_and_return',
  lots: [{ gtin: GTIN, lot: LOT_NO }],
  occurredAt: '2026-11-25T11:00:00+08:00',
};

const ACK_AT = '2026-11-25T13:20:00+08:00';

/** The lot packed (14200 units), 4800 shipped to and received by the shop, then recalled by the regulator. */
function givenRecall(): World {
  const w = givenReceipt();
  w.run('recall.initiate', START, AS.samr);
  return w;
}

describe('the recall table', () => {
  it('the trace service serves recall.initiate, recall.acknowledge and recall.close; each example parses and refuses an unknown field', () => {
    expect(commandsOf('trace').map((c) => c.name)).toEqual(['recall.initiate', 'recall.acknowledge', 'recall.close']);
    for (const def of RECALL_COMMANDS) {
      expect(def.schema.safeParse(def.example).success, def.name).toBe(true);
      const extra = def.schema.safeParse({ ...(def.example as object), note2: 'x' });
      expect(extra.success ? [] : extra.error.issues.map((i) => i.code), def.name).toEqual(['unrecognized_keys']);
    }
  });
});

describe('recall.initiate (trace /recalls)', () => {
  it('given the lot is held by the dairy (9400) and the shop (4800), when the regulator starts a recall, then recall.initiated with the lot as input, and the lot is held by the recall', () => {
    const w = givenReceipt();
    const lotHead = w.heads.get(LOT)!;
    const [e] = w.run('recall.initiate', START, AS.samr);
    const { occurredAt: _at, ...data } = START;
    expect(e!.event).toMatchObject({ kind: 'recall.initiated', subject: RECALL, org: ORG.samr, inputs: [lotHead], data });

    const lot = w.get(LOT);
    expect(lot.status).toBe('held');
    expect(lot.data.hold).toEqual({ reason: 'recall', org: ORG.samr, at: START.occurredAt, recallId: 'RC-2026-0007' });
    expect(lot.data.recall).toEqual({ recallId: 'RC-2026-0007', level: 'I', at: START.occurredAt });
    // The lot's own chain is not written: its head stays.
    expect(lot.head).toBe(lotHead);

    const recall = w.get(RECALL);
    expect(recall).toMatchObject({ type: 'recall', org: ORG.samr, status: 'active', from: [] });
    expect(recall.data.holders).toEqual([ORG.dairy, ORG.shop].sort());
    expect(recall.data.lots).toEqual([{ subject: LOT, gtin: GTIN, lot: LOT_NO, holdings: { [ORG.dairy]: 9400, [ORG.shop]: 4800 } }]);
    expect(recallPending(recall)).toEqual([ORG.dairy, ORG.shop].sort());
  });

  it('the processor may recall its own lots', () => {
    const w = givenLot();
    const drafts = w.decide('recall.initiate', START, AS.dairy);
    expect(isRefusal(drafts) ? drafts : drafts.map((d) => d.kind)).toEqual(['recall.initiated']);
  });

  it('recall.not-maker: a workshop may not recall the dairy\'s lot (a regulator must)', () => {
    const w = givenLot();
    expect(w.refusal('recall.initiate', START, AS.workshop)).toMatchObject({ status: 'conflict', rule: 'recall.not-maker', path: '/root' });
  });

  it('lot.not-found: a lot that is not recorded cannot be in a scope', () => {
    const w = givenBatch();
    expect(w.refusal('recall.initiate', START, AS.samr)).toMatchObject({ status: 'not_found', rule: 'lot.not-found', path: '/lots/0/lot' });
  });

  it('recall.exists: a recall id is never reused', () => {
    const w = givenRecall();
    expect(w.refusal('recall.initiate', { ...START, occurredAt: '2026-11-25T12:00:00+08:00' }, AS.samr)).toMatchObject({ status: 'conflict', rule: 'recall.exists', path: '/recallId' });
  });

  it('the scope is required: a recall names at least one lot', () => {
    const parsed = RECALL_COMMANDS[0].schema.safeParse({ ...START, lots: [] });
    expect(parsed.success).toBe(false);
  });
});

describe('the hold a recall puts on its lots', () => {
  it('lot.on-hold: given the lot is recalled, when the shop sells it, then a conflict', () => {
    const w = givenRecall();
    const sale = { ...BODY.sale, day: '2026-11-25', occurredAt: '2026-11-25T20:00:00+08:00' };
    expect(w.refusal('sale.record', sale, AS.shop)).toMatchObject({ status: 'conflict', rule: 'lot.on-hold', path: '/lot' });
  });

  it('lot.on-hold: given the lot is recalled, when the dairy ships more of it, then a conflict', () => {
    const w = givenRecall();
    const body = { ...BODY.shipment, sscc: '006901234000000025', occurredAt: '2026-11-25T12:00:00+08:00' };
    expect(w.refusal('shipment.dispatch', body, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'lot.on-hold', path: '/lots/0/lot' });
  });

  it('lot.regulator-hold: the processor cannot release a recalled lot', () => {
    const w = givenRecall();
    expect(w.refusal('lot.release', { gtin: GTIN, lot: LOT_NO, reason: 'investigation_closed', occurredAt: '2026-11-25T12:00:00+08:00' }, AS.dairy)).toMatchObject({ rule: 'lot.regulator-hold' });
  });

  it('a projector folding the log from nothing gets the same objects, and stores the recall with the lots it touched', async () => {
    const w = givenRecall();
    const { objects, touched } = await w.replay();
    expect(objects.get(LOT)).toEqual(w.get(LOT));
    expect(objects.get(RECALL)).toEqual(w.get(RECALL));
    expect(touched.get(w.heads.get(RECALL)!)).toEqual([RECALL, LOT]);
  });
});

describe('recall.acknowledge (trace /recalls/acknowledgements)', () => {
  it('given the shop held 4800 units, when it acknowledges without counts, then recall.acknowledged reports the 4800 with its comment', () => {
    const w = givenRecall();
    const [e] = w.run('recall.acknowledge', { recallId: 'RC-2026-0007', note: '已下架 off the shelves', occurredAt: ACK_AT }, AS.shop);
    expect(e!.event).toMatchObject({ kind: 'recall.acknowledged', subject: RECALL, org: ORG.shop, data: { recallId: 'RC-2026-0007', lotsHeld: [{ gtin: GTIN, lot: LOT_NO, units: 4800 }], note: '已下架 off the shelves' } });
    const recall: CustodyObject = w.get(RECALL);
    expect(recall.data.acknowledgements).toEqual({ [ORG.shop]: { at: ACK_AT, lotsHeld: [{ gtin: GTIN, lot: LOT_NO, units: 4800 }], note: '已下架 off the shelves' } });
    expect(recallPending(recall)).toEqual([ORG.dairy]);
  });

  it('recall.not-holder: the carrier held none of the lot', () => {
    const w = givenRecall();
    expect(w.refusal('recall.acknowledge', { recallId: 'RC-2026-0007', occurredAt: ACK_AT }, AS.carrier)).toMatchObject({ status: 'conflict', rule: 'recall.not-holder' });
  });

  it('recall.already-acknowledged: a holder acknowledges once', () => {
    const w = givenRecall();
    w.run('recall.acknowledge', { recallId: 'RC-2026-0007', occurredAt: ACK_AT }, AS.shop);
    expect(w.refusal('recall.acknowledge', { recallId: 'RC-2026-0007', occurredAt: '2026-11-25T14:00:00+08:00' }, AS.shop)).toMatchObject({ status: 'conflict', rule: 'recall.already-acknowledged' });
  });

  it('recall.lot-not-in-scope: counts only for the recalled lots', () => {
    const w = givenRecall();
    const body = { recallId: 'RC-2026-0007', lotsHeld: [{ gtin: GTIN, lot: 'OTHER1', units: 3 }], occurredAt: ACK_AT };
    expect(w.refusal('recall.acknowledge', body, AS.shop)).toMatchObject({ status: 'rule', rule: 'recall.lot-not-in-scope', path: '/lotsHeld/0/lot' });
  });

  it('recall.not-found: an unknown recall', () => {
    const w = givenReceipt();
    expect(w.refusal('recall.acknowledge', { recallId: 'RC-NONE', occurredAt: ACK_AT }, AS.shop)).toMatchObject({ status: 'not_found', rule: 'recall.not-found' });
  });
});

describe('recall.close (trace /recalls/closures)', () => {
  const CLOSE = { recallId: 'RC-2026-0007', summary: '召回完成 recall complete', occurredAt: '2026-11-26T10:00:00+08:00' };

  it('given both holders acknowledged, when the regulator closes it, then recall.closed with the units they reported, and the recall is closed (the lot stays held)', () => {
    const w = givenRecall();
    w.run('recall.acknowledge', { recallId: 'RC-2026-0007', occurredAt: ACK_AT }, AS.shop);
    w.run('recall.acknowledge', { recallId: 'RC-2026-0007', occurredAt: ACK_AT }, AS.dairy);
    const [e] = w.run('recall.close', CLOSE, AS.samr);
    expect(e!.event).toMatchObject({ kind: 'recall.closed', data: { recallId: 'RC-2026-0007', outcome: 'completed', unitsRecovered: 14200, unitsDestroyed: 0, summary: CLOSE.summary } });
    expect(w.get(RECALL).status).toBe('closed');
    expect(w.get(LOT).status).toBe('held');
    expect(w.refusal('recall.acknowledge', { recallId: 'RC-2026-0007', occurredAt: '2026-11-26T11:00:00+08:00' }, AS.shop)).toMatchObject({ rule: 'recall.closed' });
    expect(w.refusal('recall.close', { ...CLOSE, occurredAt: '2026-11-26T11:00:00+08:00' }, AS.samr)).toMatchObject({ rule: 'recall.closed' });
  });

  it('recall.unacknowledged: refused while a holder has not acknowledged', () => {
    const w = givenRecall();
    w.run('recall.acknowledge', { recallId: 'RC-2026-0007', occurredAt: ACK_AT }, AS.shop);
    expect(w.refusal('recall.close', CLOSE, AS.samr)).toMatchObject({ status: 'conflict', rule: 'recall.unacknowledged', details: { pending: [ORG.dairy] } });
  });

  it('recall.force-reason: force needs a reason; with one, the summary records it and who had not acknowledged', () => {
    const w = givenRecall();
    expect(w.refusal('recall.close', { ...CLOSE, force: true }, AS.samr)).toMatchObject({ status: 'rule', rule: 'recall.force-reason', path: '/reason' });
    const [e] = w.run('recall.close', { ...CLOSE, force: true, reason: '企业已停业 the shop has closed down', outcome: 'terminated' }, AS.samr);
    const summary = (e!.event.data as { summary: string }).summary;
    expect(summary).toContain('企业已停业 the shop has closed down');
    expect(summary).toContain(ORG.dairy);
    expect(summary).toContain(ORG.shop);
    expect(e!.event.data).toMatchObject({ outcome: 'terminated', unitsRecovered: 0 });
  });

  it('recall.not-initiator: only the organisation that started it closes it', () => {
    const w = givenRecall();
    expect(w.refusal('recall.close', { ...CLOSE, force: true, reason: 'x' }, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'recall.not-initiator' });
  });
});
