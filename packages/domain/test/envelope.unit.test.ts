import { describe, expect, it } from 'vitest';
import { knownKinds, MAX_INPUTS, validateEvent } from '../src/index.ts';
import { fixtureEvent } from '../src/testing/index.ts';

const id = (n: number) => n.toString(16).padStart(64, '0');

function problemsOf(event: unknown) {
  const result = validateEvent(event);
  return result.ok ? [] : result.problems;
}

describe('validateEvent: the envelope', () => {
  it('returns the very object it was given when valid', () => {
    const event = fixtureEvent('milk.collected');
    const result = validateEvent(event);
    expect(result.ok && result.event).toBe(event);
  });

  it.each([
    ['a string', 'milk'],
    ['null', null],
    ['an array', []],
  ])('refuses %s at the root', (_, event) => {
    expect(problemsOf(event)).toEqual([{ path: '', message: expect.stringContaining('the event must be an object') }]);
  });

  it('refuses unknown top-level fields', () => {
    const event = { ...fixtureEvent('milk.collected'), signature: 'x' };
    expect(problemsOf(event)).toEqual([{ path: '/signature', message: 'signature is not an allowed field' }]);
  });

  it.each([
    ['v', 2, 'v must be 1'],
    ['kindVersion', 0, 'kindVersion must be greater than 0'],
    ['kindVersion', 1.5, 'kindVersion must be a whole number, not a fraction'],
    ['kind', 'Milk Collected', 'kind must be dotted lowercase words, e.g. milk.collected'],
    ['org', 'org_A', 'org must look like org_<2 to 60 of a-z, 0-9, _ or ->'],
    ['org', 'hohhot', 'org must look like org_<2 to 60 of a-z, 0-9, _ or ->'],
    ['subject', 'urn:other:collection:1', expect.stringContaining('subject must be a URN like urn:milkchain:')],
    ['subject', 'urn:milkchain:collection:has space', expect.stringContaining('subject must be a URN')],
    ['prev', 'ABC', 'prev must be 64 lowercase hex characters (an event id)'],
    ['prev', 'AB'.repeat(32), 'prev must be 64 lowercase hex characters (an event id)'],
    ['prev', undefined, 'prev is required'],
    ['inputs', 'abc', 'inputs must be an array, not a string'],
    ['occurredAt', '2026-11-23T06:10:00', expect.stringContaining('occurredAt must be an RFC 3339 date-time')],
    ['occurredAt', '2026-11-23 06:10:00+08:00', expect.stringContaining('occurredAt must be an RFC 3339 date-time')],
    ['occurredAt', '2026-11-23T06:10+08:00', expect.stringContaining('occurredAt must be an RFC 3339 date-time')],
    ['occurredAt', 1_795_000_000_000, 'occurredAt must be a string, not a number'],
    ['data', [], 'data must be an object, not an array'],
    ['data', null, 'data must be an object, not null'],
  ])('refuses %s = %j', (field, value, message) => {
    const event: Record<string, unknown> = { ...fixtureEvent('milk.collected'), [field]: value };
    if (value === undefined) delete event[field];
    expect(problemsOf(event)).toEqual([{ path: `/${field}`, message }]);
  });

  it.each(['2026-11-23T06:10:00+08:00', '2026-11-22T22:10:00Z', '2026-11-23T06:10:00.123-05:30'])(
    'accepts occurredAt %s',
    (occurredAt) => {
      expect(problemsOf(fixtureEvent('milk.collected', { occurredAt }))).toEqual([]);
    },
  );

  it('accepts prev = null and up to MAX_INPUTS distinct inputs', () => {
    const inputs = Array.from({ length: MAX_INPUTS }, (_, i) => id(i));
    expect(problemsOf(fixtureEvent('batch.produced', { prev: null, inputs }))).toEqual([]);
  });

  it('refuses more than MAX_INPUTS inputs', () => {
    const inputs = Array.from({ length: MAX_INPUTS + 1 }, (_, i) => id(i));
    expect(problemsOf(fixtureEvent('batch.produced', { inputs }))).toEqual([
      { path: '/inputs', message: 'inputs must have at most 1000 items' },
    ]);
  });

  it('refuses a repeated input, naming the repeat', () => {
    const event = fixtureEvent('batch.produced', { inputs: [id(1), id(2), id(1)] });
    expect(problemsOf(event)).toEqual([{ path: '/inputs/2', message: 'inputs[2] must not repeat inputs[0]' }]);
  });

  it('refuses a malformed input id at its index', () => {
    const event = fixtureEvent('batch.produced', { inputs: [id(1), 'nope'] });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/inputs/1']);
  });
});

describe('validateEvent: kinds', () => {
  it('refuses an unknown kind at /kind, naming it and every known kind', () => {
    const event = fixtureEvent('milk.collected', { kind: 'milk.spilled' });
    const problems = problemsOf(event);
    expect(problems).toEqual([
      { path: '/kind', message: expect.stringMatching(/^kind "milk.spilled" is not a known kind; the known kinds are: /) },
    ]);
    for (const { kind } of knownKinds()) expect(problems[0]!.message).toContain(kind);
  });

  it('refuses an unknown version of a known kind at /kindVersion, naming the known versions', () => {
    const event = { ...fixtureEvent('milk.collected'), kindVersion: 9 };
    expect(problemsOf(event)).toEqual([
      { path: '/kindVersion', message: 'kindVersion 9 is not a known version of milk.collected; the known versions are: 1' },
    ]);
  });

  it('still says the kind is unknown when kindVersion is malformed too', () => {
    const event = { ...fixtureEvent('milk.collected'), kind: 'milk.spilled', kindVersion: '1' };
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/kindVersion', '/kind']);
  });

  it('does not look up a malformed kind, nor check data it cannot know the schema of', () => {
    const event = fixtureEvent('milk.collected', { kind: 'Milk Collected', data: { volumeL: -1 } });
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/kind']);
  });

  it('checks the data of an event whose other envelope fields are wrong', () => {
    const event = { ...fixtureEvent('milk.collected', { data: { volumeL: -1 } }), v: 2, extra: true };
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/v', '/extra', '/data/volumeL']);
  });

  it('reports envelope and data problems together, envelope first', () => {
    // Given an event wrong both in its envelope and in its data
    const event = fixtureEvent('milk.collected', { occurredAt: 'yesterday', data: { volumeL: -1 } });
    // When it is validated, then both are reported in one answer
    expect(problemsOf(event).map((p) => p.path)).toEqual(['/occurredAt', '/data/volumeL']);
  });

  it('escapes JSON-pointer special characters in field names', () => {
    const event = fixtureEvent('milk.collected', { data: { 'a/b~c': 1 } });
    expect(problemsOf(event)).toEqual([{ path: '/data/a~1b~0c', message: 'data.a/b~c is not an allowed field' }]);
  });
});
