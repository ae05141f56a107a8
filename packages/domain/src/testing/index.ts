/**
 * Test helpers: valid events built from the kinds' fixtures.
 */
import type { LedgerEvent } from '../envelope.ts';
import { kindInfo } from '../registry.ts';

export type EventOverrides = Partial<Omit<LedgerEvent, 'data'>> & { data?: Record<string, unknown> };

/**
 * A fresh copy of the fixture of `kind` (at `overrides.kindVersion`, else the latest version),
 * with envelope fields replaced by `overrides` and `overrides.data` merged over the fixture's
 * data (shallowly: a nested object given replaces the fixture's one; a key set to undefined
 * is removed). Throws for an unknown kind or version.
 */
export function fixtureEvent(kind: string, overrides: EventOverrides = {}): LedgerEvent {
  const info = kindInfo(kind, overrides.kindVersion);
  if (!info) throw new Error(`no fixture: unknown kind "${kind}" version ${overrides.kindVersion ?? '(latest)'}`);
  const { data, ...envelope } = overrides;
  const base = structuredClone(info.fixture);
  const merged: Record<string, unknown> = { ...base.data, ...data };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return { ...base, ...envelope, data: merged };
}
