/**
 * Milk from an animal under treatment or withdrawal is not raw milk (GB 19301-2010), so it must
 * be kept out of the collection.
 */
import { refuse, type Refusal } from '../refusal.ts';
import type { Species } from './types.ts';

export const WITHDRAWAL_SOURCE = 'GB 19301-2010';

const LISTED = 10;

/**
 * Every animal of `species` whose withdrawal covers part of the milking window must be listed in
 * `excluded`. A withdrawal covers the window when it ends after the window starts (one that ends
 * exactly when milking starts does not) and, when the treatment time is known, began before the
 * window ended. Animals of other species are not in this collection. `path` is the JSON pointer of
 * the excluded-animals list in the command.
 */
export function checkWithdrawal(q: {
  milkingWindow: { start: string; end: string };
  excluded: readonly string[];
  animals: ReadonlyArray<{ earTag: string; milkWithdrawalUntil: string; species: Species; administeredAt?: string }>;
  species: Species;
  path?: string;
}): Refusal | undefined {
  const start = Date.parse(q.milkingWindow.start);
  const end = Date.parse(q.milkingWindow.end);
  const excluded = new Set(q.excluded);
  const seen = new Set<string>();
  const missing = q.animals.filter(
    (a) =>
      a.species === q.species &&
      !seen.has(a.earTag) &&
      !excluded.has(a.earTag) &&
      // An unreadable time counts as covering: withdrawal errs on the side of keeping milk out.
      !(Date.parse(a.milkWithdrawalUntil) <= start) &&
      !(a.administeredAt !== undefined && Date.parse(a.administeredAt) >= end) &&
      seen.add(a.earTag) !== undefined,
  );
  if (missing.length === 0) return undefined;
  const shown = missing.slice(0, LISTED).map((a) => `${a.earTag}（→ ${a.milkWithdrawalUntil}）`);
  const more = missing.length > LISTED ? `…(+${missing.length - LISTED})` : '';
  const shownEn = missing.slice(0, LISTED).map((a) => `${a.earTag} (until ${a.milkWithdrawalUntil})`);
  return refuse(
    'rule',
    'raw-milk.withdrawal',
    `${missing.length} 头牲畜在挤奶时段内处于休药期，其奶不是生乳（${WITHDRAWAL_SOURCE}）：${shown.join('、')}${more}。请把它们列入剔除名单，并确认其奶未混入奶罐`,
    `${missing.length} animal(s) were under milk withdrawal during the milking window, so their milk is not raw milk (${WITHDRAWAL_SOURCE}): ${shownEn.join(', ')}${more}. List them as excluded and make sure their milk did not go into the tank`,
    {
      source: WITHDRAWAL_SOURCE,
      ...(q.path === undefined ? {} : { path: q.path }),
      details: { earTags: missing.map((a) => a.earTag), milkWithdrawalUntil: Object.fromEntries(missing.map((a) => [a.earTag, a.milkWithdrawalUntil])) },
    },
  );
}
