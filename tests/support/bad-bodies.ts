/**
 * Invalid request bodies derived from a command's schema (zod → JSON Schema) and its example, so
 * that a new command or field is covered by the bad-input tests without editing them.
 *
 * Every case says which JSON pointer the refusal must name. The cases here are the ones the
 * schema alone decides (a 400 VALIDATION_FAILED); the ones a decider decides (times in the
 * future, unknown ids, duplicates) need live objects and are built by the test from the world,
 * with `fieldsOf`, `futureBodies` and `freshValue` below.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { withGs1CheckDigit, type CommandDefinition } from '@milkchain/domain';

/** The part of JSON Schema (draft 2020-12, as zod 4 writes it) the generator reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
  /** GS1 key name ('GTIN-14', 'GLN', 'SSCC'), from fields.ts `.meta({ gs1 })`. */
  gs1?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

export type CaseKind =
  | 'missing'
  | 'extra'
  | 'wrong-type'
  | 'range'
  | 'string'
  | 'huge-string'
  | 'gs1'
  | 'bad-date'
  | 'infinity'
  | 'deep-nesting'
  | 'invalid-utf8'
  | 'content-type'
  | 'too-large'
  | 'future';

export interface BadBody {
  /** Readable, unique within the command: `missing /milkingWindow/end`. */
  name: string;
  kind: CaseKind;
  /** A JSON value sent as application/json ... */
  body?: unknown;
  /** ... or these exact bytes. */
  raw?: string | Buffer;
  /** Content-Type to send (default application/json); null sends none. */
  contentType?: string | null;
  /** The JSON pointer the problem must name ('' when the body as a whole is at fault). */
  path: string;
  /** Acceptable statuses (default [400]). */
  status?: number[];
  /** Acceptable problem codes (default ['VALIDATION_FAILED']). */
  codes?: string[];
}

/** A value of the body with the schema that governs it. */
export interface Field {
  pointer: string;
  schema: JsonSchema;
  value: unknown;
  /** The key in its parent object (undefined for array items and the root). */
  key?: string;
  /** True when the parent object requires it. */
  required: boolean;
}

/** One MiB of text: larger than any field allows, well inside the 4 MB body limit. */
export const HUGE_STRING_LENGTH = 1 << 20;
/** Nesting depth of the deep-nesting case. */
export const NESTING_DEPTH = 10_000;
/** The custody services' JSON body limit (app.ts `jsonBody({ limit: '4mb' })`). */
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

const cache = new WeakMap<object, JsonSchema>();

/** The command's request schema as JSON Schema (input side: what a caller may send). */
export function jsonSchemaOf(def: CommandDefinition): JsonSchema {
  let js = cache.get(def.schema);
  if (!js) {
    js = z.toJSONSchema(def.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    cache.set(def.schema, js);
  }
  return js;
}

function escape(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function resolve(root: JsonSchema, s: JsonSchema): JsonSchema {
  if (s.$ref?.startsWith('#/$defs/')) return root.$defs?.[s.$ref.slice('#/$defs/'.length)] ?? s;
  return s;
}

function typeOfValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The JSON types a schema admits ('integer' is listed as such; 'number' admits integers). */
export function typesOf(root: JsonSchema, schema: JsonSchema): Set<string> {
  const s = resolve(root, schema);
  const out = new Set<string>();
  if (s.type !== undefined) for (const t of [s.type].flat()) out.add(t);
  for (const alt of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) for (const t of typesOf(root, alt)) out.add(t);
  if (s.enum) for (const v of s.enum) out.add(typeOfValue(v));
  if (s.const !== undefined) out.add(typeOfValue(s.const));
  if (s.properties) out.add('object');
  if (s.items) out.add('array');
  return out;
}

function admits(types: Set<string>, type: string): boolean {
  if (types.size === 0) return true; // {} admits anything
  if (types.has(type)) return true;
  return type === 'integer' && types.has('number');
}

/** The alternative of a oneOf/anyOf that `value` is meant for (its enums and keys fit). */
function branchFor(root: JsonSchema, schema: JsonSchema, value: unknown): JsonSchema {
  const s = resolve(root, schema);
  const alts = s.oneOf ?? s.anyOf;
  if (!alts) return s;
  const fits = (alt: JsonSchema): boolean => {
    const a = resolve(root, alt);
    if (!admits(typesOf(root, a), typeOfValue(value))) return false;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !a.properties) return true;
    return Object.entries(value).every(([k, v]) => {
      const p = a.properties?.[k];
      if (!p) return false;
      const pr = resolve(root, p);
      return pr.enum === undefined || pr.enum.includes(v);
    });
  };
  return alts.find(fits) ?? alts[0] ?? s;
}

/** Every value present in `value` (the root included), with its schema, depth first. */
export function fieldsOf(root: JsonSchema, value: unknown): Field[] {
  const out: Field[] = [];
  const walk = (schema: JsonSchema, v: unknown, pointer: string, key: string | undefined, required: boolean) => {
    const s = branchFor(root, schema, v);
    out.push({ pointer, schema: s, value: v, ...(key === undefined ? {} : { key }), required });
    if (Array.isArray(v) && s.items) {
      v.forEach((item, i) => walk(s.items!, item, `${pointer}/${i}`, undefined, false));
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && s.properties) {
      for (const [k, child] of Object.entries(v)) {
        const cs = s.properties[k];
        if (cs) walk(cs, child, `${pointer}/${escape(k)}`, k, s.required?.includes(k) ?? false);
      }
    }
  };
  walk(root, value, '', undefined, true);
  return out;
}

function tokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** A deep copy of `value` with the value at `pointer` replaced (or removed when `next` is REMOVE). */
export function setAt(value: unknown, pointer: string, next: unknown): unknown {
  const copy = structuredClone(value);
  const path = tokens(pointer);
  if (path.length === 0) return next;
  let node = copy as Record<string, unknown>;
  for (const t of path.slice(0, -1)) node = node[t] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (next === REMOVE) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = next;
  }
  return copy;
}

