/**
 * Field schemas shared by the envelope and the kinds.
 *
 * Contract for every schema in this package: it only checks, it never transforms (no trim, no
 * coerce, no default). An event's id is the hash of the bytes its author signed, so validation
 * must accept or refuse those bytes as they are, never rewrite them.
 *
 * Messages given here are predicates ("must be ..."): problems.ts puts the field's name in front.
 */
import { z } from 'zod';
import { GS1_LOT, gs1CheckDigit } from './gs1.ts';

export const EVENT_ID = /^[0-9a-f]{64}$/;
export const ORG_ID = /^org_[a-z0-9_-]{2,60}$/;
export const URN = /^urn:milkchain:[a-z][a-z0-9.-]*:[A-Za-z0-9._~:-]{1,200}$/;

/** SHA-256 event id, lowercase hex. */
export const eventId = z.string().regex(EVENT_ID, 'must be 64 lowercase hex characters (an event id)');

export const orgId = z.string().max(64).regex(ORG_ID, 'must look like org_<2 to 60 of a-z, 0-9, _ or ->');

export const urn = z
  .string()
  .max(300)
  .regex(URN, 'must be a URN like urn:milkchain:<type>:<id> (id: 1 to 200 of A-Z, a-z, 0-9, . _ ~ : -)');

/** RFC 3339 date-time with seconds and an explicit offset (Z or ±hh:mm). */
export const timestamp = z.iso.datetime({ offset: true }).max(40);

/** Calendar date, YYYY-MM-DD. */
export const date = z.iso.date().max(10);

const SINGLE_LINE = /^[^\p{Cc}\u2028\u2029]*$/u;
const MULTI_LINE = /^(?:[^\p{Cc}\u2028\u2029]|[\n\t])*$/u;
// In `u` mode a well-formed surrogate pair is one code point, so only an unpaired half matches.
const WELL_FORMED = /^\P{Cs}*$/u;
const NOT_BLANK = /^$|\S/u;

/**
 * Text for people. An unpaired surrogate is refused because it has no UTF-8 form: the event could
 * not be canonicalised (RFC 8785) and so could not be hashed or signed. Blank text says nothing.
 */
function humanText(max: number, lines: RegExp, linesMessage: string) {
  return z
    .string()
    .min(1)
    .max(max)
    .regex(lines, linesMessage)
    .regex(WELL_FORMED, 'must be well-formed Unicode (it contains an unpaired surrogate)')
    .regex(NOT_BLANK, 'must not be blank');
}

/** Human-readable text on one line, 1 to `max` characters. */
export const text = (max: number) => humanText(max, SINGLE_LINE, 'must be one line without control characters');

/** Free text that may span lines (tabs and line feeds allowed, other control characters not). */
export const longText = (max: number) =>
  humanText(max, MULTI_LINE, 'must not contain control characters other than tab and line feed');

const CODE = /^[A-Za-z0-9][A-Za-z0-9._/:-]*$/;

/** An identifier or document number: letters and digits, then also . _ / : -. */
export const code = (max = 64) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(CODE, 'must start with a letter or digit and contain only letters, digits and . _ / : -');

/** Temperature in °C. The range covers frozen storage up to UHT heating. */
export const temperatureC = z.number().min(-40).max(150);

/** Raw milk volume in litres: one tanker load at most. */
export const volumeL = z.number().gt(0).max(60_000);

export const species = z.enum(['cow', 'goat', 'sheep', 'camel', 'mare', 'yak']);

/** Animal ear tag (China: 15-digit national code; imported animals keep their own scheme). */
export const earTag = z
  .string()
  .min(4)
  .max(32)
  .regex(/^[A-Za-z0-9-]+$/, 'must contain only letters, digits and -');

function gs1Key(length: number, name: string) {
  return z
    .string()
    .length(length)
    .regex(/^[0-9]+$/, `must contain only digits (${name})`)
    .superRefine((value, ctx) => {
      if (!/^[0-9]+$/.test(value) || value.length !== length) return; // reported above
      const expected = gs1CheckDigit(value.slice(0, -1));
      if (Number(value.at(-1)) !== expected) {
        ctx.addIssue({
          code: 'custom',
          message: `must end in its GS1 check digit (${name}: expected ${expected}, got ${value.at(-1)})`,
        });
      }
    })
    .meta({ gs1: name });
}

export const gtin14 = gs1Key(14, 'GTIN-14');
export const gln13 = gs1Key(13, 'GLN');
export const sscc18 = gs1Key(18, 'SSCC');

/** GS1 AI 10 lot number. */
export const lot = z.string().min(1).max(20).regex(GS1_LOT, 'must be 1 to 20 characters of GS1 character set 82');

export const lotRef = z.strictObject({ gtin: gtin14, lot });

/** A party and optionally the place (GLN) where something happened. */
export const place = z.strictObject({
  org: orgId,
  gln: gln13.optional(),
  name: text(120).optional(),
});

/** Quantity of product with its unit. */
export const quantity = z.strictObject({
  value: z.number().gt(0).max(1_000_000),
  unit: z.enum(['L', 'mL', 'kg', 'g', 't', 'unit']),
});

export const temperatureReading = z.strictObject({ at: timestamp, temperatureC });

export const temperatureRange = z
  .strictObject({ minC: temperatureC, maxC: temperatureC })
  .refine((r) => r.minC <= r.maxC, { message: 'must not be below minC', path: ['maxC'], ...comparing('minC', 'maxC') });

/**
 * Options for a rule that compares fields of one object: it runs only when the value is an object
 * and the `fields` it reads passed their own checks. A wrong field is then reported once, by its
 * own rule, and not a second time as a puzzling comparison (zod would otherwise run the rule after
 * non-fatal issues such as a malformed date).
 */
export function comparing(...fields: string[]): { when: (payload: z.core.ParsePayload) => boolean } {
  return {
    when: (payload) =>
      payload.issues.every((issue) => {
        const first = issue.path?.[0];
        if (first === undefined) return issue.code === 'unrecognized_keys';
        return !fields.includes(String(first));
      }),
  };
}

/** True when RFC 3339 instant `a` is strictly before `b` (offsets taken into account). */
export function isBefore(a: string, b: string): boolean {
  return Date.parse(a) < Date.parse(b);
}

/** Whole units of product (packs, bottles, cases). */
export const units = (min: number) => z.int().min(min).max(10_000_000);

/**
 * Lots with a count each (a shipment's contents, a recall's scope): at most 1000, each (GTIN,
 * lot) once.
 */
export function lotList<S extends z.ZodType<{ gtin: string; lot: string }>>(line: S) {
  return z
    .array(line)
    .max(1000)
    .superRefine((lines, ctx) => {
      const seen = new Set<string>();
      lines.forEach((l, i) => {
        const key = `${l.gtin}|${l.lot}`;
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'lot'], message: 'must not repeat a lot listed above' });
        seen.add(key);
      });
    });
}
