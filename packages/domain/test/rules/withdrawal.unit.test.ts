/**
 * Milk withdrawal at collection, Given/When/Then: milk from an animal under withdrawal is not
 * raw milk (GB 19301-2010).
 */
import { describe, expect, it } from 'vitest';
import { checkWithdrawal, type Species } from '../../src/index.ts';

const window = { start: '2026-11-23T04:30:00+08:00', end: '2026-11-23T06:00:00+08:00' };
const cow = (earTag: string, milkWithdrawalUntil: string, extra: { species?: Species; administeredAt?: string } = {}) => ({
  earTag,
  milkWithdrawalUntil,
  species: extra.species ?? ('cow' as const),
  ...(extra.administeredAt ? { administeredAt: extra.administeredAt } : {}),
});

describe('milk withdrawal at collection', () => {
  it('raw-milk.withdrawal (GB 19301-2010): given a cow whose withdrawal ends one minute into milking, when she is not excluded, then refused naming her ear tag', () => {
    const r = checkWithdrawal({
      milkingWindow: window,
      excluded: [],
      animals: [cow('215010200012345', '2026-11-23T04:31:00+08:00')],
      species: 'cow',
      path: '/animalsExcluded',
    });
    expect(r).toMatchObject({
      refused: true,
      status: 'rule',
      rule: 'raw-milk.withdrawal',
      source: 'GB 19301-2010',
      path: '/animalsExcluded',
      details: { earTags: ['215010200012345'] },
    });
    expect(r?.reason['zh-CN']).toContain('215010200012345');
    expect(r?.reason.en).toContain('List them as excluded');
  });

  it('raw-milk.withdrawal (GB 19301-2010): given a withdrawal that ended one minute before milking started, when the cow is not excluded, then accepted', () => {
    expect(checkWithdrawal({ milkingWindow: window, excluded: [], animals: [cow('A-1', '2026-11-23T04:29:00+08:00')], species: 'cow' })).toBeUndefined();
  });

  it('raw-milk.withdrawal (GB 19301-2010): given a withdrawal that ends exactly when milking starts, then accepted (the milk is drawn after it)', () => {
    expect(checkWithdrawal({ milkingWindow: window, excluded: [], animals: [cow('A-1', '2026-11-22T20:30:00Z')], species: 'cow' })).toBeUndefined();
  });

  it('raw-milk.withdrawal (GB 19301-2010): given a cow under withdrawal for the whole window, when she is excluded, then accepted', () => {
    expect(
      checkWithdrawal({ milkingWindow: window, excluded: ['A-1'], animals: [cow('A-1', '2026-11-24T07:00:00+08:00')], species: 'cow' }),
    ).toBeUndefined();
  });

  it('raw-milk.withdrawal (GB 19301-2010): given a treatment given one minute before milking ended, when the cow is not excluded, then refused', () => {
    const animals = [cow('A-1', '2026-11-27T00:00:00+08:00', { administeredAt: '2026-11-23T05:59:00+08:00' })];
    expect(checkWithdrawal({ milkingWindow: window, excluded: [], animals, species: 'cow' })?.rule).toBe('raw-milk.withdrawal');
  });

  it('raw-milk.withdrawal (GB 19301-2010): given a treatment given exactly when milking ended, then accepted (the milk was drawn before it)', () => {
    const animals = [cow('A-1', '2026-11-27T00:00:00+08:00', { administeredAt: '2026-11-23T06:00:00+08:00' })];
    expect(checkWithdrawal({ milkingWindow: window, excluded: [], animals, species: 'cow' })).toBeUndefined();
  });

  it('raw-milk.withdrawal (GB 19301-2010): given a goat under withdrawal on the same farm, when cow milk is collected, then accepted', () => {
    const animals = [cow('G-7', '2026-11-24T00:00:00+08:00', { species: 'goat' })];
    expect(checkWithdrawal({ milkingWindow: window, excluded: [], animals, species: 'cow' })).toBeUndefined();
    expect(checkWithdrawal({ milkingWindow: window, excluded: [], animals, species: 'goat' })?.details).toEqual({
      earTags: ['G-7'],
      milkWithdrawalUntil: { 'G-7': '2026-11-24T00:00:00+08:00' },
    });
  });

  it('raw-milk.withdrawal (GB 19301-2010): given several animals, one excluded and two not, then only the two are named, each once', () => {
    const animals = [
      cow('A-1', '2026-11-24T00:00:00+08:00'),
      cow('A-2', '2026-11-24T00:00:00+08:00'),
      cow('A-2', '2026-11-25T00:00:00+08:00'),
      cow('A-3', '2026-11-23T05:00:00+08:00'),
      cow('A-4', '2026-11-20T00:00:00+08:00'),
    ];
    const r = checkWithdrawal({ milkingWindow: window, excluded: ['A-1'], animals, species: 'cow' });
    expect(r?.details?.['earTags']).toEqual(['A-2', 'A-3']);
    expect(r?.reason.en).toMatch(/^2 animal\(s\)/u);
  });
});
