/**
 * Cooling and holding time of raw milk on the farm. Times are RFC 3339 instants (offsets taken
 * into account); the milking window is when the milk in the tank was drawn.
 */
import { refuse, type Refusal } from '../refusal.ts';

export const COOLING = Object.freeze({
  /** The tank is always strictly below this. */
  tankMaxC: 6,
  /** Once `coolWithinHours` have passed since the end of milking, the milk is at or below this. */
  cooledMaxC: 4,
  coolWithinHours: 2,
  /** From the start of milking to hand-over, at most this long in the farm tank. */
  farmTankMaxHours: 48,
  source: '生鲜乳收购贮运规定 (raw milk purchase, storage and transport rules)',
});

const HOUR_MS = 3_600_000;

function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/**
 * Checks the tank temperature read at `at` against the cooling rules, and the time since milking
 * started against the farm-tank limit. Returns the first rule broken: the tank limit (< 6 °C,
 * always), the cooled limit (≤ 4 °C from exactly 2 h after the end of milking), then the
 * 48-hour limit (exactly 48 h is still allowed). `path` is the JSON pointer of the temperature
 * field and is put on the temperature refusals.
 */
export function checkCooling(q: { milkingWindow: { start: string; end: string }; temperatureC: number; at: string; path?: string }): Refusal | undefined {
  const start = Date.parse(q.milkingWindow.start);
  const end = Date.parse(q.milkingWindow.end);
  const at = Date.parse(q.at);
  const onTemperature = q.path === undefined ? {} : { path: q.path };
  if (!Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(at) || end < start || at < start) {
    return refuse(
      'rule',
      'raw-milk.cooling.times',
      `时间不合理：测温时间 ${q.at} 须不早于挤奶开始 ${q.milkingWindow.start}，挤奶结束 ${q.milkingWindow.end} 须不早于开始`,
      `The times do not fit: the reading at ${q.at} must not be before milking started (${q.milkingWindow.start}), and milking must not end (${q.milkingWindow.end}) before it started`,
      { details: { milkingWindow: q.milkingWindow, at: q.at } },
    );
  }
  const t = q.temperatureC;
  if (!(t < COOLING.tankMaxC)) {
    return refuse(
      'rule',
      'raw-milk.cooling.tank-max',
      `奶罐温度 ${fmt(t)} °C，未低于 ${COOLING.tankMaxC} °C 上限（${COOLING.source}）：请先降温再交奶`,
      `Tank at ${fmt(t)} °C is not below the ${COOLING.tankMaxC} °C limit (${COOLING.source}): cool the milk before handing it over`,
      { source: COOLING.source, ...onTemperature, details: { temperatureC: t, limitC: COOLING.tankMaxC, comparison: 'lt' } },
    );
  }
  const sinceEndH = (at - end) / HOUR_MS;
  if (sinceEndH >= COOLING.coolWithinHours && t > COOLING.cooledMaxC) {
    return refuse(
      'rule',
      'raw-milk.cooling.cooled-max',
      `挤奶结束 ${fmt(sinceEndH)} 小时后奶温 ${fmt(t)} °C，超过 ${COOLING.cooledMaxC} °C（挤奶后 ${COOLING.coolWithinHours} 小时内须冷却至 ${COOLING.cooledMaxC} °C 以下，${COOLING.source}）：请检查制冷设备并先降温再交奶`,
      `${fmt(sinceEndH)} h after milking ended the milk is at ${fmt(t)} °C, above ${COOLING.cooledMaxC} °C (milk must be cooled to ${COOLING.cooledMaxC} °C or below within ${COOLING.coolWithinHours} h of milking, ${COOLING.source}): check the cooling tank and cool the milk before handing it over`,
      { source: COOLING.source, ...onTemperature, details: { temperatureC: t, limitC: COOLING.cooledMaxC, hoursSinceMilking: sinceEndH } },
    );
  }
  const sinceStartH = (at - start) / HOUR_MS;
  if (sinceStartH > COOLING.farmTankMaxHours) {
    return refuse(
      'rule',
      'raw-milk.farm-tank.max-hours',
      `生乳自开始挤奶已在牧场奶罐存放 ${fmt(sinceStartH)} 小时，超过 ${COOLING.farmTankMaxHours} 小时上限（${COOLING.source}）：这批奶不能再交售`,
      `The milk has been in the farm tank ${fmt(sinceStartH)} h since milking started, more than the ${COOLING.farmTankMaxHours} h limit (${COOLING.source}): it can no longer be handed over`,
      { source: COOLING.source, details: { hoursInTank: sinceStartH, limitHours: COOLING.farmTankMaxHours, at: q.at } },
    );
  }
  return undefined;
}
