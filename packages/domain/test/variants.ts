/**
 * Generates invalid variants of a valid event by walking its data schema and its fixture side
 * by side: for every field, the variants a careless or hostile sender would produce, each with
 * the path the refusal must name.
 */
import { z } from 'zod';
import type { LedgerEvent } from '../src/index.ts';
import { toPointer } from '../src/index.ts';

type Path = (string | number)[];

export type Variant = {
  /** e.g. "data.volumeL above its maximum" */
  name: string;
  event: unknown;
  /** JSON pointer the refusal must name. */
  path: string;
};

type Edit = { name: string; path: Path; value?: unknown; remove?: true; expect?: Path };

function unwrap(schema: z.ZodType): { schema: z.ZodType; optional: boolean } {
  let optional = false;
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
    if (s instanceof z.ZodOptional) optional = true;
    s = s.unwrap() as z.ZodType;
  }
  return { schema: s, optional };
}

function arrayMax(schema: z.ZodArray): number | undefined {
  for (const check of schema._zod.def.checks ?? []) {
    const def = check._zod.def as { check: string; maximum?: number };
    if (def.check === 'max_length') return def.maximum;
  }
  return undefined;
}

/** The option of a discriminated union that `value` belongs to (the fixture must pick one). */
function optionFor(union: z.ZodDiscriminatedUnion, value: unknown, at: string): z.ZodType {
  const option = (union.options as readonly z.ZodType[]).find((o) => o.safeParse(value).success);
  if (!option) throw new Error(`${at}: the fixture's value matches no option of the union`);
  return option;
}

const label = (path: Path) => path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1);

function* edits(schema: z.ZodType, value: unknown, path: Path): Generator<Edit> {
  const { schema: s } = unwrap(schema);
  const at = label(path);

  if (s instanceof z.ZodObject) {
    yield { name: `${at} not an object`, path, value: 'not an object' };
    yield { name: `${at} with an extra field`, path: [...path, 'unexpected'], value: 1 };
    const record = value as Record<string, unknown>;
    for (const [key, child] of Object.entries(s.shape as Record<string, z.ZodType>)) {
      if (!unwrap(child).optional) yield { name: `${at}.${key} missing`, path: [...path, key], remove: true };
      if (key in record) yield* edits(child, record[key], [...path, key]);
    }
  } else if (s instanceof z.ZodArray) {
    const items = value as unknown[];
    yield { name: `${at} not an array`, path, value: { not: 'an array' } };
    const max = arrayMax(s);
    if (max !== undefined && items.length > 0) {
      yield { name: `${at} longer than ${max} items`, path, value: Array.from({ length: max + 1 }, () => items[0]) };
    }
    for (const [i, item] of items.entries()) yield* edits(s.element as z.ZodType, item, [...path, i]);
  } else if (s instanceof z.ZodDiscriminatedUnion) {
    // The option the fixture uses; its discriminator's own edits cover "no such option".
    yield* edits(optionFor(s, value, at), value, path);
  } else if (s._zod.def.type === 'string') {
    const str = s as z.ZodString;
    yield { name: `${at} a number`, path, value: 42 };
    if (str.maxLength !== null) yield { name: `${at} longer than ${str.maxLength}`, path, value: '7'.repeat(str.maxLength + 1) };
    if ((str.minLength ?? 0) > 0) yield { name: `${at} empty`, path, value: '' };
    if (z.globalRegistry.get(s)?.['gs1'] !== undefined) {
      const code = value as string;
      const wrong = String((Number(code.at(-1)) + 1) % 10);
      yield { name: `${at} with a wrong check digit`, path, value: code.slice(0, -1) + wrong };
    }
  } else if (s instanceof z.ZodNumber) {
    yield { name: `${at} a string`, path, value: String(value) };
    if (s.minValue !== null && Number.isFinite(s.minValue)) yield { name: `${at} below its minimum`, path, value: s.minValue - 1 };
    if (s.maxValue !== null && Number.isFinite(s.maxValue)) yield { name: `${at} above its maximum`, path, value: s.maxValue + 1 };
    if (s.isInt) yield { name: `${at} a fraction`, path, value: (value as number) + 0.5 };
  } else if (s instanceof z.ZodBoolean) {
    yield { name: `${at} a string`, path, value: 'true' };
  } else if (s instanceof z.ZodEnum) {
    yield { name: `${at} not one of its options`, path, value: 'not_an_option' };
    yield { name: `${at} a number`, path, value: 7 };
  } else if (s instanceof z.ZodLiteral) {
    yield { name: `${at} another value`, path, value: typeof value === 'string' ? `${value}x` : 2 };
  }
}

