/**
 * Cross-field rules of particular kinds, Given/When/Then.
 */
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../src/index.ts';
import { fixtureEvent } from '../src/testing/index.ts';

function problemsOf(event: unknown) {
  const result = validateEvent(event);
  return result.ok ? [] : result.problems;
}

describe('milk.collected', () => {
  it('refuses a milking window that ends before it starts, even across offsets', () => {
    // Given a window whose end, in UTC, is before its start
    const event = fixtureEvent('milk.collected', {
      data: { milkingWindow: { start: '2026-11-23T05:00:00+08:00', end: '2026-11-22T20:00:00Z' } },
    });
    // Then the end is named
    expect(problemsOf(event)).toEqual([
      { path: '/data/milkingWindow/end', message: 'data.milkingWindow.end must be after milkingWindow.start' },
    ]);
  });

  it('accepts a window written in two different offsets when the order holds', () => {
    const event = fixtureEvent('milk.collected', {
      data: { milkingWindow: { start: '2026-11-23T04:30:00+08:00', end: '2026-11-22T22:00:00Z' } },
    });
    expect(problemsOf(event)).toEqual([]);
  });

  it('refuses the same animal excluded twice', () => {
    const event = fixtureEvent('milk.collected', {
      data: {
        animalsExcluded: [
          { earTag: '215010200012345', reason: 'withdrawal' },
          { earTag: '215010200012345', reason: 'mastitis' },
        ],
      },
    });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/animalsExcluded/1/earTag']);
  });

  it('reports a malformed window start once, not again as a wrong order', () => {
    const event = fixtureEvent('milk.collected', {
      data: { milkingWindow: { start: '04:30', end: '2026-11-23T06:00:00+08:00' } },
    });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/milkingWindow/start']);
  });

  it('accepts a collection with no animals excluded', () => {
    expect(problemsOf(fixtureEvent('milk.collected', { data: { animalsExcluded: [] } }))).toEqual([]);
  });

  it('refuses a volume above one tanker load and at zero', () => {
    expect(problemsOf(fixtureEvent('milk.collected', { data: { volumeL: 60_000.5 } }))).toEqual([
      { path: '/data/volumeL', message: 'data.volumeL must be at most 60000' },
    ]);
    expect(problemsOf(fixtureEvent('milk.collected', { data: { volumeL: 0 } }))).toEqual([
      { path: '/data/volumeL', message: 'data.volumeL must be greater than 0' },
    ]);
  });
});

describe('animal.registered', () => {
  it('refuses an animal registered as its own dam', () => {
    const event = fixtureEvent('animal.registered', { data: { damEarTag: '215010200012345' } });
    expect(problemsOf(event)).toEqual([
      { path: '/data/damEarTag', message: "data.damEarTag must not be the animal's own earTag" },
    ]);
  });
});

describe('animal.treated', () => {
  it('refuses a withdrawal period that ends before the treatment', () => {
    const event = fixtureEvent('animal.treated', { data: { milkWithdrawalUntil: '2026-11-19T07:00:00+08:00' } });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/milkWithdrawalUntil']);
  });

  it('refuses a meat withdrawal period that ends before the treatment', () => {
    const event = fixtureEvent('animal.treated', { data: { meatWithdrawalUntil: '2026-11-20T06:59:59+08:00' } });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/meatWithdrawalUntil']);
  });

  it('accepts a drug with no withdrawal period (it ends when it is given)', () => {
    const at = '2026-11-20T07:00:00+08:00';
    const event = fixtureEvent('animal.treated', { data: { milkWithdrawalUntil: at, meatWithdrawalUntil: at } });
    expect(problemsOf(event)).toEqual([]);
  });
});

describe('milk.received', () => {
  it('requires remarks when the load is rejected', () => {
    const event = fixtureEvent('milk.received', { data: { decision: 'rejected', remarks: undefined } });
    expect(problemsOf(event)).toEqual([
      { path: '/data/remarks', message: 'data.remarks is required when decision is "rejected" (say why the load was refused)' },
    ]);
  });

  it('accepts a rejected load with remarks', () => {
    const event = fixtureEvent('milk.received', { data: { decision: 'rejected', remarks: '酒精试验阳性 alcohol test positive' } });
    expect(problemsOf(event)).toEqual([]);
  });
});

