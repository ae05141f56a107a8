/**
 * Custody: an organisation hands over, uses or ships only what it holds, and only as much as it
 * holds. Breaking it is a conflict with the recorded state (409), not a rule of the trade.
 */
import { refuse, type Refusal } from '../refusal.ts';

/** Relative slack for quantities summed in floating point (3 × 0.1 L is 0.3 L). */
const EPSILON = 1e-9;

/**
 * `holdings`: organisation → quantity of `subject` it holds, in `unit`. Refuses when `org` holds
 * none of it (`custody.not-held`) or less than `wanted` (`custody.quantity`). `path` is the JSON
 * pointer of the command's quantity (or subject) field.
 */
export function checkCustody(q: { org: string; subject: string; holdings: Readonly<Record<string, number>>; wanted: number; unit: string; path?: string }): Refusal | undefined {
  const held = Object.hasOwn(q.holdings, q.org) ? (q.holdings[q.org] ?? 0) : 0;
  const at = q.path === undefined ? {} : { path: q.path };
  const details = { org: q.org, subject: q.subject, held, wanted: q.wanted, unit: q.unit };
  if (!(held > 0)) {
    return refuse(
      'conflict',
      'custody.not-held',
      `${q.subject} 不在 ${q.org} 名下（当前没有持有量）：只能交接、使用或发运自己持有的货物`,
      `${q.org} does not hold ${q.subject}: you can only hand over, use or ship what you hold`,
      { ...at, details },
    );
  }
  if (!Number.isFinite(q.wanted) || q.wanted > held * (1 + EPSILON)) {
    return refuse(
      'conflict',
      'custody.quantity',
      `${q.org} 只持有 ${held} ${q.unit} 的 ${q.subject}，不能使用 ${q.wanted} ${q.unit}：请按实际持有量填写`,
      `${q.org} holds ${held} ${q.unit} of ${q.subject} and cannot use ${q.wanted} ${q.unit}: give at most what you hold`,
      { ...at, details },
    );
  }
  return undefined;
}
