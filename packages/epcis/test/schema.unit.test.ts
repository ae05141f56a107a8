import { describe, expect, it } from 'vitest';
import { validateEpcisDocument } from '../src/index.ts';
import { gs1Examples } from './helpers.ts';

describe('validateEpcisDocument (the official EPCIS 2.0 JSON Schema)', () => {
  it('given the five GS1 example documents, then every one validates', () => {
    const examples = gs1Examples();
    expect(examples.map((e) => e.name)).toEqual([
      'Example_9.6.1-ObjectEvent.jsonld',
      'Example_9.6.3-AggregationEvent.jsonld',
      'Example_9.6.4-TransformationEvent.jsonld',
      'Example_9.6.4-TransformationEventWithDigitalLink.jsonld',
      'SensorDataExample1.jsonld',
    ]);
    for (const { name, doc } of examples) expect(validateEpcisDocument(doc), name).toEqual({ ok: true });
  });

  it('given an event without eventTime and with a bad action, then the errors name those fields by JSON pointer', () => {
    const doc = structuredClone(gs1Examples()[0]!.doc) as { epcisBody: { eventList: Array<Record<string, unknown>> } };
    const event = doc.epcisBody.eventList[1]!;
    delete event.eventTime;
    event.action = 'MOVE';
    const result = validateEpcisDocument(doc);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.errors.map((e) => e.path);
    expect(paths).toContain('/epcisBody/eventList/1');
    expect(paths).toContain('/epcisBody/eventList/1/action');
    expect(result.errors.find((e) => e.path === '/epcisBody/eventList/1' && e.message.includes('eventTime'))).toBeDefined();
    expect(result.errors.find((e) => e.path === '/epcisBody/eventList/1/action')!.message).toMatch(/OBSERVE/);
  });

  it('given a document without @context or with an unknown top-level field, then it is refused', () => {
    const doc = structuredClone(gs1Examples()[0]!.doc) as Record<string, unknown>;
    delete doc['@context'];
    doc.colour = 'blue';
    const result = validateEpcisDocument(doc);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.some((e) => e.path === '' && e.message.includes('@context'))).toBe(true);
    expect(result.errors.some((e) => e.message.includes('"colour"'))).toBe(true);
  });
});