describe('lab.result.recorded', () => {
  it('refuses a limit in another unit than the value (and does not judge the verdict across units)', () => {
    const event = fixtureEvent('lab.result.recorded', {
      data: { limit: { comparison: 'gte', value: 28, unit: 'g/kg' } },
    });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/limit/unit']);
  });

  it('refuses a "conformant" verdict on a value that breaks the limit, the way a false report would', () => {
    // Given protein at 2.5 g/100g against the GB 19301 minimum of 2.8, recorded as conformant
    const event = fixtureEvent('lab.result.recorded', { data: { value: 2.5, verdict: 'conformant' } });
    // Then the verdict is refused, and the message shows why
    expect(problemsOf(event)).toEqual([
      { path: '/data/verdict', message: 'data.verdict must be "non_conformant": 2.5 g/100g is not ≥ the limit 2.8 g/100g' },
    ]);
  });

  it('refuses a "non_conformant" verdict on a value within the limit', () => {
    const event = fixtureEvent('lab.result.recorded', { data: { verdict: 'non_conformant' } });
    expect(problemsOf(event)).toEqual([
      { path: '/data/verdict', message: 'data.verdict must be "conformant": 3.21 g/100g is ≥ the limit 2.8 g/100g' },
    ]);
  });

  it.each([
    ['lte', 0.5, 0.5, 'conformant'],
    ['lte', 0.51, 0.5, 'non_conformant'],
    ['lt', 0.5, 0.5, 'non_conformant'],
    ['lt', 0.49, 0.5, 'conformant'],
    ['gte', 2.8, 2.8, 'conformant'],
    ['gte', 2.79, 2.8, 'non_conformant'],
    ['gt', 2.8, 2.8, 'non_conformant'],
    ['gt', 2.81, 2.8, 'conformant'],
  ])('with comparison %s, a value of %f against a limit of %f is %s, and only that verdict is accepted', (comparison, value, limit, verdict) => {
    const data = (v: string) => ({ value, verdict: v, limit: { comparison, value: limit, unit: 'g/100g' } });
    const other = verdict === 'conformant' ? 'non_conformant' : 'conformant';
    expect(problemsOf(fixtureEvent('lab.result.recorded', { data: data(verdict) }))).toEqual([]);
    expect(problemsOf(fixtureEvent('lab.result.recorded', { data: data(other) })).map((p) => p.path)).toEqual(['/data/verdict']);
  });

  it('still judges the verdict when an unrelated field is wrong', () => {
    const event = fixtureEvent('lab.result.recorded', { data: { value: 2.5, certificateNo: '' } });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/certificateNo', '/data/verdict']);
  });
});

describe('batch.produced', () => {
  it('requires the holding temperature and time of a heat treatment', () => {
    const event = fixtureEvent('batch.produced', { data: { process: [{ operation: 'pasteurisation' }] } });
    expect(problemsOf(event)).toEqual([
      { path: '/data/process/0/temperatureC', message: 'data.process[0].temperatureC is required' },
      { path: '/data/process/0/holdSeconds', message: 'data.process[0].holdSeconds is required' },
    ]);
  });

  it('accepts UHT with its figures, and other steps without any', () => {
    const process = [{ operation: 'homogenisation' }, { operation: 'uht', temperatureC: 137, holdSeconds: 4 }];
    expect(problemsOf(fixtureEvent('batch.produced', { data: { productType: 'uht_milk', process } }))).toEqual([]);
  });

  it('names the allowed operations when a step has none, or an unknown one', () => {
    const event = fixtureEvent('batch.produced', { data: { process: [{ temperatureC: 75 }, { operation: 'boiling' }] } });
    expect(problemsOf(event)).toEqual([
      { path: '/data/process/0/operation', message: expect.stringMatching(/^data\.process\[0\]\.operation is required: one of "pasteurisation", "uht", "standardisation", /) },
      { path: '/data/process/1/operation', message: expect.stringMatching(/^data\.process\[1\]\.operation must be one of "pasteurisation", "uht", /) },
    ]);
  });
});

