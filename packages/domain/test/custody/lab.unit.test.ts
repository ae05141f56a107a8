/**
 * Lab commands, Given/When/Then: samples, and results judged by the rule packs.
 */
import { describe, expect, it } from 'vitest';
import { AS, BATCH, BODY, givenBatch, givenLoad, givenLot, givenReception, GTIN, LOAD, LOT, LOT_NO, ORG, result, World } from './world.ts';

const SAMPLE = `urn:milkchain:sample:${ORG.lab}:${BODY.intakeSample.sampleId}`;

describe('sample.take (lab /samples)', () => {
  it('given a load, when the lab samples it, then sample.taken on urn:milkchain:sample:<org>:<id> with the load as input', () => {
    const w = givenLoad();
    const { occurredAt: _, ...data } = BODY.intakeSample;
    expect(w.decide('sample.take', BODY.intakeSample, AS.lab)).toEqual([
      { kind: 'sample.taken', kindVersion: 1, subject: SAMPLE, occurredAt: '2026-11-23T08:35:00+08:00', data, inputSubjects: [LOAD] },
    ]);
  });

  it('given the dairy holds the load, when it samples it itself, then sample.taken', () => {
    const w = givenReception();
    expect(w.decide('sample.take', BODY.intakeSample, AS.dairy)).toMatchObject([{ kind: 'sample.taken', subject: `urn:milkchain:sample:${ORG.dairy}:S-20261123-0412` }]);
  });

  it('given a load bound for the dairy and not yet received, when the dairy takes its intake sample, then sample.taken', () => {
    const w = givenLoad();
    expect(w.decide('sample.take', BODY.intakeSample, AS.dairy)).toMatchObject([{ kind: 'sample.taken', inputSubjects: [LOAD] }]);
    expect(w.refusal('sample.take', BODY.intakeSample, AS.workshop)).toMatchObject({ status: 'conflict', rule: 'custody.not-owner', path: '/sampledFrom' });
  });

  it("custody.not-owner: given a workshop that neither made nor holds the batch, then a conflict at /sampledFrom", () => {
    const w = givenBatch();
    const body = { ...BODY.intakeSample, sampledFrom: BATCH, matrix: 'finished_product', purpose: 'self_check' };
    expect(w.refusal('sample.take', body, AS.workshop)).toMatchObject({ status: 'conflict', rule: 'custody.not-owner', path: '/sampledFrom' });
  });

  it('sample.matrix: given a lot (finished product), when it is sampled as raw milk, then refused at /matrix', () => {
    const w = givenLot();
    expect(w.refusal('sample.take', { ...BODY.intakeSample, sampledFrom: LOT }, AS.lab)).toMatchObject({ status: 'rule', rule: 'sample.matrix', path: '/matrix' });
  });

  it('custody.not-found: given nothing recorded under sampledFrom, then not_found at /sampledFrom', () => {
    const w = givenLoad();
    expect(w.refusal('sample.take', { ...BODY.intakeSample, sampledFrom: `urn:milkchain:load:${ORG.collector}:NOPE` }, AS.lab)).toMatchObject({
      status: 'not_found',
      rule: 'custody.not-found',
      path: '/sampledFrom',
    });
  });

  it('sample.exists: given the sample id is used, then a conflict at /sampleId', () => {
    const w = givenLoad();
    w.run('sample.take', BODY.intakeSample, AS.lab);
    expect(w.refusal('sample.take', BODY.intakeSample, AS.lab)).toMatchObject({ status: 'conflict', rule: 'sample.exists', path: '/sampleId' });
  });
});

