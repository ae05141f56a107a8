/**
 * Processor commands, Given/When/Then: receptions, batches, lots, holds and releases.
 */
import { describe, expect, it } from 'vitest';
import {
  AS,
  BATCH,
  BODY,
  givenBatch,
  givenLoad,
  givenLot,
  givenReception,
  GTIN,
  LOAD,
  LOT,
  LOT_NO,
  ORG,
  result,
  SLIP_1,
  type World,
} from './world.ts';

describe('reception.record (processor /receptions)', () => {
  it('given a load bound for the dairy, when it accepts it, then milk.received on the load', () => {
    const w = givenLoad();
    expect(w.decide('reception.record', BODY.reception, AS.dairy)).toEqual([
      {
        kind: 'milk.received',
        kindVersion: 1,
        subject: LOAD,
        occurredAt: '2026-11-23T08:20:00+08:00',
        data: { handoverSlipNo: SLIP_1, volumeL: 3712, temperatureC: 4.4, sealIntact: true, decision: 'accepted', silo: 'SILO-03' },
        inputSubjects: [],
      },
    ]);
  });

  it("given no handoverSlipNo, then the load's own is recorded", () => {
    const w = givenLoad();
    const { handoverSlipNo: _, ...body } = BODY.reception;
    const drafts = w.decide('reception.record', body, AS.dairy);
    expect(Array.isArray(drafts) && drafts[0]?.data.handoverSlipNo).toBe(SLIP_1);
  });

  it('load.not-found: given no such load, then not_found at /load', () => {
    const w = givenLoad();
    expect(w.refusal('reception.record', { ...BODY.reception, load: `urn:milkchain:load:${ORG.collector}:NOPE` }, AS.dairy)).toMatchObject({ status: 'not_found', rule: 'load.not-found', path: '/load' });
  });

  it('custody.not-consignee: given a load bound for another processor, then a conflict at /load', () => {
    const w = givenLoad();
    expect(w.refusal('reception.record', BODY.reception, AS.workshop)).toMatchObject({ status: 'conflict', rule: 'custody.not-consignee', path: '/load' });
  });

  it('load.already-received: given the load was received, then a conflict at /load', () => {
    const w = givenReception();
    expect(w.refusal('reception.record', BODY.reception, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'load.already-received', path: '/load' });
  });

  it('reception.handover-slip: given the slip of another load, then a conflict at /handoverSlipNo', () => {
    const w = givenLoad();
    expect(w.refusal('reception.record', { ...BODY.reception, handoverSlipNo: 'JJD-X' }, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'reception.handover-slip', path: '/handoverSlipNo' });
  });

  it('reception.volume-gain: given 3720 L loaded, when 3757.2 L (exactly +1%) arrive, then accepted; when 3757.3 L arrive, then refused at /volumeL', () => {
    const w = givenLoad();
    expect(Array.isArray(w.decide('reception.record', { ...BODY.reception, volumeL: 3757.2 }, AS.dairy))).toBe(true);
    expect(w.refusal('reception.record', { ...BODY.reception, volumeL: 3757.3 }, AS.dairy)).toMatchObject({
      status: 'rule',
      rule: 'reception.volume-gain',
      path: '/volumeL',
      details: { loadedL: 3720, arrivedL: 3757.3 },
    });
  });

  it('reception.volume-gain: given the gained volume, when the dairy rejects the load, then the rejection is recorded (it is the evidence)', () => {
    const w = givenLoad();
    const drafts = w.decide('reception.record', { ...BODY.reception, volumeL: 3900, decision: 'rejected', remarks: '疑似掺水 suspected added water' }, AS.dairy);
    expect(Array.isArray(drafts) && drafts[0]?.data).toMatchObject({ decision: 'rejected', volumeL: 3900 });
  });

  it('reception.temperature (生鲜乳收购贮运规定, tank < 6 °C): given the milk arrives at 6.0 °C, when accepted, then refused at /temperatureC; 5.9 °C is accepted', () => {
    const w = givenLoad();
    expect(w.refusal('reception.record', { ...BODY.reception, temperatureC: 6 }, AS.dairy)).toMatchObject({ status: 'rule', rule: 'reception.temperature', path: '/temperatureC' });
    expect(Array.isArray(w.decide('reception.record', { ...BODY.reception, temperatureC: 5.9 }, AS.dairy))).toBe(true);
  });

  it('command.time.order: given an arrival before loading, then refused at /occurredAt', () => {
    const w = givenLoad();
    expect(w.refusal('reception.record', { ...BODY.reception, occurredAt: '2026-11-23T06:00:00+08:00' }, AS.dairy)).toMatchObject({ rule: 'command.time.order', path: '/occurredAt' });
  });

  it('load.on-hold: given a failed intake result held the load, when it is accepted, then a conflict at /load; rejecting it is recorded', () => {
    const w = givenLoad();
    w.run('sample.take', BODY.intakeSample, AS.lab);
    w.run('result.record', result('aflatoxin_m1', 0.8, 'µg/kg'), AS.lab);
    expect(w.refusal('reception.record', BODY.reception, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'load.on-hold', path: '/load' });
    expect(Array.isArray(w.decide('reception.record', { ...BODY.reception, decision: 'rejected', remarks: 'AFM1 超标' }, AS.dairy))).toBe(true);
  });
});