describe('lot.packed', () => {
  it('refuses a best-before date before the production date', () => {
    const event = fixtureEvent('lot.packed', { data: { bestBefore: '2026-11-22' } });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/bestBefore']);
  });

  it('names the expected check digit of a mistyped GTIN', () => {
    const event = fixtureEvent('lot.packed', { data: { gtin: '06901234000019' } });
    expect(problemsOf(event)).toEqual([
      { path: '/data/gtin', message: 'data.gtin must end in its GS1 check digit (GTIN-14: expected 6, got 9)' },
    ]);
  });

  it('refuses a lot number outside GS1 character set 82', () => {
    const event = fixtureEvent('lot.packed', { data: { lot: '2611 23#' } });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/lot']);
  });

  it('refuses a unit size that is a count rather than a net content', () => {
    const event = fixtureEvent('lot.packed', { data: { unitSize: { value: 1, unit: 'unit' } } });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/unitSize/unit']);
  });

  it('refuses an impossible calendar date', () => {
    const event = fixtureEvent('lot.packed', { data: { productionDate: '2026-02-30' } });
    expect(problemsOf(event)).toContainEqual({
      path: '/data/productionDate',
      message: 'data.productionDate must be a calendar date written YYYY-MM-DD',
    });
  });
});

describe('shipment.dispatched', () => {
  it('refuses the same lot listed twice', () => {
    const line = { gtin: '06901234000016', lot: '261123P1B', quantity: 10 };
    const event = fixtureEvent('shipment.dispatched', { data: { lots: [line, line] } });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/lots/1/lot']);
  });

  it('refuses a shipment with no lots', () => {
    expect(problemsOf(fixtureEvent('shipment.dispatched', { data: { lots: [] } }))).toEqual([
      { path: '/data/lots', message: 'data.lots must have at least 1 item' },
    ]);
  });

  it('refuses a temperature range upside down', () => {
    const event = fixtureEvent('shipment.dispatched', { data: { temperatureRange: { minC: 6, maxC: 2 } } });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/temperatureRange/maxC']);
  });
});

describe('shipment.temperature.reported', () => {
  it('refuses an excursion that ends before it starts', () => {
    const event = fixtureEvent('shipment.temperature.reported', {
      data: { excursions: [{ start: '2026-11-24T06:45:00+08:00', end: '2026-11-24T06:20:00+08:00', peakC: 6.8 }] },
    });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/excursions/0/end']);
  });

  it('refuses a reading outside the range that no excursion covers', () => {
    // Given the fixture's 06:30 reading of 6.8 °C, when the excursion around it is left out
    const event = fixtureEvent('shipment.temperature.reported', { data: { excursions: [] } });
    // Then the hidden excursion is named at the reading
    expect(problemsOf(event)).toEqual([
      {
        path: '/data/readings/1/temperatureC',
        message:
          'data.readings[1].temperatureC is outside the range 2 to 6 °C at 2026-11-24T06:30:00+08:00, but no excursion covers that time: list it in excursions',
      },
    ]);
  });

  it('counts a reading at the very start or end of an excursion as covered, whatever the offsets', () => {
    const event = fixtureEvent('shipment.temperature.reported', {
      data: {
        readings: [
          { at: '2026-11-23T22:20:00Z', temperatureC: 6.5 },
          { at: '2026-11-24T06:45:00+08:00', temperatureC: 6.1 },
        ],
      },
    });
    expect(problemsOf(event)).toEqual([]);
  });

  it('refuses an excursion whose peak is inside the range', () => {
    const event = fixtureEvent('shipment.temperature.reported', {
      data: {
        readings: [{ at: '2026-11-24T06:00:00+08:00', temperatureC: 3.9 }],
        excursions: [{ start: '2026-11-24T06:20:00+08:00', end: '2026-11-24T06:45:00+08:00', peakC: 5.5 }],
      },
    });
    expect(problemsOf(event)).toEqual([
      { path: '/data/excursions/0/peakC', message: 'data.excursions[0].peakC must be outside the range 2 to 6 °C' },
    ]);
  });

  it('treats the range limits themselves as inside', () => {
    const readings = [
      { at: '2026-11-24T06:00:00+08:00', temperatureC: 2 },
      { at: '2026-11-24T06:30:00+08:00', temperatureC: 6 },
    ];
    expect(problemsOf(fixtureEvent('shipment.temperature.reported', { data: { readings, excursions: [] } }))).toEqual([]);
  });
});