describe('result.record (lab /results)', () => {
  function sampled(w: World = givenLoad()): World {
    w.run('sample.take', BODY.intakeSample, AS.lab);
    return w;
  }

  it('raw-milk.protein.min (GB 19301-2010): given cow raw milk, when protein is 3.21 g/100g, then one lab.result.recorded, conformant, with the limit from the pack', () => {
    const w = sampled();
    expect(w.decide('result.record', { ...result('protein', 3.21, 'g/100g'), certificateNo: 'NMGL-2026-118734' }, AS.lab)).toEqual([
      {
        kind: 'lab.result.recorded',
        kindVersion: 1,
        subject: SAMPLE,
        occurredAt: '2026-11-23T10:42:00+08:00',
        data: {
          sampleId: 'S-20261123-0412',
          analyte: 'protein',
          value: 3.21,
          unit: 'g/100g',
          method: 'GB 5009 rapid test',
          limit: { comparison: 'gte', value: 2.8, unit: 'g/100g' },
          verdict: 'conformant',
          rule: { pack: 'gb-raw-milk:2026.1', id: 'raw-milk.protein.min', source: 'GB 19301-2010' },
          certificateNo: 'NMGL-2026-118734',
        },
        inputSubjects: [],
      },
    ]);
  });

  it('raw-milk.protein.min (GB 19301-2010): given cow raw milk, when protein is 2.79 g/100g, then non-conformant, the load is held', () => {
    const w = sampled();
    const drafts = w.decide('result.record', result('protein', 2.79, 'g/100g'), AS.lab);
    expect(drafts).toMatchObject([{ kind: 'lab.result.recorded', data: { verdict: 'non_conformant', rule: { id: 'raw-milk.protein.min' } } }]);
    w.run('result.record', result('protein', 2.79, 'g/100g'), AS.lab);
    expect(w.get(LOAD).status).toBe('held');
  });

  it('contaminants.aflatoxin-m1.max (GB 2761): given a batch and a lot made from the load, when AFM1 is 0.6 µg/kg, then the result and lot.held for the lot, input the sample', () => {
    const w = givenLot();
    w.run('sample.take', BODY.intakeSample, AS.lab);
    const drafts = w.decide('result.record', result('aflatoxin_m1', 0.6, 'µg/kg'), AS.lab);
    expect(drafts).toEqual([
      expect.objectContaining({ kind: 'lab.result.recorded', subject: SAMPLE, data: expect.objectContaining({ verdict: 'non_conformant', rule: expect.objectContaining({ id: 'contaminants.aflatoxin-m1.max', source: 'GB 2761' }) }) }),
      {
        kind: 'lot.held',
        kindVersion: 1,
        subject: LOT,
        occurredAt: '2026-11-23T10:42:00+08:00',
        data: {
          gtin: GTIN,
          lot: LOT_NO,
          reason: 'non_conformant_result',
          detail: expect.stringContaining('Sample S-20261123-0412 (from urn:milkchain:load:org_saihan_collect:SH-20261123-01) failed aflatoxin M1: 0.6 µg/kg, limit ≤ 0.5 µg/kg'),
        },
        inputSubjects: [SAMPLE],
      },
    ]);
    w.run('result.record', result('aflatoxin_m1', 0.6, 'µg/kg'), AS.lab);
    expect(w.get(LOT)).toMatchObject({ status: 'held', data: { hold: { reason: 'non_conformant_result', org: ORG.lab } } });
    expect(w.get(LOAD).status).toBe('held');
  });

  it('given the lot is already held, when a second result fails, then no second lot.held', () => {
    const w = givenLot();
    w.run('sample.take', BODY.intakeSample, AS.lab);
    w.run('lot.hold', { gtin: GTIN, lot: LOT_NO, reason: 'pending_results', occurredAt: '2026-11-23T15:20:00+08:00' }, AS.dairy);
    const drafts = w.decide('result.record', result('melamine', 2.6, 'mg/kg'), AS.lab);
    expect(Array.isArray(drafts) && drafts.map((d) => d.kind)).toEqual(['lab.result.recorded']);
  });

  it('raw-milk.acidity.goat.max (GB 19301-2010): given goat raw milk, when acidity is 14 °T, then judged by the goat range, not the cow one', () => {
    const w = new World();
    w.run('collection.record', { ...BODY.collection2, species: 'goat' }, AS.farm2);
    w.run('load.record', { ...BODY.load, collections: [BODY.load.collections[1]] }, AS.collector);
    w.run('sample.take', BODY.intakeSample, AS.lab);
    expect(w.decide('result.record', result('acidity', 14, '°T'), AS.lab)).toMatchObject([{ data: { verdict: 'non_conformant', rule: { id: 'raw-milk.acidity.goat.max' } } }]);
  });

  it('pathogens.salmonella.absent (GB 29921): given a lot of pasteurised milk sampled as finished product, when 0 CFU/25g, then conformant by the pathogen rule', () => {
    const w = givenLot();
    w.run('sample.take', { ...BODY.intakeSample, sampleId: 'S-L1', sampledFrom: LOT, matrix: 'finished_product', purpose: 'release' }, AS.lab);
    expect(w.decide('result.record', { ...result('salmonella', 0, 'CFU/25g'), sampleId: 'S-L1', sampledFrom: LOT }, AS.lab)).toMatchObject([
      { data: { verdict: 'conformant', rule: { id: 'pathogens.salmonella.absent', source: 'GB 29921' } } },
    ]);
  });

  it('lab.analyte.unknown: given an analyte no confirmed pack has, then refused at /analyte', () => {
    const w = sampled();
    expect(w.refusal('result.record', result('cloxacillin', 10, 'µg/kg'), AS.lab)).toMatchObject({ status: 'rule', rule: 'lab.analyte.unknown', path: '/analyte' });
  });

  it("lab.unit.mismatch: given protein in g/L, then refused at /unit naming the rule's unit", () => {
    const w = sampled();
    expect(w.refusal('result.record', result('protein', 32, 'g/L'), AS.lab)).toMatchObject({ status: 'rule', rule: 'lab.unit.mismatch', path: '/unit', details: { expected: ['g/100g'] } });
  });

  it('sample.not-found: given no such sample of the caller, then not_found at /sampleId', () => {
    const w = givenLoad();
    expect(w.refusal('result.record', result('protein', 3.2, 'g/100g'), AS.lab)).toMatchObject({ status: 'not_found', rule: 'sample.not-found', path: '/sampleId' });
  });

  it('given the dairy took the sample, when a lab records its result with takenBy, then the result is on the dairy sample', () => {
    const w = givenReception();
    w.run('sample.take', BODY.intakeSample, AS.dairy);
    expect(w.decide('result.record', result('fat', 3.8, 'g/100g', { takenBy: ORG.dairy }), AS.lab)).toMatchObject([{ subject: `urn:milkchain:sample:${ORG.dairy}:S-20261123-0412` }]);
  });

  it('custody.not-analyst: given the intake lab recorded a result on its sample, when another lab records one on it, then a conflict at /sampleId', () => {
    const w = givenLoad();
    w.run('sample.take', BODY.intakeSample, AS.lab);
    w.run('result.record', result('protein', 3.2, 'g/100g'), AS.lab);
    expect(w.get(SAMPLE).data.analysedBy).toBe(ORG.lab);
    const otherLab = { org: 'org_nmg_cti_lab', roles: ['lab'] } as const;
    expect(w.refusal('result.record', result('protein', 2.1, 'g/100g', { takenBy: ORG.lab }), otherLab)).toMatchObject({
      status: 'conflict',
      rule: 'custody.not-analyst',
      path: '/sampleId',
      details: { analysedBy: ORG.lab, org: 'org_nmg_cti_lab' },
    });
    // The lab that analyses it goes on recording.
    expect(w.decide('result.record', result('fat', 3.8, 'g/100g'), AS.lab)).toMatchObject([{ subject: SAMPLE }]);
  });

  it('sample.origin-mismatch: given the sample was drawn from the load, when the result names the batch, then a conflict at /sampledFrom', () => {
    const w = sampled();
    expect(w.refusal('result.record', result('protein', 3.2, 'g/100g', { sampledFrom: BATCH }), AS.lab)).toMatchObject({ status: 'conflict', rule: 'sample.origin-mismatch', path: '/sampledFrom' });
  });

  it('command.time.order: given a result before the sample was taken, then refused at /occurredAt', () => {
    const w = sampled();
    expect(w.refusal('result.record', result('protein', 3.2, 'g/100g', { occurredAt: '2026-11-23T08:00:00+08:00' }), AS.lab)).toMatchObject({ rule: 'command.time.order', path: '/occurredAt' });
  });

  it('schema: given a verdict or a limit typed in, then the body is refused (they are computed)', () => {
    const w = sampled();
    expect(() => w.decide('result.record', result('protein', 3.2, 'g/100g', { verdict: 'conformant' }), AS.lab)).toThrow(/unrecognized_keys/);
    expect(() => w.decide('result.record', result('protein', 3.2, 'g/100g', { limit: { comparison: 'gte', value: 2.8, unit: 'g/100g' } }), AS.lab)).toThrow(/unrecognized_keys/);
  });
});
