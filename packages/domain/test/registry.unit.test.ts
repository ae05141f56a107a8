import { describe, expect, it } from 'vitest';
import { kindInfo, latestVersion, rolesFor, validateEvent, type KindData } from '../src/index.ts';
import { fixtureEvent } from '../src/testing/index.ts';

describe('kind lookups', () => {
  it('gives the definition of a kind at a version, or the latest', () => {
    expect(kindInfo('milk.collected', 1)?.roles).toEqual(['farm', 'collector']);
    expect(kindInfo('milk.collected')).toBe(kindInfo('milk.collected', 1));
    expect(latestVersion('milk.collected')).toBe(1);
    expect(kindInfo('milk.collected', 2)).toBeUndefined();
    expect(kindInfo('cheese.eaten')).toBeUndefined();
  });

  it('names the roles that may emit a kind, and none for an unknown kind', () => {
    expect(rolesFor('org.key.registered')).toEqual(['operator']);
    expect(rolesFor('lab.result.recorded')).toEqual(['lab']);
    expect(rolesFor('recall.initiated')).toContain('regulator');
    expect(rolesFor('cheese.eaten')).toEqual([]);
  });

  it('types data by kind', () => {
    const data: KindData<'milk.collected'> = fixtureEvent('milk.collected').data as KindData<'milk.collected'>;
    expect(data.species).toBe('cow');
  });
});

describe('fixtureEvent', () => {
  it('returns a fresh valid copy each time', () => {
    const a = fixtureEvent('lot.packed');
    const b = fixtureEvent('lot.packed');
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    (a.data as { units: number }).units = 1;
    expect(fixtureEvent('lot.packed').data['units']).toBe(14200);
    expect(validateEvent(b).ok).toBe(true);
  });

  it('overrides envelope fields and merges data, removing keys set to undefined', () => {
    const event = fixtureEvent('milk.collected', {
      org: 'org_another_farm',
      data: { volumeL: 12, tankId: undefined },
    });
    expect(event.org).toBe('org_another_farm');
    expect(event.data['volumeL']).toBe(12);
    expect(event.data).not.toHaveProperty('tankId');
    expect(event.data['species']).toBe('cow');
    expect(validateEvent(event).ok).toBe(true);
  });

  it('throws for an unknown kind', () => {
    expect(() => fixtureEvent('cheese.eaten')).toThrow(/unknown kind "cheese.eaten"/);
  });
});
