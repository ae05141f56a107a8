/**
 * Cold-chain excursions, computed from the readings: a report never says what its readings do
 * not show, and never leaves out what they do (shipment.temperature.reported v1 checks both).
 */

export interface Excursion {
  start: string;
  end: string;
  peakC: number;
}

/**
 * Maximal runs of readings outside `range` (a reading exactly at minC or maxC is inside), taken in
 * time order. Each excursion starts at the run's first reading and ends when the temperature is
 * next seen back in range: at the first reading after the run, or at the run's last reading when
 * the readings end outside the range. A run of one reading that is also the last reading starts at
 * the reading before it (the last time it was seen in range), so that an excursion always lasts
 * some time; only a single reading alone gives start = end. `peakC` is the reading farthest outside
 * the range (the first of equals). Times are returned as written in the readings.
 * Readings must carry RFC 3339 times; one that cannot be read throws a TypeError.
 */
export function findExcursions(readings: ReadonlyArray<{ at: string; temperatureC: number }>, range: { minC: number; maxC: number }): Excursion[] {
  const timed = readings.map((r, i) => {
    const t = Date.parse(r.at);
    if (!Number.isFinite(t)) throw new TypeError(`reading ${i} has an unreadable time: ${r.at}`);
    return { ...r, t };
  });
  timed.sort((a, b) => a.t - b.t);
  const beyond = (c: number) => Math.max(c - range.maxC, range.minC - c);
  const outside = (c: number) => c < range.minC || c > range.maxC;
  const out: Excursion[] = [];
  let i = 0;
  while (i < timed.length) {
    if (!outside(timed[i]!.temperatureC)) {
      i++;
      continue;
    }
    const first = i;
    let peak = timed[i]!;
    while (i + 1 < timed.length && outside(timed[i + 1]!.temperatureC)) {
      i++;
      if (beyond(timed[i]!.temperatureC) > beyond(peak.temperatureC)) peak = timed[i]!;
    }
    const last = i;
    const after = timed[last + 1];
    const startAt = !after && first === last && first > 0 ? timed[first - 1]! : timed[first]!;
    out.push({ start: startAt.at, end: (after ?? timed[last]!).at, peakC: peak.temperatureC });
    i = last + 1;
  }
  return out;
}
