/**
 * A fast acceptance check compiled from a zod schema: `accepts(schema)(value)` is true only when
 * `schema.safeParse(value)` would succeed. It is an accelerator, not a second validator: a
 * false answer means "ask zod" (validate.ts then runs the schema and reports its problems), so
 * it may be stricter than zod but never more lenient.
 *
 * It re-implements only the type tests of the schema kinds used in this package (strict objects,
 * arrays, strings, numbers, booleans, literals, enums, optional, nullable, unions, string-keyed
 * records of unknown values) and runs every check and refinement through zod's own check
 * functions, so formats, lengths, ranges and custom rules are zod's code, not a copy. Anything
 * else is handed to zod's parser for that value. test/fast-check.unit.test.ts compares the two
 * over every kind's fixture and every generated invalid variant.
 *
 * Schemas in this package never transform (fields.ts), so accepting a value is all there is.
 */
import type { z } from 'zod';

type Accepts = (value: unknown) => boolean;

interface Check {
  _zod: { def: { when?: (payload: Payload) => boolean }; check: (payload: Payload) => unknown };
}
interface Payload {
  value: unknown;
  issues: unknown[];
}
interface Internals {
  def: Record<string, unknown> & { type: string; checks?: Check[] };
  traits: Set<string>;
  values?: Set<unknown>;
  optin?: string;
}

const compiled = new WeakMap<object, Accepts>();

/** The compiled acceptance check of `schema` (compiled once, kept with the schema). */
export function accepts(schema: z.ZodType): Accepts {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

const isPlainRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function compile(schema: z.ZodType): Accepts {
  const zod = (schema as unknown as { _zod: Internals })._zod;
  const def = zod.def;
  const checks: Check[] = [...(zod.traits.has('$ZodCheck') ? [schema as unknown as Check] : []), ...(def.checks ?? [])];
  const base = compileType(schema, zod);
  if (checks.length === 0) return base;
  return (value) => base(value) && passes(checks, value);
}

/** zod's runChecks for a value whose type test passed and that has no issues so far. */
function passes(checks: Check[], value: unknown): boolean {
  const payload: Payload = { value, issues: [] };
  for (const ch of checks) {
    const when = ch._zod.def.when;
    if (when && !when(payload)) continue;
    const result = ch._zod.check(payload);
    if (result instanceof Promise) return false;
    if (payload.issues.length > 0) return false;
  }
  return true;
}

function viaZod(schema: z.ZodType): Accepts {
  return (value) => schema.safeParse(value).success;
}

function compileType(schema: z.ZodType, zod: Internals): Accepts {
  const def = zod.def;
  if (def.coerce) return viaZod(schema);
  switch (def.type) {
    case 'string':
      return (v) => typeof v === 'string';
    case 'number':
      return (v) => typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'literal':
    case 'enum': {
      const values = zod.values;
      if (!values) return viaZod(schema);
      return (v) => values.has(v);
    }
    case 'never':
      return () => false;
    case 'unknown':
    case 'any':
      return () => true;
    case 'nullable': {
      const inner = accepts(def.innerType as z.ZodType);
      return (v) => v === null || inner(v);
    }
    case 'optional': {
      const innerSchema = def.innerType as z.ZodType;
      const innerOptin = (innerSchema as unknown as { _zod: Internals })._zod.optin;
      if (zod.traits.has('$ZodExactOptional') || innerOptin === 'defaulted') return viaZod(schema);
      const inner = accepts(innerSchema);
      return (v) => v === undefined || inner(v);
    }
    case 'array': {
      const element = accepts(def.element as z.ZodType);
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case 'union': {
      if (def.inclusive === false) return viaZod(schema);
      const options = (def.options as z.ZodType[]).map(accepts);
      return (v) => options.some((o) => o(v));
    }
    case 'object': {
      const catchall = def.catchall as z.ZodType | undefined;
      const strict = catchall !== undefined && (catchall as unknown as { _zod: Internals })._zod.def.type === 'never';
      if (!strict) return viaZod(schema);
      const shape = def.shape as Record<string, z.ZodType>;
      const names = Object.keys(shape);
      const known = new Set(names);
      const fields = names.map((n) => accepts(shape[n]!));
      return (v) => {
        if (!isPlainRecord(v)) return false;
        const keys = Object.keys(v);
        for (let i = 0; i < keys.length; i++) if (!known.has(keys[i]!)) return false;
        for (let i = 0; i < names.length; i++) if (!fields[i]!(v[names[i]!])) return false;
        return true;
      };
    }
    case 'record': {
      const key = (def.keyType as { _zod: Internals })._zod;
      const value = (def.valueType as { _zod: Internals })._zod;
      const anyString = key.def.type === 'string' && !key.def.checks?.length && !key.traits.has('$ZodCheck') && !key.def.coerce;
      if (!anyString || value.def.type !== 'unknown') return viaZod(schema);
      return (v) => isPlainRecord(v) && Object.getOwnPropertySymbols(v).length === 0;
    }
    default:
      return viaZod(schema);
  }
}
