/**
 * Logistics and retail commands, Given/When/Then: dispatch, cold-chain readings, receipt, sale.
 */
import { describe, expect, it } from 'vitest';
import { AS, BODY, givenLot, givenReceipt, givenShipment, GTIN, LOT, LOT_NO, ORG, SHIPMENT, SSCC } from './world.ts';

const HELD = { gtin: GTIN, lot: LOT_NO, reason: 'complaint', occurredAt: '2026-11-23T16:00:00+08:00' };

describe('shipment.dispatch (logistics /shipments)', () => {
  it('given the dairy holds 14200 units, when it ships 4800 to the shop, then shipment.dispatched from the dairy with the lot as input', () => {
    const w = givenLot();
    const { occurredAt: _, from, ...rest } = BODY.shipment;
    expect(w.decide('shipment.dispatch', BODY.shipment, AS.dairy)).toEqual([
      { kind: 'shipment.dispatched', kindVersion: 1, subject: SHIPMENT, occurredAt: '2026-11-24T05:40:00+08:00', data: { ...rest, from: { org: ORG.dairy, ...from } }, inputSubjects: [LOT] },
    ]);
  });

  it('custody.quantity: given 14200 units held, when 14201 are shipped, then a conflict at /lots/0/quantity', () => {
    const w = givenLot();
    const body = { ...BODY.shipment, lots: [{ gtin: GTIN, lot: LOT_NO, quantity: 14201 }] };
    expect(w.refusal('shipment.dispatch', body, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'custody.quantity', path: '/lots/0/quantity' });
  });

  it('custody.not-held: given the carrier holds none of the lot, when it dispatches it, then a conflict at /lots/0/quantity', () => {
    const w = givenLot();
    expect(w.refusal('shipment.dispatch', BODY.shipment, AS.carrier)).toMatchObject({ status: 'conflict', rule: 'custody.not-held', path: '/lots/0/quantity' });
  });

  it('lot.on-hold: given the lot is on hold, then a conflict at /lots/0/lot', () => {
    const w = givenLot();
    w.run('lot.hold', HELD, AS.dairy);
    expect(w.refusal('shipment.dispatch', BODY.shipment, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'lot.on-hold', path: '/lots/0/lot' });
  });

  it('lot.expired (Food Safety Law art. 34): given best before 2026-11-30, when shipped on 2026-12-01, then refused at /lots/0/lot; on 2026-11-30 it ships', () => {
    const w = givenLot();
    w.now = new Date('2026-12-02T00:00:00+08:00');
    expect(w.refusal('shipment.dispatch', { ...BODY.shipment, occurredAt: '2026-12-01T08:00:00+08:00' }, AS.dairy)).toMatchObject({ status: 'rule', rule: 'lot.expired', path: '/lots/0/lot' });
    expect(Array.isArray(w.decide('shipment.dispatch', { ...BODY.shipment, occurredAt: '2026-11-30T20:00:00+08:00' }, AS.dairy))).toBe(true);
  });

  it('lot.not-found: given an unknown lot, then not_found at /lots/0/lot', () => {
    const w = givenLot();
    expect(w.refusal('shipment.dispatch', { ...BODY.shipment, lots: [{ gtin: GTIN, lot: 'NOPE', quantity: 1 }] }, AS.dairy)).toMatchObject({ status: 'not_found', rule: 'lot.not-found', path: '/lots/0/lot' });
  });

  it('shipment.exists: given the SSCC is used, then a conflict at /sscc', () => {
    const w = givenShipment();
    expect(w.refusal('shipment.dispatch', { ...BODY.shipment, lots: [{ gtin: GTIN, lot: LOT_NO, quantity: 1 }] }, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'shipment.exists', path: '/sscc' });
  });
});

const READINGS = {
  sscc: SSCC,
  sensor: 'TL-88-004217',
  readings: [
    { at: '2026-11-24T06:00:00+08:00', temperatureC: 3.9 },
    { at: '2026-11-24T06:30:00+08:00', temperatureC: 6.8 },
    { at: '2026-11-24T07:00:00+08:00', temperatureC: 4.6 },
  ],
  occurredAt: '2026-11-24T08:00:00+08:00',
};

