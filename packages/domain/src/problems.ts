/**
 * Turns zod issues into problems a person can act on: a JSON-pointer path (RFC 6901) and a
 * sentence in plain English that names the field and the rule it broke.
 */
import type { z } from 'zod';

export type Problem = { path: string; message: string };

type PathSegment = PropertyKey;

/** RFC 6901 pointer: '' for the whole value, '/data/lots/0/gtin' for a nested field. */
export function toPointer(path: readonly PathSegment[]): string {
  return path.map((s) => '/' + String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

/** The field's name as a reader would write it: `data.lots[0].gtin`. */
function label(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the event';
  return path.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${String(s)}` : String(s)), '');
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  null: 'null',
};

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'object') return 'an object';
  if (typeof input === 'number' && !Number.isInteger(input)) return 'a fraction';
  return TYPE_NAMES[typeof input] ?? typeof input;
}

const FORMATS: Record<string, string> = {
  datetime: 'must be an RFC 3339 date-time with seconds and a UTC offset, e.g. 2026-11-23T06:10:00+08:00',
  date: 'must be a calendar date written YYYY-MM-DD',
};

const plural = (n: number | bigint, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function sizeRule(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const big = issue.code === 'too_big';
  const limit = big ? (issue as z.core.$ZodIssueTooBig).maximum : (issue as z.core.$ZodIssueTooSmall).minimum;
  const n = Number(limit);
  switch (issue.origin) {
    case 'string':
      if (issue.exact) return `must be exactly ${plural(n, 'character', 'characters')} long`;
      if (!big && n === 1) return 'must not be empty';
      return `must be at ${big ? 'most' : 'least'} ${plural(n, 'character', 'characters')} long`;
    case 'array':
    case 'set':
      if (issue.exact) return `must have exactly ${plural(n, 'item', 'items')}`;
      return `must have at ${big ? 'most' : 'least'} ${plural(n, 'item', 'items')}`;
    default:
      if (big) return issue.inclusive === false ? `must be less than ${n}` : `must be at most ${n}`;
      return issue.inclusive === false ? `must be greater than ${n}` : `must be at least ${n}`;
  }
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${describeInput(issue.input)}`;
    case 'too_big':
    case 'too_small':
      return sizeRule(issue);
    case 'invalid_format':
      if (issue.format === 'regex') {
        // Our regex checks all carry a predicate message; zod's default starts with "Invalid".
        return issue.message.startsWith('must') ? issue.message : `must match the pattern ${issue.pattern ?? ''}`;
      }
      return FORMATS[issue.format] ?? `must be a valid ${issue.format}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union': {
      // A discriminated union reports at its discriminator, with the object as input.
      const { discriminator, input } = issue;
      if (discriminator !== undefined && 'options' in issue && issue.options !== undefined) {
        const options = issue.options.map((v) => JSON.stringify(v)).join(', ');
        const missing = typeof input === 'object' && input !== null && !(discriminator in input);
        return missing ? `is required: one of ${options}` : `must be one of ${options}`;
      }
      return 'does not match any of the allowed forms';
    }
    case 'custom':
      return issue.message;
    default:
      return issue.message;
  }
}

/** Problems for `issues`, with `prefix` put in front of every path (e.g. ['data']). */
export function toProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PathSegment[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      // One problem per key, pointing at the key itself.
      for (const key of issue.keys) {
        problems.push({ path: toPointer([...path, key]), message: `${label([...path, key])} is not an allowed field` });
      }
    } else {
      problems.push({ path: toPointer(path), message: `${label(path)} ${describe(issue)}` });
    }
  }
  return problems;
}
