import { describe, expect, it } from 'vitest';
import { kindInfo, knownKinds, ROLES, validateEvent } from '../src/index.ts';
import { invalidDataVariants, unboundedFields, withoutOptionalFields } from './variants.ts';

const definitions = knownKinds().map(({ kind, version }) => kindInfo(kind, version)!);

describe.each(definitions)('$kind v$version', (definition) => {
  const { fixture, schema } = definition;

  it('accepts its fixture', () => {
    expect(validateEvent(fixture)).toEqual({ ok: true, event: fixture });
  });

  it('has a fixture of its own kind and version', () => {
    expect([fixture.kind, fixture.kindVersion]).toEqual([definition.kind, definition.version]);
  });

  it('describes itself in Chinese and English and names who may emit it', () => {
    expect(definition.description['zh-CN']).toMatch(/\p{Script=Han}/u);
    expect(definition.description.en).toMatch(/^[A-Z]/);
    expect(definition.roles.length).toBeGreaterThan(0);
    for (const role of definition.roles) expect(ROLES).toContain(role);
  });

  it('bounds every string, number and list in its data', () => {
    expect(unboundedFields(schema)).toEqual([]);
  });

  it('checks without transforming (what is hashed is what was sent)', () => {
    expect(schema.parse(fixture.data)).toEqual(fixture.data);
  });

  it.each(withoutOptionalFields(schema, fixture))('accepts the fixture without optional $name', ({ event }) => {
    expect(validateEvent(event).ok).toBe(true);
  });

  it('has at least one invalid variant for every field of its data', () => {
    const paths = new Set(invalidDataVariants(schema, fixture).map((v) => v.path));
    for (const key of Object.keys(fixture.data)) expect(paths).toContain(`/data/${key}`);
  });

  it.each(invalidDataVariants(schema, fixture))('refuses $name at $path', ({ event, path }) => {
    // Given an otherwise valid event with one defect, when it is validated,
    const result = validateEvent(event);
    // then it is refused, and a problem names the defective field in plain words.
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problem = result.problems.find((p) => p.path === path);
    expect(problem, JSON.stringify(result.problems)).toBeDefined();
    const field = path.split('/').filter((s) => s !== '' && !/^\d+$/.test(s)).at(-1)!;
    expect(problem!.message).toContain(field);
  });
});

describe('the registry', () => {
  it('knows every kind of the chain, each at version 1', () => {
    expect(knownKinds()).toEqual(
      [
        'animal.registered',
        'animal.treated',
        'milk.collected',
        'milk.transported',
        'milk.received',
        'sample.taken',
        'lab.result.recorded',
        'batch.produced',
        'lot.packed',
        'lot.held',
        'lot.released',
        'shipment.dispatched',
        'shipment.received',
        'shipment.temperature.reported',
        'lot.sold',
        'recall.initiated',
        'recall.acknowledged',
        'recall.closed',
        'org.key.registered',
      ].map((kind) => ({ kind, version: 1 })),
    );
  });

  it('hands out fixtures that cannot be changed by accident', () => {
    const info = kindInfo('milk.collected', 1)!;
    expect(Object.isFrozen(info.fixture.data)).toBe(true);
  });
});