export const REMOVE: unique symbol = Symbol('remove');

export function getAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const t of tokens(pointer)) node = (node as Record<string, unknown>)[t];
  return node;
}

/** `value` as JSON with the value at `pointer` written as the literal `text` (e.g. 1e400). */
export function rawWith(value: unknown, pointer: string, text: string): string {
  const marker = `__raw_${randomBytes(6).toString('hex')}__`;
  return JSON.stringify(setAt(value, pointer, marker)).replace(JSON.stringify(marker), text);
}

const WRONG_VALUES: ReadonlyArray<[string, unknown]> = [
  ['string', 'NaN'],
  ['number', 12.5],
  ['boolean', true],
  ['null', null],
  ['object', { value: 1 }],
  ['array', ['x']],
];

/** Another GS1 key of the same length with a wrong check digit. */
function wrongCheckDigit(key: string): string {
  const right = Number(key.at(-1));
  return key.slice(0, -1) + String((right + 1) % 10);
}

/** A date-time or date value that is not one. */
const BAD_DATES: Readonly<Record<string, readonly string[]>> = {
  'date-time': ['2026-02-30T10:00:00+08:00', '2026-11-23T06:10:00', '2026-11-23T25:10:00+08:00'],
  date: ['2026-02-30', '2026-13-01', '2026-11-23T00:00:00+08:00'],
};

/**
 * The invalid bodies the schema alone refuses, derived from `def.example`: each names the field
 * its refusal must point at. Fields absent from the example (optional ones it leaves out) are not
 * visited: the example is expected to show every field (a test checks the coverage).
 */
