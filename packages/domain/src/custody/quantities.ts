/**
 * Quantities as custody objects hold them: litres for milk and fluid products, kilograms for
 * solids, whole units for packed lots. Other volume and mass units are converted; between volume
 * and mass, at the density of milk (MILK_KG_PER_L, the rule packs' figure).
 */
import { MILK_KG_PER_L } from '../rules/index.ts';
import type { ObjectUnit } from './types.ts';

const LITRES: Readonly<Record<string, number>> = { L: 1, mL: 0.001 };
const KILOGRAMS: Readonly<Record<string, number>> = { kg: 1, g: 0.001, t: 1000 };

/** Rounds away floating-point dust (0.1 + 0.2) so that holdings stay exact enough to compare. */
export function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** The unit an object keeps a quantity given in `unit` in. */
export function objectUnitOf(unit: string): Exclude<ObjectUnit, null> {
  if (Object.hasOwn(LITRES, unit)) return 'L';
  if (Object.hasOwn(KILOGRAMS, unit)) return 'kg';
  return 'unit';
}

/**
 * `value` `unit` expressed in `to`; undefined when it cannot be (counted units against a volume
 * or mass, or an object with no unit).
 */
export function convert(value: number, unit: string, to: ObjectUnit): number | undefined {
  if (to === null) return undefined;
  if (to === 'unit') return unit === 'unit' ? value : undefined;
  const l = Object.hasOwn(LITRES, unit) ? LITRES[unit] : undefined;
  const kg = Object.hasOwn(KILOGRAMS, unit) ? KILOGRAMS[unit] : undefined;
  if (to === 'L') return l !== undefined ? round(value * l) : kg !== undefined ? round((value * kg) / MILK_KG_PER_L) : undefined;
  return kg !== undefined ? round(value * kg) : l !== undefined ? round(value * l * MILK_KG_PER_L) : undefined;
}

/** Exactly-typed own-property read of a holdings record (0 when absent). */
export function heldBy(holdings: Readonly<Record<string, number>>, org: string): number {
  return Object.hasOwn(holdings, org) ? (holdings[org] ?? 0) : 0;
}

/** Sum of all holdings. */
export function totalHeld(holdings: Readonly<Record<string, number>>): number {
  return round(Object.values(holdings).reduce((a, b) => a + b, 0));
}
