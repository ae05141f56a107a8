/**
 * Cooling and farm-tank time of raw milk, Given/When/Then.
 */
import { describe, expect, it } from 'vitest';
import { checkCooling, COOLING } from '../../src/index.ts';

const SOURCE = COOLING.source;
// Milking 04:30–06:00 (+08:00); 2 h after the end is 08:00, 48 h after the start is 04:30 two days on.
const window = { start: '2026-11-23T04:30:00+08:00', end: '2026-11-23T06:00:00+08:00' };

describe('raw milk cooling', () => {
  it('states the limits: tank below 6 °C, at most 4 °C from 2 h after milking, at most 48 h in the farm tank', () => {
    expect(COOLING).toMatchObject({ tankMaxC: 6, cooledMaxC: 4, coolWithinHours: 2, farmTankMaxHours: 48 });
  });

  it(`raw-milk.cooling.tank-max (${SOURCE}): given milk just milked, when the tank is at 7.2 °C, then refused with a reason a farmer can act on`, () => {
    const r = checkCooling({ milkingWindow: window, temperatureC: 7.2, at: '2026-11-23T06:10:00+08:00', path: '/tankTemperatureC' });
    expect(r).toMatchObject({ refused: true, status: 'rule', rule: 'raw-milk.cooling.tank-max', source: SOURCE, path: '/tankTemperatureC' });
    expect(r?.reason['zh-CN']).toContain('奶罐温度 7.2 °C');
    expect(r?.reason['zh-CN']).toContain('请先降温再交奶');
    expect(r?.reason.en).toContain('Tank at 7.2 °C is not below the 6 °C limit');
    expect(r?.reason.en).toContain('cool the milk before handing it over');
  });

  it(`raw-milk.cooling.tank-max (${SOURCE}): given milk just milked, when the tank is at exactly 6 °C, then refused (it must be below 6)`, () => {
    expect(checkCooling({ milkingWindow: window, temperatureC: 6, at: '2026-11-23T06:10:00+08:00' })?.rule).toBe('raw-milk.cooling.tank-max');
  });

  it(`raw-milk.cooling.tank-max (${SOURCE}): given milk just milked, when the tank is at 5.9 °C, then accepted (still within the 2 h to cool)`, () => {
    expect(checkCooling({ milkingWindow: window, temperatureC: 5.9, at: '2026-11-23T06:10:00+08:00' })).toBeUndefined();
  });

  it(`raw-milk.cooling.cooled-max (${SOURCE}): given exactly 2 h since milking ended, when the milk is at 4.1 °C, then refused`, () => {
    const r = checkCooling({ milkingWindow: window, temperatureC: 4.1, at: '2026-11-23T08:00:00+08:00', path: '/tankTemperatureC' });
    expect(r).toMatchObject({ status: 'rule', rule: 'raw-milk.cooling.cooled-max', source: SOURCE, path: '/tankTemperatureC', details: { hoursSinceMilking: 2 } });
    expect(r?.reason.en).toContain('2 h after milking ended the milk is at 4.1 °C');
  });

  it(`raw-milk.cooling.cooled-max (${SOURCE}): given exactly 2 h since milking ended, when the milk is at exactly 4 °C, then accepted`, () => {
    expect(checkCooling({ milkingWindow: window, temperatureC: 4, at: '2026-11-23T08:00:00+08:00' })).toBeUndefined();
  });

  it(`raw-milk.cooling.cooled-max (${SOURCE}): given one second short of 2 h since milking ended, when the milk is at 4.1 °C, then accepted`, () => {
    expect(checkCooling({ milkingWindow: window, temperatureC: 4.1, at: '2026-11-23T07:59:59+08:00' })).toBeUndefined();
  });

  it(`raw-milk.cooling.cooled-max (${SOURCE}): given the reading time in UTC, when 2 h have passed, then the offsets are taken into account`, () => {
    expect(checkCooling({ milkingWindow: window, temperatureC: 4.5, at: '2026-11-23T00:00:00Z' })?.rule).toBe('raw-milk.cooling.cooled-max');
    expect(checkCooling({ milkingWindow: window, temperatureC: 4.5, at: '2026-11-22T23:59:00Z' })).toBeUndefined();
  });

  it(`raw-milk.farm-tank.max-hours (${SOURCE}): given cold milk, when exactly 48 h have passed since milking started, then accepted`, () => {
    expect(checkCooling({ milkingWindow: window, temperatureC: 3.5, at: '2026-11-25T04:30:00+08:00' })).toBeUndefined();
  });

  it(`raw-milk.farm-tank.max-hours (${SOURCE}): given cold milk, when 48 h and one minute have passed since milking started, then refused`, () => {
    const r = checkCooling({ milkingWindow: window, temperatureC: 3.5, at: '2026-11-25T04:31:00+08:00', path: '/tankTemperatureC' });
    expect(r).toMatchObject({ status: 'rule', rule: 'raw-milk.farm-tank.max-hours', source: SOURCE });
    expect(r?.path).toBeUndefined(); // the temperature is not at fault
    expect(r?.reason['zh-CN']).toContain('超过 48 小时上限');
  });

  it(`raw-milk.cooling.tank-max (${SOURCE}): given both a warm tank and more than 48 h, then the tank temperature is named first`, () => {
    expect(checkCooling({ milkingWindow: window, temperatureC: 8, at: '2026-11-26T04:30:00+08:00' })?.rule).toBe('raw-milk.cooling.tank-max');
  });

  it('raw-milk.cooling.times: given a reading taken before milking started, then refused as impossible times', () => {
    expect(checkCooling({ milkingWindow: window, temperatureC: 3, at: '2026-11-23T04:29:00+08:00' })).toMatchObject({ status: 'rule', rule: 'raw-milk.cooling.times' });
  });

  it('raw-milk.cooling.times: given a reading during milking, then only the tank limit applies', () => {
    expect(checkCooling({ milkingWindow: window, temperatureC: 5.5, at: '2026-11-23T05:00:00+08:00' })).toBeUndefined();
  });
});