function applyEdit(event: LedgerEvent, edit: Edit): unknown {
  const copy = structuredClone(event) as unknown as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const segment of edit.path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
  const last = edit.path.at(-1);
  if (last === undefined) return edit.value;
  if (edit.remove) delete parent[last];
  else parent[last] = edit.value;
  return copy;
}

/** Invalid variants of `event`'s data, each refused at the path it names. */
export function invalidDataVariants(schema: z.ZodType, event: LedgerEvent): Variant[] {
  return [...edits(schema, event.data, ['data'])].map((edit) => ({
    name: edit.name,
    event: applyEdit(event, edit),
    path: toPointer(edit.expect ?? edit.path),
  }));
}

/** Variants of `event` without each optional data field present in the fixture (all still valid). */
export function withoutOptionalFields(schema: z.ZodType, event: LedgerEvent): Array<{ name: string; event: unknown }> {
  const out: Array<{ name: string; event: unknown }> = [];
  function walk(s0: z.ZodType, value: unknown, path: Path): void {
    const { schema: s } = unwrap(s0);
    if (s instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(s.shape as Record<string, z.ZodType>)) {
        const record = value as Record<string, unknown>;
        if (!(key in record)) continue;
        if (unwrap(child).optional) out.push({ name: label([...path, key]), event: applyEdit(event, { name: '', path: [...path, key], remove: true }) });
        walk(child, record[key], [...path, key]);
      }
    } else if (s instanceof z.ZodArray) {
      (value as unknown[]).forEach((item, i) => walk(s.element as z.ZodType, item, [...path, i]));
    } else if (s instanceof z.ZodDiscriminatedUnion) {
      walk(optionFor(s, value, label(path)), value, path);
    }
  }
  walk(schema, event.data, ['data']);
  return out;
}

/** Every leaf of `schema` that lacks a bound: strings without a maximum length, numbers without a finite range, arrays without a maximum size. */
export function unboundedFields(schema: z.ZodType, path: Path = ['data']): string[] {
  const { schema: s } = unwrap(schema);
  const at = label(path);
  if (s instanceof z.ZodObject) {
    return Object.entries(s.shape as Record<string, z.ZodType>).flatMap(([key, child]) => unboundedFields(child, [...path, key]));
  }
  if (s instanceof z.ZodArray) {
    return [...(arrayMax(s) === undefined ? [`${at} (array)`] : []), ...unboundedFields(s.element as z.ZodType, [...path, 0])];
  }
  if (s instanceof z.ZodDiscriminatedUnion) {
    return (s.options as readonly z.ZodType[]).flatMap((option) => unboundedFields(option, path));
  }
  if (s._zod.def.type === 'string') return (s as z.ZodString).maxLength === null ? [`${at} (string)`] : [];
  if (s instanceof z.ZodNumber) {
    const bounded = Number.isFinite(s.minValue ?? NaN) && Number.isFinite(s.maxValue ?? NaN) && Math.abs(s.maxValue ?? 0) <= 1e12;
    return bounded ? [] : [`${at} (number)`];
  }
  if (s instanceof z.ZodEnum || s instanceof z.ZodLiteral || s instanceof z.ZodBoolean) return [];
  return [`${at} (${s._zod.def.type}: not checked by this walker)`];
}