describe('batch.produce (processor /batches)', () => {
  it('given the dairy holds 3712 L of the load, when it makes 3650 L of pasteurised milk from 3700 L, then batch.produced with the load as input', () => {
    const w = givenReception();
    const { occurredAt: _, ...data } = BODY.batch;
    expect(w.decide('batch.produce', BODY.batch, AS.dairy)).toEqual([
      { kind: 'batch.produced', kindVersion: 1, subject: BATCH, occurredAt: '2026-11-23T13:30:00+08:00', data, inputSubjects: [LOAD] },
    ]);
  });

  it('custody.quantity: given 3712 L held, when 3713 L are used, then a conflict at /inputs/0/quantity/value', () => {
    const w = givenReception();
    const body = { ...BODY.batch, inputs: [{ subject: LOAD, quantity: { value: 3713, unit: 'L' } }] };
    expect(w.refusal('batch.produce', body, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'custody.quantity', path: '/inputs/0/quantity/value' });
  });

  it('custody.not-held: given the load is not yet received (the collector holds it), then a conflict at /inputs/0/quantity/value', () => {
    const w = givenLoad();
    expect(w.refusal('batch.produce', BODY.batch, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'custody.not-held', path: '/inputs/0/quantity/value' });
  });

  it('custody.not-found: given an input that is neither a load nor a batch, then not_found at /inputs/0/subject', () => {
    const w = givenReception();
    const body = { ...BODY.batch, inputs: [{ subject: `urn:milkchain:collection:${ORG.farm}:XL-T2-20261123-AM`, quantity: { value: 10, unit: 'L' } }] };
    expect(w.refusal('batch.produce', body, AS.dairy)).toMatchObject({ status: 'not_found', rule: 'custody.not-found', path: '/inputs/0/subject' });
  });

  it('mass-balance.yield: given 3700 L of milk, when 3701 L of pasteurised milk are declared, then refused at /output', () => {
    const w = givenReception();
    expect(w.refusal('batch.produce', { ...BODY.batch, output: { value: 3701, unit: 'L' } }, AS.dairy)).toMatchObject({ status: 'rule', rule: 'mass-balance.yield', path: '/output' });
  });

  it('mass-balance.yield: given 100 L of milk, when 21 kg of 奶豆腐 (milk tofu, ≤ 0.2 kg/L) are declared, then refused; 20 kg is accepted', () => {
    const w = givenReception();
    const tofu = (kg: number) => ({ ...BODY.batch, productType: 'milk_tofu', productName: '奶豆腐 milk tofu', inputs: [{ subject: LOAD, quantity: { value: 100, unit: 'L' } }], output: { value: kg, unit: 'kg' } });
    expect(w.refusal('batch.produce', tofu(21), AS.dairy)).toMatchObject({ rule: 'mass-balance.yield', path: '/output' });
    expect(Array.isArray(w.decide('batch.produce', tofu(20), AS.dairy))).toBe(true);
  });

  it('batch.input-unit: given a load kept in litres, when it is used by the unit, then refused at /inputs/0/quantity/unit', () => {
    const w = givenReception();
    const body = { ...BODY.batch, inputs: [{ subject: LOAD, quantity: { value: 3, unit: 'unit' } }] };
    expect(w.refusal('batch.produce', body, AS.dairy)).toMatchObject({ status: 'rule', rule: 'batch.input-unit', path: '/inputs/0/quantity/unit' });
  });

  it('load.rejected: given a rejected load, then a conflict at /inputs/0/subject', () => {
    const w = givenLoad();
    w.run('reception.record', { ...BODY.reception, decision: 'rejected', remarks: '酸度异常 acidity off' }, AS.dairy);
    expect(w.refusal('batch.produce', BODY.batch, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'load.rejected', path: '/inputs/0/subject' });
  });

  it('batch.exists: given the batch id is used, then a conflict at /batchId', () => {
    const w = givenBatch();
    expect(w.refusal('batch.produce', { ...BODY.batch, inputs: [{ subject: LOAD, quantity: { value: 1, unit: 'L' } }], output: { value: 1, unit: 'L' } }, AS.dairy)).toMatchObject({
      status: 'conflict',
      rule: 'batch.exists',
      path: '/batchId',
    });
  });
});