describe('org.key.registered', () => {
  it('refuses a JWK that carries the private key', () => {
    const fixture = fixtureEvent('org.key.registered');
    const jwk = { ...(fixture.data['jwk'] as object), d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' };
    expect(problemsOf(fixtureEvent('org.key.registered', { data: { jwk } }))).toEqual([
      { path: '/data/jwk/d', message: 'data.jwk.d is not an allowed field' },
    ]);
  });

  it('refuses a key that is not 32 bytes of canonical base64url', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'E5eHM9L0y5QsuzUbL1y-4RoqP37EtYInJMdvJ1raDOl' };
    expect(problemsOf(fixtureEvent('org.key.registered', { data: { jwk } })).map((p) => p.path)).toEqual(['/data/jwk/x']);
  });

  it('refuses another curve', () => {
    const jwk = { kty: 'OKP', crv: 'X25519', x: 'E5eHM9L0y5QsuzUbL1y-4RoqP37EtYInJMdvJ1raDOk' };
    expect(problemsOf(fixtureEvent('org.key.registered', { data: { jwk } }))).toEqual([
      { path: '/data/jwk/crv', message: 'data.jwk.crv must be "Ed25519"' },
    ]);
  });
});

describe('free text', () => {
  it('refuses control characters in single-line text but allows line breaks in long text', () => {
    expect(problemsOf(fixtureEvent('animal.treated', { data: { diagnosis: 'mastitis\u0000' } })).map((p) => p.path)).toEqual([
      '/data/diagnosis',
    ]);
    expect(problemsOf(fixtureEvent('animal.treated', { data: { diagnosis: 'mastitis\nleft' } })).map((p) => p.path)).toEqual([
      '/data/diagnosis',
    ]);
    expect(problemsOf(fixtureEvent('recall.closed', { data: { summary: 'line one\nline two\ttabbed' } }))).toEqual([]);
  });

  it('refuses a line separator in single-line text', () => {
    const event = fixtureEvent('batch.produced', { data: { productName: 'fresh\u2028milk' } });
    expect(problemsOf(event)).toEqual([
      { path: '/data/productName', message: 'data.productName must be one line without control characters' },
    ]);
  });

  it('refuses an unpaired surrogate, which has no UTF-8 form to hash', () => {
    for (const productName of ['milk\ud800', '\udc00milk']) {
      expect(problemsOf(fixtureEvent('batch.produced', { data: { productName } }))).toEqual([
        { path: '/data/productName', message: 'data.productName must be well-formed Unicode (it contains an unpaired surrogate)' },
      ]);
    }
    // A paired one (an emoji) is fine.
    expect(problemsOf(fixtureEvent('batch.produced', { data: { productName: 'milk 🐄' } }))).toEqual([]);
  });

  it('refuses blank text but reports empty text only once', () => {
    expect(problemsOf(fixtureEvent('recall.closed', { data: { summary: ' \n\t\u3000' } }))).toEqual([
      { path: '/data/summary', message: 'data.summary must not be blank' },
    ]);
    expect(problemsOf(fixtureEvent('recall.closed', { data: { summary: '' } }))).toEqual([
      { path: '/data/summary', message: 'data.summary must not be empty' },
    ]);
  });

  it('accepts Chinese and Mongolian script', () => {
    const event = fixtureEvent('batch.produced', { data: { productName: '奶豆腐 ᠬᠤᠷᠤᠳ Mongolian milk tofu' } });
    expect(problemsOf(event)).toEqual([]);
  });
});
