/**
 * Subjects of the custody objects: URNs built from the identifiers people use (ear tag, GTIN and
 * lot, SSCC) or from the recording organisation and its own id (collections, loads, batches,
 * samples), so that two organisations can never name the same object by accident.
 */
import { z } from 'zod';
import { URN } from '../fields.ts';
import type { ObjectType } from './types.ts';

const PARTS: Readonly<Record<ObjectType, number>> = {
  animal: 1, // earTag
  collection: 2, // org, collectionId
  load: 2, // org, loadId
  batch: 2, // org, batchId
  lot: 2, // gtin14, lot
  sample: 2, // org, sampleId
  shipment: 1, // sscc18
  recall: 1, // recallId
};

/** Characters an id may use inside a subject: the URN pattern's, less `:` (the separator) and `~`. */
const PART = /^[A-Za-z0-9._-]+$/;

/**
 * e.g. subjectFor('lot', gtin, lot) → 'urn:milkchain:lot:<gtin>:<lot>'. Throws a RangeError on
 * a wrong number of parts or a part that a subject cannot carry: the command schemas
 * (`localId`, `subjectLot`) refuse such ids before they get here.
 */
export function subjectFor(type: ObjectType, ...parts: string[]): string {
  if (parts.length !== PARTS[type]) throw new RangeError(`a ${type} subject has ${PARTS[type]} part(s), got ${parts.length}`);
  const bad = parts.find((p) => !PART.test(p));
  if (bad !== undefined) throw new RangeError(`"${bad}" cannot be part of a subject (letters, digits, . _ - only)`);
  const subject = `urn:milkchain:${type}:${parts.join(':')}`;
  if (!URN.test(subject)) throw new RangeError(`${subject} is not a valid subject`);
  return subject;
}

/** The type of a custody subject, or undefined when it is not one. */
export function typeOfSubject(subject: string): ObjectType | undefined {
  const type = /^urn:milkchain:([a-z]+):/.exec(subject)?.[1];
  return type !== undefined && Object.hasOwn(PARTS, type) ? (type as ObjectType) : undefined;
}

/** An organisation's own id for something it records (collection, load, batch, sample): usable in a subject. */
export const localId = (max = 64) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must start with a letter or digit and contain only letters, digits and . _ -');

/**
 * A lot number that can be part of a subject: GS1 AI 10 allows more characters (/, %, & ...),
 * but milkchain lot subjects carry only letters, digits and . _ -.
 */
export const subjectLot = z
  .string()
  .min(1)
  .max(20)
  .regex(/^[A-Za-z0-9._-]+$/, 'must be 1 to 20 letters, digits or . _ - (GS1 AI 10, the part milkchain subjects can carry)');