describe('lot.pack (processor /lots)', () => {
  it('given a batch of 3650 L, when 14200 × 250 mL are packed, then lot.packed on urn:milkchain:lot:<gtin>:<lot> with the batch as input', () => {
    const w = givenBatch();
    const { occurredAt: _, batch: _b, ...data } = BODY.lot;
    expect(w.decide('lot.pack', BODY.lot, AS.dairy)).toEqual([{ kind: 'lot.packed', kindVersion: 1, subject: LOT, occurredAt: '2026-11-23T15:10:00+08:00', data, inputSubjects: [BATCH] }]);
  });

  it('custody.quantity: given 3650 L left, when 14601 × 250 mL (3650.25 L) are packed, then a conflict at /units; 14600 units (3650 L) are accepted', () => {
    const w = givenBatch();
    expect(w.refusal('lot.pack', { ...BODY.lot, units: 14601 }, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'custody.quantity', path: '/units' });
    expect(Array.isArray(w.decide('lot.pack', { ...BODY.lot, units: 14600 }, AS.dairy))).toBe(true);
  });

  it("custody.not-held: given another organisation's batch, then a conflict at /units", () => {
    const w = givenBatch();
    expect(w.refusal('lot.pack', BODY.lot, AS.workshop)).toMatchObject({ status: 'conflict', rule: 'custody.not-held' });
  });

  it('lot.exists: given the lot is packed, then a conflict at /lot', () => {
    const w = givenLot();
    expect(w.refusal('lot.pack', { ...BODY.lot, units: 1 }, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'lot.exists', path: '/lot' });
  });

  it('batch.not-found: given no such batch, then not_found at /batch', () => {
    const w = givenBatch();
    expect(w.refusal('lot.pack', { ...BODY.lot, batch: `urn:milkchain:batch:${ORG.dairy}:NOPE` }, AS.dairy)).toMatchObject({ status: 'not_found', rule: 'batch.not-found', path: '/batch' });
  });

  it('batch.on-hold: given the batch failed a test, then a conflict at /batch', () => {
    const w = givenBatch();
    w.run('sample.take', { ...BODY.intakeSample, sampleId: 'S-B1', sampledFrom: BATCH, matrix: 'in_process', purpose: 'self_check' }, AS.lab);
    w.run('result.record', { ...result('aflatoxin_m1', 0.6, 'µg/kg'), sampleId: 'S-B1', sampledFrom: BATCH, occurredAt: '2026-11-23T14:00:00+08:00' }, AS.lab);
    expect(w.refusal('lot.pack', BODY.lot, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'batch.on-hold', path: '/batch' });
  });

  it('lot.production-date: given a production date after the packing day, then refused at /productionDate', () => {
    const w = givenBatch();
    expect(w.refusal('lot.pack', { ...BODY.lot, productionDate: '2026-11-24', bestBefore: '2026-11-30' }, AS.dairy)).toMatchObject({ rule: 'lot.production-date', path: '/productionDate' });
  });

  it('schema: given a lot number a subject cannot carry (/), then the body is refused at /lot', () => {
    const w = givenBatch();
    expect(() => w.decide('lot.pack', { ...BODY.lot, lot: '2611/23' }, AS.dairy)).toThrow(/"lot"/);
  });
});

const HOLD = { gtin: GTIN, lot: LOT_NO, reason: 'pending_results', detail: '等待沙门氏菌结果', occurredAt: '2026-11-23T15:20:00+08:00' };
const RELEASE = { gtin: GTIN, lot: LOT_NO, reason: 'results_conformant', occurredAt: '2026-11-25T16:00:00+08:00' };

/** The release tests of cow pasteurised milk: composition and contaminants on the load, pathogens on the lot. */
function givenReleaseTests(w: World, salmonella = 0): World {
  w.run('sample.take', BODY.intakeSample, AS.lab);
  for (const [analyte, value, unit] of [
    ['protein', 3.21, 'g/100g'],
    ['fat', 3.9, 'g/100g'],
    ['total_bacterial_count', 150_000, 'CFU/mL'],
    ['aflatoxin_m1', 0.1, 'µg/kg'],
    ['melamine', 0.1, 'mg/kg'],
  ] as const) {
    w.run('result.record', result(analyte, value, unit), AS.lab);
  }
  w.run('sample.take', { ...BODY.intakeSample, sampleId: 'S-20261124-0031', sampledFrom: LOT, matrix: 'finished_product', purpose: 'release', occurredAt: '2026-11-23T15:30:00+08:00' }, AS.lab);
  for (const [analyte, value] of [
    ['staphylococcus_aureus', 0],
    ['salmonella', salmonella],
  ] as const) {
    w.run('result.record', { ...result(analyte, value, 'CFU/25g'), sampleId: 'S-20261124-0031', sampledFrom: LOT, occurredAt: '2026-11-25T10:00:00+08:00' }, AS.lab);
  }
  return w;
}