export function badBodies(def: CommandDefinition): BadBody[] {
  const root = jsonSchemaOf(def);
  const example = def.example as unknown;
  const out: BadBody[] = [];
  const add = (c: BadBody) => out.push(c);
  const fields = fieldsOf(root, example);

  for (const f of fields) {
    const at = f.pointer || '(body)';
    const types = typesOf(root, f.schema);

    if (f.pointer !== '' && f.required) add({ name: `missing ${at}`, kind: 'missing', body: setAt(example, f.pointer, REMOVE), path: f.pointer });

    if (types.has('object') && f.value !== null && typeof f.value === 'object' && !Array.isArray(f.value)) {
      const extra = `${f.pointer}/unexpectedField`;
      add({ name: `extra field ${extra}`, kind: 'extra', body: setAt(example, extra, 'surprise'), path: extra });
    }

    if (f.pointer !== '') {
      // Every wrong type at the top level; deeper, null and the first other one (enough to show
      // nested fields are checked, at a third of the requests).
      const wrongs = WRONG_VALUES.filter(([type]) => !admits(types, type) && !(type === 'number' && admits(types, 'integer')));
      const nested = tokens(f.pointer).length > 1;
      for (const [type, wrong] of nested ? wrongs.filter(([t], i) => t === 'null' || i === 0) : wrongs) {
        add({ name: `${at} as ${type}`, kind: 'wrong-type', body: setAt(example, f.pointer, wrong), path: f.pointer });
      }
    }

    // Optional fields the example leaves out are still checked when sent.
    if (f.schema.properties && f.value !== null && typeof f.value === 'object' && !Array.isArray(f.value)) {
      for (const [key, child] of Object.entries(f.schema.properties)) {
        if (key in f.value) continue;
        const pointer = `${f.pointer}/${escape(key)}`;
        const childTypes = typesOf(root, child);
        for (const [type, wrong] of WRONG_VALUES.filter(([t]) => t === 'null' || t === 'array')) {
          if (!admits(childTypes, type)) add({ name: `${pointer} (not in the example) as ${type}`, kind: 'wrong-type', body: setAt(example, pointer, wrong), path: pointer });
        }
      }
    }

    if (types.has('number') || types.has('integer')) {
      const s = f.schema;
      const values = new Map<string, unknown>();
      if (s.minimum !== undefined) values.set(`below minimum ${s.minimum}`, s.minimum - 1);
      if (s.exclusiveMinimum !== undefined) values.set(`at exclusive minimum ${s.exclusiveMinimum}`, s.exclusiveMinimum);
      if (s.maximum !== undefined) values.set(`above maximum ${s.maximum}`, s.maximum + 1);
      if (s.exclusiveMaximum !== undefined) values.set(`at exclusive maximum ${s.exclusiveMaximum}`, s.exclusiveMaximum);
      if ((s.maximum ?? Infinity) < 1e308) values.set('1e308', 1e308);
      if ((s.minimum ?? s.exclusiveMinimum ?? -Infinity) >= 0) values.set('negative', -1);
      if (types.has('integer') && !types.has('number')) values.set('a fraction', (s.minimum ?? 0) + 1.5);
      for (const [label, v] of values) add({ name: `${at} ${label}`, kind: 'range', body: setAt(example, f.pointer, v), path: f.pointer });
      // 1e400 is valid JSON that parses to Infinity, which no field may hold.
      add({ name: `${at} 1e400 (Infinity)`, kind: 'infinity', raw: rawWith(example, f.pointer, '1e400'), path: f.pointer });
    }

    if (types.has('string') && typeof f.value === 'string') {
      const s = f.schema;
      if ((s.minLength ?? 0) >= 1 || s.enum || s.pattern || s.format) add({ name: `${at} empty`, kind: 'string', body: setAt(example, f.pointer, ''), path: f.pointer });
      if (s.maxLength !== undefined && !s.enum) {
        add({ name: `${at} one character too long`, kind: 'string', body: setAt(example, f.pointer, f.value + 'x'.repeat(s.maxLength + 1 - f.value.length)), path: f.pointer });
      }
      if (s.enum) add({ name: `${at} not one of its values`, kind: 'string', body: setAt(example, f.pointer, 'not_a_member'), path: f.pointer });
      if (!s.enum && !s.format) {
        add({ name: `${at} with a control character`, kind: 'string', body: setAt(example, f.pointer, `${f.value}\u0007`), path: f.pointer });
        add({ name: `${at} with an unpaired surrogate`, kind: 'string', body: setAt(example, f.pointer, `${f.value}\ud800`), path: f.pointer });
      }
      add({ name: `${at} 1 MiB long`, kind: 'huge-string', body: setAt(example, f.pointer, 'x'.repeat(HUGE_STRING_LENGTH)), path: f.pointer });
      if (s.gs1) add({ name: `${at} wrong ${s.gs1} check digit`, kind: 'gs1', body: setAt(example, f.pointer, wrongCheckDigit(f.value)), path: f.pointer });
      for (const bad of BAD_DATES[s.format ?? ''] ?? []) add({ name: `${at} invalid ${s.format} "${bad}"`, kind: 'bad-date', body: setAt(example, f.pointer, bad), path: f.pointer });
    }
  }

  // Deep nesting where one top-level field belongs: the parser must cope and the schema refuse.
  const deep = '['.repeat(NESTING_DEPTH) + ']'.repeat(NESTING_DEPTH);
  for (const f of fields.filter((x) => x.key !== undefined && tokens(x.pointer).length === 1)) {
    add({ name: `${f.pointer} nested ${NESTING_DEPTH} arrays deep`, kind: 'deep-nesting', raw: rawWith(example, f.pointer, deep), path: f.pointer });
  }

  // Bytes that are not UTF-8 inside a string (0xC3 0x28: a lead byte without its continuation).
  const firstString = fields.find((x) => typeof x.value === 'string');
  if (firstString) {
    const text = rawWith(example, firstString.pointer, '"@@NOT-UTF8@@"');
    const [before, after] = text.split('@@NOT-UTF8@@') as [string, string];
    add({
      name: `invalid UTF-8 in ${firstString.pointer}`,
      kind: 'invalid-utf8',
      raw: Buffer.concat([Buffer.from(before), Buffer.from([0x41, 0xc3, 0x28, 0xff]), Buffer.from(after)]),
      path: '',
      codes: ['MALFORMED_JSON', 'VALIDATION_FAILED'],
    });
  }

  add({ name: 'text/plain body', kind: 'content-type', raw: JSON.stringify(example), contentType: 'text/plain', path: '', status: [415], codes: ['UNSUPPORTED_MEDIA_TYPE'] });
  add({ name: 'form-encoded body', kind: 'content-type', raw: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded', path: '', status: [415], codes: ['UNSUPPORTED_MEDIA_TYPE'] });
  add({ name: 'no body at all', kind: 'content-type', raw: '', contentType: null, path: '', status: [400, 415], codes: ['VALIDATION_FAILED', 'UNSUPPORTED_MEDIA_TYPE'] });
  add({ name: 'a JSON array instead of an object', kind: 'wrong-type', body: [example], path: '' });
  add({ name: 'JSON null', kind: 'wrong-type', raw: 'null', path: '' });
  add({ name: 'truncated JSON', kind: 'content-type', raw: JSON.stringify(example).slice(0, -5), path: '', codes: ['MALFORMED_JSON'] });
  add({
    name: `a body over the ${BODY_LIMIT_BYTES / 1024 / 1024} MB limit`,
    kind: 'too-large',
    raw: JSON.stringify({ ...(example as object), padding: 'x'.repeat(BODY_LIMIT_BYTES + 1024) }),
    path: '',
    status: [413],
    codes: ['PAYLOAD_TOO_LARGE'],
  });

  const seen = new Set<string>();
  return out.filter((c) => (seen.has(c.name) ? false : (seen.add(c.name), true)));
}

export interface FutureBody extends BadBody {
  /** Every field moved into the future: the refusal may name any of them (the first one checked). */
  moved: string[];
}

/**
 * `body` with one date-time field at a time moved `aheadMs` past `now` (the services refuse times
 * more than FUTURE_SLACK_MS ahead of their clock), every date-time field at or after it moved by
 * as much so that their order still holds (an end after its start, a record after the event),
 * skipping fields in `allowed` (those that name a future time by nature, e.g. the end of a
 * withdrawal period).
 */
export function futureBodies(def: CommandDefinition, body: unknown, now: Date, allowed: ReadonlySet<string>, aheadMs = 3_600_000): FutureBody[] {
  const times = fieldsOf(jsonSchemaOf(def), body).filter((f): f is Field & { value: string } => f.schema.format === 'date-time' && typeof f.value === 'string');
  const out: FutureBody[] = [];
  for (const f of times) {
    if (allowed.has(generic(f.pointer))) continue;
    const shift = now.getTime() + aheadMs - Date.parse(f.value);
    let moved = body;
    const names: string[] = [];
    for (const g of times) {
      if (Date.parse(g.value) < Date.parse(f.value)) continue;
      moved = setAt(moved, g.pointer, new Date(Date.parse(g.value) + shift).toISOString().replace(/\.\d{3}Z$/, 'Z'));
      if (!allowed.has(generic(g.pointer))) names.push(g.pointer);
    }
    out.push({ name: `${f.pointer} an hour ahead`, kind: 'future', body: moved, path: f.pointer, moved: names, status: [422], codes: ['RULE_VIOLATED'] });
  }
  return out;
}

const generic = (pointer: string) => pointer.replace(/\/\d+(?=\/|$)/g, '/*');

/** Every date-time field of `body` (array indexes as `*`): for checking an allow-list is not stale. */
export function dateTimeFields(def: CommandDefinition, body: unknown): string[] {
  return fieldsOf(jsonSchemaOf(def), body)
    .filter((f) => f.schema.format === 'date-time')
    .map((f) => generic(f.pointer));
}

/**
 * Another value for an identifier field that its schema still accepts: the last characters
 * replaced by random ones of the same kind (digits stay digits), a GS1 key given its check digit.
 */
export function freshValue(schema: JsonSchema, value: string): string {
  const n = Math.min(5, Math.max(1, value.length - (schema.gs1 ? 1 : 0)));
  const random = (digits: boolean) => {
    const alphabet = digits ? '0123456789' : 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
    return Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
  };
  if (schema.gs1) return withGs1CheckDigit(value.slice(0, -1 - n) + random(true));
  const digits = /^[0-9]+$/.test(value);
  return value.slice(0, value.length - n) + random(digits);
}