describe('shipment.temperature.report (logistics /shipments/temperatures)', () => {
  it("given the shipment's range 2–6 °C, when the carrier reports 6.8 °C at 06:30, then the excursion is computed: 06:30 to 07:00, peak 6.8", () => {
    const w = givenShipment();
    const { occurredAt: _, ...rest } = READINGS;
    expect(w.decide('shipment.temperature.report', READINGS, AS.carrier)).toEqual([
      {
        kind: 'shipment.temperature.reported',
        kindVersion: 1,
        subject: SHIPMENT,
        occurredAt: '2026-11-24T08:00:00+08:00',
        data: { ...rest, range: { minC: 2, maxC: 6 }, excursions: [{ start: '2026-11-24T06:30:00+08:00', end: '2026-11-24T07:00:00+08:00', peakC: 6.8 }] },
        inputSubjects: [],
      },
    ]);
  });

  it('given a range in the body, then the readings are judged by it', () => {
    const w = givenShipment();
    expect(w.decide('shipment.temperature.report', { ...READINGS, range: { minC: 0, maxC: 8 } }, AS.carrier)).toMatchObject([{ data: { range: { minC: 0, maxC: 8 }, excursions: [] } }]);
  });

  it('custody.not-party: given a logistics company that is not the carrier, shipper or consignee, then a conflict at /sscc', () => {
    const w = givenShipment();
    expect(w.refusal('shipment.temperature.report', READINGS, { org: 'org_other_coldchain', roles: ['logistics'] })).toMatchObject({ status: 'conflict', rule: 'custody.not-party', path: '/sscc' });
  });

  it('shipment.range-unknown: given a shipment dispatched without a range and none in the body, then refused at /range', () => {
    const w = givenLot();
    const { temperatureRange: _, ...body } = BODY.shipment;
    w.run('shipment.dispatch', body, AS.dairy);
    expect(w.refusal('shipment.temperature.report', READINGS, AS.carrier)).toMatchObject({ status: 'rule', rule: 'shipment.range-unknown', path: '/range' });
  });

  it('shipment.readings-too-few: given one reading alone and outside the range, then refused at /readings', () => {
    const w = givenShipment();
    expect(w.refusal('shipment.temperature.report', { ...READINGS, readings: [{ at: '2026-11-24T06:30:00+08:00', temperatureC: 6.8 }] }, AS.carrier)).toMatchObject({
      rule: 'shipment.readings-too-few',
      path: '/readings',
    });
  });

  it('shipment.not-found: given an unknown SSCC, then not_found at /sscc', () => {
    const w = givenLot();
    expect(w.refusal('shipment.temperature.report', READINGS, AS.carrier)).toMatchObject({ status: 'not_found', rule: 'shipment.not-found', path: '/sscc' });
  });

  it('schema: given excursions typed in, then the body is refused (they are computed)', () => {
    const w = givenShipment();
    expect(() => w.decide('shipment.temperature.report', { ...READINGS, excursions: [] }, AS.carrier)).toThrow(/unrecognized_keys/);
  });
});

describe('shipment.receive (logistics /shipments/receipts)', () => {
  it('given 4800 units dispatched to the shop, when it receives them intact, then shipment.received at the shop', () => {
    const w = givenShipment();
    const { occurredAt: _, at, ...rest } = BODY.receipt;
    expect(w.decide('shipment.receive', BODY.receipt, AS.shop)).toEqual([
      { kind: 'shipment.received', kindVersion: 1, subject: SHIPMENT, occurredAt: '2026-11-24T08:15:00+08:00', data: { ...rest, at: { org: ORG.shop, ...at } }, inputSubjects: [] },
    ]);
  });

  it('custody.not-consignee: given the shipment is consigned to the shop, when another retailer receives it, then a conflict at /sscc', () => {
    const w = givenShipment();
    expect(w.refusal('shipment.receive', BODY.receipt, { org: 'org_ordos_kangbashi_mart', roles: ['retailer'] })).toMatchObject({ status: 'conflict', rule: 'custody.not-consignee', path: '/sscc' });
  });

  it('shipment.quantity: given 4800 dispatched, when 4801 arrive, then a conflict at /lots/0/quantity', () => {
    const w = givenShipment();
    expect(w.refusal('shipment.receive', { ...BODY.receipt, lots: [{ gtin: GTIN, lot: LOT_NO, quantity: 4801 }] }, AS.shop)).toMatchObject({ status: 'conflict', rule: 'shipment.quantity', path: '/lots/0/quantity' });
  });

  it('shipment.condition: given 4700 of 4800 arrive, when the condition says intact, then refused at /condition; partial is recorded', () => {
    const w = givenShipment();
    const short = { ...BODY.receipt, lots: [{ gtin: GTIN, lot: LOT_NO, quantity: 4700 }] };
    expect(w.refusal('shipment.receive', short, AS.shop)).toMatchObject({ status: 'rule', rule: 'shipment.condition', path: '/condition' });
    expect(Array.isArray(w.decide('shipment.receive', { ...short, condition: 'partial' }, AS.shop))).toBe(true);
  });

  it('shipment.lot-not-dispatched: given a lot that was not in the shipment, then a conflict at /lots/1/lot', () => {
    const w = givenShipment();
    const body = { ...BODY.receipt, lots: [...BODY.receipt.lots, { gtin: GTIN, lot: 'OTHER', quantity: 1 }] };
    expect(w.refusal('shipment.receive', body, AS.shop)).toMatchObject({ status: 'conflict', rule: 'shipment.lot-not-dispatched', path: '/lots/1/lot' });
  });

  it('shipment.lots-missing: given a lot dispatched but not listed, then refused at /lots', () => {
    const w = givenLot();
    w.run('lot.pack', { ...BODY.lot, lot: '261123P1C', units: 100 }, AS.dairy);
    w.run('shipment.dispatch', { ...BODY.shipment, lots: [...BODY.shipment.lots, { gtin: GTIN, lot: '261123P1C', quantity: 100 }] }, AS.dairy);
    expect(w.refusal('shipment.receive', BODY.receipt, AS.shop)).toMatchObject({ status: 'rule', rule: 'shipment.lots-missing', path: '/lots', details: { missing: [`urn:milkchain:lot:${GTIN}:261123P1C`] } });
  });

  it('shipment.already-received: given the shipment was received, then a conflict at /sscc', () => {
    const w = givenReceipt();
    expect(w.refusal('shipment.receive', BODY.receipt, AS.shop)).toMatchObject({ status: 'conflict', rule: 'shipment.already-received', path: '/sscc' });
  });

  it('command.time.order: given a receipt before the dispatch, then refused at /occurredAt', () => {
    const w = givenShipment();
    expect(w.refusal('shipment.receive', { ...BODY.receipt, occurredAt: '2026-11-24T05:00:00+08:00' }, AS.shop)).toMatchObject({ rule: 'command.time.order', path: '/occurredAt' });
  });
});