describe('lot.hold (processor /lots/holds)', () => {
  it('given its lot, when the dairy holds it pending results, then lot.held', () => {
    const w = givenLot();
    const { occurredAt: _, ...data } = HOLD;
    expect(w.decide('lot.hold', HOLD, AS.dairy)).toEqual([{ kind: 'lot.held', kindVersion: 1, subject: LOT, occurredAt: HOLD.occurredAt, data, inputSubjects: [] }]);
  });

  it('given any lot, when a regulator holds it, then lot.held', () => {
    const w = givenLot();
    expect(w.decide('lot.hold', { ...HOLD, reason: 'regulator_order' }, AS.samr)).toMatchObject([{ kind: 'lot.held', data: { reason: 'regulator_order' } }]);
  });

  it('custody.not-owner: given a workshop that neither packed nor holds the lot, then a conflict at /lot', () => {
    const w = givenLot();
    expect(w.refusal('lot.hold', HOLD, AS.workshop)).toMatchObject({ status: 'conflict', rule: 'custody.not-owner', path: '/lot' });
  });

  it('lot.already-held: given the lot is on hold, then a conflict at /lot', () => {
    const w = givenLot();
    w.run('lot.hold', HOLD, AS.dairy);
    expect(w.refusal('lot.hold', HOLD, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'lot.already-held', path: '/lot' });
  });

  it('lot.not-found: given no such lot, then not_found at /lot', () => {
    expect(givenLot().refusal('lot.hold', { ...HOLD, lot: 'NOPE' }, AS.dairy)).toMatchObject({ status: 'not_found', rule: 'lot.not-found', path: '/lot' });
  });
});

describe('lot.release (processor /lots/releases)', () => {
  it('given every required test of cow pasteurised milk is conformant in its lineage, when the dairy releases its held lot, then lot.released', () => {
    const w = givenReleaseTests(givenLot());
    w.run('lot.hold', HOLD, AS.dairy);
    const { occurredAt: _, ...data } = RELEASE;
    expect(w.decide('lot.release', RELEASE, AS.dairy)).toEqual([{ kind: 'lot.released', kindVersion: 1, subject: LOT, occurredAt: RELEASE.occurredAt, data, inputSubjects: [] }]);
  });

  it('release.tests-missing (GB 29921): given no pathogen results on the lot, then refused naming staphylococcus_aureus and salmonella', () => {
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
    w.run('lot.hold', HOLD, AS.dairy);
    expect(w.refusal('lot.release', RELEASE, AS.dairy)).toMatchObject({ status: 'rule', rule: 'release.tests-missing', details: { missing: ['staphylococcus_aureus', 'salmonella'] } });
  });

  it('release.non-conformant: given Salmonella found in the lot, then the lot is held by the result and release is refused', () => {
    const w = givenReleaseTests(givenLot(), 1);
    expect(w.get(LOT)).toMatchObject({ status: 'held', data: { hold: { reason: 'non_conformant_result', org: ORG.lab } } });
    expect(w.refusal('lot.release', RELEASE, AS.dairy)).toMatchObject({ status: 'rule', rule: 'release.non-conformant' });
  });

  it('lot.not-held: given the lot is not on hold, then a conflict at /lot', () => {
    const w = givenReleaseTests(givenLot());
    expect(w.refusal('lot.release', RELEASE, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'lot.not-held', path: '/lot' });
  });

  it("lot.regulator-hold: given a regulator's order holds the lot, when the dairy releases it, then a conflict; the regulator may", () => {
    const w = givenReleaseTests(givenLot());
    w.run('lot.hold', { ...HOLD, reason: 'regulator_order' }, AS.samr);
    expect(w.refusal('lot.release', RELEASE, AS.dairy)).toMatchObject({ status: 'conflict', rule: 'lot.regulator-hold', path: '/lot' });
    expect(Array.isArray(w.decide('lot.release', { ...RELEASE, reason: 'regulator_clearance' }, AS.samr))).toBe(true);
  });

  it("custody.not-owner: given the dairy's hold, when a lab that did not place it releases the lot, then a conflict at /lot", () => {
    const w = givenReleaseTests(givenLot());
    w.run('lot.hold', HOLD, AS.dairy);
    expect(w.refusal('lot.release', RELEASE, AS.lab)).toMatchObject({ status: 'conflict', rule: 'custody.not-owner', path: '/lot' });
  });
});
