/**
 * Cold-chain excursions computed from readings, Given/When/Then.
 */
import { describe, expect, it } from 'vitest';
import { findExcursions, validateEvent } from '../../src/index.ts';
import { fixtureEvent } from '../../src/testing/index.ts';

const range = { minC: 2, maxC: 6 };
const at = (hhmm: string) => `2026-11-24T${hhmm}:00+08:00`;
const series = (...temps: number[]) => temps.map((temperatureC, i) => ({ at: at(`0${6 + Math.floor(i / 2)}:${i % 2 ? '30' : '00'}`.slice(-5)), temperatureC }));

describe('findExcursions', () => {
  it('given readings all inside the range, including exactly at its bounds, then there is no excursion', () => {
    expect(findExcursions(series(2, 4, 6, 3), range)).toEqual([]);
    expect(findExcursions([], range)).toEqual([]);
  });

  it('given one reading above the range in the middle, then one excursion from it to the next reading back in range', () => {
    expect(findExcursions(series(3.9, 6.8, 4.6), range)).toEqual([{ start: at('06:30'), end: at('07:00'), peakC: 6.8 }]);
  });

  it('given a run of several readings outside, then one excursion with the worst temperature as its peak', () => {
    expect(findExcursions(series(4, 6.5, 9.1, 7, 5), range)).toEqual([{ start: at('06:30'), end: at('08:00'), peakC: 9.1 }]);
  });

  it('given a run below the range, then the peak is the coldest reading', () => {
    expect(findExcursions(series(3, 1.5, 0.2, 1, 3), range)).toEqual([{ start: at('06:30'), end: at('08:00'), peakC: 0.2 }]);
  });

  it('given a run going from above to below the range, then it is one excursion and the peak is the reading farthest outside', () => {
    expect(findExcursions(series(3, 7, -1, 3), range)).toEqual([{ start: at('06:30'), end: at('07:30'), peakC: -1 }]);
  });

  it('given the first readings outside the range (the edge at the start), then the excursion starts at the first reading', () => {
    expect(findExcursions(series(8, 7, 5), range)).toEqual([{ start: at('06:00'), end: at('07:00'), peakC: 8 }]);
  });

  it('given the last readings outside the range (the edge at the end), then the excursion ends at the last reading', () => {
    expect(findExcursions(series(5, 7, 8), range)).toEqual([{ start: at('06:30'), end: at('07:00'), peakC: 8 }]);
  });

  it('given only the last reading outside, then the excursion starts at the reading before it, the last seen in range', () => {
    expect(findExcursions(series(5, 4, 6.1), range)).toEqual([{ start: at('06:30'), end: at('07:00'), peakC: 6.1 }]);
  });

  it('given a single reading, outside, then start and end are that reading', () => {
    expect(findExcursions(series(7), range)).toEqual([{ start: at('06:00'), end: at('06:00'), peakC: 7 }]);
  });

  it('given two runs apart, then two excursions', () => {
    expect(findExcursions(series(7, 5, 5, 1, 4), range)).toEqual([
      { start: at('06:00'), end: at('06:30'), peakC: 7 },
      { start: at('07:30'), end: at('08:00'), peakC: 1 },
    ]);
  });

  it('given readings out of order and in different offsets, then they are taken in time order and returned as written', () => {
    const readings = [
      { at: '2026-11-23T23:00:00Z', temperatureC: 5 }, // 07:00 +08:00
      { at: at('06:00'), temperatureC: 4 },
      { at: '2026-11-23T22:30:00Z', temperatureC: 7.5 }, // 06:30 +08:00
    ];
    expect(findExcursions(readings, range)).toEqual([{ start: '2026-11-23T22:30:00Z', end: '2026-11-23T23:00:00Z', peakC: 7.5 }]);
  });

  it('given an unreadable time, then it throws rather than guess an order', () => {
    expect(() => findExcursions([{ at: 'yesterday', temperatureC: 3 }], range)).toThrow(TypeError);
  });

  it('given computed excursions, then the report passes shipment.temperature.reported v1 (every reading outside is covered)', () => {
    for (const temps of [[3.9, 6.8, 4.6], [8, 7, 5, 5, 1, 4], [5, 4, 6.1], [5, 7, 8]]) {
      const readings = series(...temps);
      const event = fixtureEvent('shipment.temperature.reported', { data: { range, readings, excursions: findExcursions(readings, range) } });
      expect(validateEvent(event).ok).toBe(true);
    }
  });
});
