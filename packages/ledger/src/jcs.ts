/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * RFC 8785 defines its primitives by ECMAScript's own JSON.stringify (number serialisation per
 * Number::toString, string escaping per QuoteJSONString), so primitives are delegated to it; what
 * is left is sorting object members by the UTF-16 code units of their names (the default
 * Array.prototype.sort order) and refusing every value that is not I-JSON (RFC 7493), instead of
 * silently dropping or coercing it as JSON.stringify would.
 */
import { utf8Encode } from './bytes.ts';

/** A value that has no RFC 8785 form. `path` points at it, e.g. `$.data.items[3]`. */
export class CanonicalizationError extends Error {
  override name = 'CanonicalizationError';
  constructor(
    readonly reason: string,
    readonly path: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** Matches a lone surrogate; in `u` mode a well-formed pair is one code point and never matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The RFC 8785 canonical JSON text of `value`. Throws CanonicalizationError for non-I-JSON input. */
export function canonicalize(value: unknown): string {
  // Fast path: a copy whose members are inserted in RFC 8785 order, written by the engine's
  // JSON.stringify in one call. It bails out (and the general serializer below decides, and
  // names the offending value) on anything it does not handle exactly: see sortedCopy.
  let copy: unknown;
  try {
    copy = sortedCopy(value, 0);
  } catch (err) {
    if (err !== BAIL) throw err;
    return serialize(value, []);
  }
  return JSON.stringify(copy);
}

const BAIL = Symbol('bail');
const MAX_FAST_DEPTH = 64;

/**
 * A copy of `value` with every object's members inserted in sorted order, so that the engine's
 * JSON.stringify (same string and number forms as RFC 8785) writes its canonical form. Throws
 * BAIL for whatever it cannot vouch for: a value with no JSON form, a lone surrogate, a non-plain
 * object or array, symbol keys, deep nesting (possibly a cycle), and member names that
 * JSON.stringify would not write in insertion order (array-index names such as "10" are always
 * enumerated first, in numeric order) or that a plain object cannot hold as an own member
 * ("__proto__").
 */
function sortedCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw BAIL;
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw BAIL;
      return value;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (depth > MAX_FAST_DEPTH) throw BAIL;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) throw BAIL;
        const out: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) out[i] = sortedCopy(value[i], depth + 1);
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || Object.getOwnPropertySymbols(value).length > 0) throw BAIL;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const name = keys[i]!;
        const first = name.charCodeAt(0);
        if ((first >= 48 && first <= 57) || name === '__proto__' || !isWellFormed(name)) throw BAIL;
        out[name] = sortedCopy(record[name], depth + 1);
      }
      return out;
    }
    default:
      throw BAIL;
  }
}

/** The canonical form as UTF-8 bytes: what is hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8Encode(canonicalize(value));
}

// The hot path (every event is canonicalised on admission and again by the audit) builds no path
// strings: `stack` holds the objects and arrays being serialised, and `pathOf` rebuilds the
// `$.a.b[3]` path from them only when something is refused.
type Container = object;

const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as string & { isWellFormed(): boolean }).isWellFormed()
    : (s) => !LONE_SURROGATE.test(s);

function serialize(value: unknown, stack: Container[], key?: string | number): string {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw refused('string contains a lone surrogate', stack, key);
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw refused(`${value} is not a JSON number`, stack, key);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (stack.includes(value)) throw refused('cyclic structure', stack, key);
      stack.push(value);
      const out = Array.isArray(value) ? serializeArray(value, stack, key) : serializeObject(value, stack, key);
      stack.pop();
      return out;
    }
    default:
      throw refused(`${typeof value} is not a JSON value`, stack, key);
  }
}

function serializeArray(value: unknown[], stack: Container[], key: string | number | undefined): string {
  if (Object.getPrototypeOf(value) !== Array.prototype) throw refused('not a plain array', stack.slice(0, -1), key);
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += ',';
    out += serialize(value[i], stack, i);
  }
  return out + ']';
}

function serializeObject(value: object, stack: Container[], key: string | number | undefined): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw refused(`${value.constructor?.name ?? 'object'} is not a plain JSON object`, stack.slice(0, -1), key);
  }
  if (Object.getOwnPropertySymbols(value).length > 0) throw refused('object has symbol keys', stack.slice(0, -1), key);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i]!;
    if (!isWellFormed(name)) throw refused('member name contains a lone surrogate', stack, name);
    if (i > 0) out += ',';
    out += JSON.stringify(name) + ':' + serialize(record[name], stack, name);
  }
  return out + '}';
}

/** The error, with the path of the offending value: its container chain, then its own key. */
function refused(reason: string, stack: Container[], key: string | number | undefined): CanonicalizationError {
  let path = '$';
  for (let i = 1; i < stack.length; i++) path += segment(keyOf(stack[i - 1]!, stack[i]!));
  if (key !== undefined) path += segment(key);
  return new CanonicalizationError(reason, path);
}

function keyOf(parent: Container, child: Container): string | number {
  if (Array.isArray(parent)) return parent.indexOf(child);
  for (const k of Object.keys(parent)) if ((parent as Record<string, unknown>)[k] === child) return k;
  return '?';
}

function segment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Whether `text` is exactly the RFC 8785 form of the JSON it holds (false for malformed JSON).
 * The audit asks this of every stored event, so the common case is fast: when the engine's own
 * JSON.stringify reproduces the text (same number and string forms as RFC 8785), only member
 * order and lone surrogates remain to check; anything else falls back to full canonicalisation.
 */
export function isCanonicalJson(text: string, parsedText?: unknown): boolean {
  // Callers that already parsed `text` pass the result, so the audit parses each event once.
  let parsed: unknown = parsedText;
  if (parsed === undefined) {
    try {
      parsed = JSON.parse(text);
    } catch {
      return false;
    }
  }
  try {
    if (JSON.stringify(parsed) === text) return sortedAndWellFormed(parsed);
    return canonicalize(parsed) === text;
  } catch {
    return false;
  }
}

function sortedAndWellFormed(value: unknown): boolean {
  if (typeof value === 'string') return isWellFormed(value);
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!sortedAndWellFormed(item)) return false;
    return true;
  }
  const record = value as Record<string, unknown>;
  let previous: string | undefined;
  for (const key in record) {
    // `<` on strings compares UTF-16 code units: RFC 8785's order.
    if ((previous !== undefined && !(previous < key)) || !isWellFormed(key) || !sortedAndWellFormed(record[key])) return false;
    previous = key;
  }
  return true;
}
