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
  return serialize(value, '$', new Set());
}

/** The canonical form as UTF-8 bytes: what is hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8Encode(canonicalize(value));
}

function serialize(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new CanonicalizationError('string contains a lone surrogate', path);
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalizationError(`${value} is not a JSON number`, path);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (ancestors.has(value)) throw new CanonicalizationError('cyclic structure', path);
      ancestors.add(value);
      try {
        return Array.isArray(value) ? serializeArray(value, path, ancestors) : serializeObject(value, path, ancestors);
      } finally {
        ancestors.delete(value);
      }
    default:
      throw new CanonicalizationError(`${typeof value} is not a JSON value`, path);
  }
}

function serializeArray(value: unknown[], path: string, ancestors: Set<object>): string {
  if (Object.getPrototypeOf(value) !== Array.prototype) throw new CanonicalizationError('not a plain array', path);
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += ',';
    out += serialize(value[i], `${path}[${i}]`, ancestors);
  }
  return out + ']';
}

function serializeObject(value: object, path: string, ancestors: Set<object>): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalizationError(`${value.constructor?.name ?? 'object'} is not a plain JSON object`, path);
  }
  if (Object.getOwnPropertySymbols(value).length > 0) throw new CanonicalizationError('object has symbol keys', path);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const at = IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
    if (LONE_SURROGATE.test(key)) throw new CanonicalizationError('member name contains a lone surrogate', at);
    if (i > 0) out += ',';
    out += JSON.stringify(key) + ':' + serialize(record[key], at, ancestors);
  }
  return out + '}';
}