describe('sale.record (logistics /sales)', () => {
  it('given the shop holds 4800 units, when it sells 312 on 2026-11-24, then lot.sold at the shop', () => {
    const w = givenReceipt();
    const { occurredAt: _, store, ...rest } = BODY.sale;
    expect(w.decide('sale.record', BODY.sale, AS.shop)).toEqual([
      { kind: 'lot.sold', kindVersion: 1, subject: LOT, occurredAt: '2026-11-24T22:00:00+08:00', data: { ...rest, store: { org: ORG.shop, ...store } }, inputSubjects: [] },
    ]);
  });

  it('given no day, then the day of occurredAt in its own offset', () => {
    const w = givenReceipt();
    const { day: _, ...body } = BODY.sale;
    expect(w.decide('sale.record', { ...body, occurredAt: '2026-11-24T23:30:00+08:00' }, AS.shop)).toMatchObject([{ data: { day: '2026-11-24' } }]);
  });

  it('custody.quantity: given 4800 units held, when 4801 are sold, then a conflict at /units', () => {
    const w = givenReceipt();
    expect(w.refusal('sale.record', { ...BODY.sale, units: 4801 }, AS.shop)).toMatchObject({ status: 'conflict', rule: 'custody.quantity', path: '/units' });
  });

  it('custody.not-held: given the shipment is still on its way, when the shop sells, then a conflict at /units', () => {
    const w = givenShipment();
    expect(w.refusal('sale.record', BODY.sale, AS.shop)).toMatchObject({ status: 'conflict', rule: 'custody.not-held', path: '/units' });
  });

  it('lot.on-hold: given the lot is held after it reached the shop, then a conflict at /lot', () => {
    const w = givenReceipt();
    w.run('lot.hold', { ...HELD, reason: 'regulator_order', occurredAt: '2026-11-24T12:00:00+08:00' }, AS.samr);
    expect(w.refusal('sale.record', BODY.sale, AS.shop)).toMatchObject({ status: 'conflict', rule: 'lot.on-hold', path: '/lot' });
  });

  it('lot.expired (Food Safety Law art. 34): given best before 2026-11-30, when sold on 2026-12-01, then refused at /lot', () => {
    const w = givenReceipt();
    w.now = new Date('2026-12-02T00:00:00+08:00');
    expect(w.refusal('sale.record', { ...BODY.sale, day: '2026-12-01', occurredAt: '2026-12-01T21:00:00+08:00' }, AS.shop)).toMatchObject({ rule: 'lot.expired', path: '/lot' });
  });

  it('command.time.future: given a day of sale after today, then refused at /day', () => {
    const w = givenReceipt();
    w.now = new Date('2026-11-24T23:00:00+08:00');
    expect(w.refusal('sale.record', { ...BODY.sale, day: '2026-11-25', occurredAt: '2026-11-24T22:00:00+08:00' }, AS.shop)).toMatchObject({ rule: 'command.time.future', path: '/day' });
  });
});
