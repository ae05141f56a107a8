import { describe, expect, it } from 'vitest';
import { worldStart } from '../src/seed-world.ts';

describe('worldStart: the demo world never lies in the future', () => {
  it('keeps the planned start (2026-11-02) on or after the day the planned world ends', () => {
    expect(worldStart(new Date('2026-11-23T14:00:00Z'))).toBe('2026-11-02');
    expect(worldStart(new Date('2027-06-01T00:00:00Z'))).toBe('2026-11-02');
  });

  it('moves the world back on an earlier clock so its last day is yesterday, China time', () => {
    // 2026-10-10 02:00 in China: yesterday there is 10-09; 21 days end on 10-09 when they start 09-19.
    expect(worldStart(new Date('2026-10-09T18:00:00Z'))).toBe('2026-09-19');
    expect(worldStart(new Date('2026-10-09T18:00:00Z'), 3)).toBe('2026-10-07');
  });
});
