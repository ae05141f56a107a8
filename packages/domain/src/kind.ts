import type { z } from 'zod';
import type { LedgerEvent } from './envelope.ts';

/** The roles an organisation (or, for `operator` and `admin`, the deployment's staff) can hold. */
export const ROLES = [
  'farm',
  'collector',
  'processor',
  'workshop',
  'lab',
  'logistics',
  'retailer',
  'regulator',
  'admin',
  'operator',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * One version of one event kind. A version, once released, is never changed: a new field or
 * rule means a new version beside it (old events stay readable forever).
 */
export interface KindDefinition<K extends string = string, V extends number = number, S extends z.ZodType = z.ZodType> {
  readonly kind: K;
  readonly version: V;
  /** What the event records, for people: Chinese first, then English. */
  readonly description: { readonly 'zh-CN': string; readonly en: string };
  /** The roles whose organisations may emit this kind. */
  readonly roles: readonly Role[];
  /** Schema of `data`. It checks and never transforms (see fields.ts). */
  readonly schema: S;
  /** A complete, valid, realistic event of this kind and version. */
  readonly fixture: LedgerEvent;
}

/**
 * Declares a kind version; the fixture's data is type-checked against the schema.
 */
export function defineKind<const K extends string, const V extends number, S extends z.ZodType<Record<string, unknown>, Record<string, unknown>>>(
  definition: Omit<KindDefinition<K, V, S>, 'fixture'> & {
    fixture: Omit<LedgerEvent, 'kind' | 'kindVersion' | 'data'> & { kind: K; kindVersion: V; data: z.input<S> };
  },
): KindDefinition<K, V, S> {
  return definition;
}
