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

describe('animal.treated', () => {
  it('refuses a withdrawal period that ends before the treatment', () => {
    const event = fixtureEvent('animal.treated', { data: { milkWithdrawalUntil: '2026-11-19T07:00:00+08:00' } });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/milkWithdrawalUntil']);
  });
});

describe('milk.received', () => {
  it('requires remarks when the load is rejected', () => {
    const event = fixtureEvent('milk.received', { data: { decision: 'rejected', remarks: undefined } });
    expect(problemsOf(event)).toEqual([
      { path: '/data/remarks', message: 'data.remarks is required when decision is "rejected"' },
    ]);
  });
});

describe('lab.result.recorded', () => {
  it('refuses a limit in another unit than the value', () => {
    const event = fixtureEvent('lab.result.recorded', {
      data: { limit: { comparison: 'gte', value: 28, unit: 'g/kg' } },
    });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/data/limit/unit']);
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

  it('accepts Chinese and Mongolian script', () => {
    const event = fixtureEvent('batch.produced', { data: { productName: '奶豆腐 ᠬᠤᠷᠤᠳ Mongolian milk tofu' } });
    expect(problemsOf(event)).toEqual([]);
  });
});
