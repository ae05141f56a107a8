/**
 * A decider's typed "no": which rule of the trade was not met, where that rule comes from, and
 * what a person can do about it, in Chinese and English. Services turn a refusal into
 * `application/problem+json`: `rule` → 422 RULE_VIOLATED, `conflict` → 409 CONFLICT (custody,
 * quantities, state), `not_found` → 404 (an object the command names does not exist).
 */
export interface Refusal {
  readonly refused: true;
  readonly status: 'rule' | 'conflict' | 'not_found';
  /** Stable rule id, e.g. `raw-milk.cooling.tank-max` or `custody.quantity`. */
  readonly rule: string;
  /** The standard or regulation the rule comes from, when there is one, e.g. `GB 19301-2010`. */
  readonly source?: string;
  readonly reason: { readonly 'zh-CN': string; readonly en: string };
  /** JSON pointer into the command body of the field at fault, when one is. */
  readonly path?: string;
  /** Machine-readable facts behind the refusal (ear tags, quantities, missing tests ...). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export function refuse(status: Refusal['status'], rule: string, zh: string, en: string, extra: Partial<Pick<Refusal, 'source' | 'path' | 'details'>> = {}): Refusal {
  return { refused: true, status, rule, reason: { 'zh-CN': zh, en }, ...extra };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && (value as { refused?: unknown }).refused === true;
}
