/**
 * The official GS1 EPCIS 2.0 JSON Schema (draft-07, so ajv's default class), copied unchanged into
 * ../standards/ (see NOTICE.md). The one I/O this package does: it reads its own copy once, on
 * first use, so importing the package costs nothing.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';

/** The JSON-LD context URL every EPCIS 2.0 document names first. */
export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

const STANDARDS = new URL('../standards/', import.meta.url);

// ajv-formats is CommonJS: under NodeNext its default import is the module object, whose
// `default` is the plugin (at run time the module object is the plugin itself as well).
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  (formatsModule as unknown as { default?: FormatsPlugin }).default ?? (formatsModule as unknown as FormatsPlugin);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(new URL('EPCIS-JSON-Schema.json', STANDARDS), 'utf8')) as Record<string, unknown>;
  // strict off: the GS1 schema uses `if` without `then` in places and other patterns ajv's strict
  // mode reports as authoring mistakes; they are GS1's to fix, and the schema is used as published.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  compiled = ajv.compile(schema);
  return compiled;
}

/** The GS1 EPCIS 2.0 JSON-LD context, as copied into the package (for serving beside exports). */
export function epcisContext(): unknown {
  return JSON.parse(readFileSync(new URL('epcis-context.jsonld', STANDARDS), 'utf8'));
}

export interface SchemaError {
  /** JSON Pointer into the document, e.g. /epcisBody/eventList/0/eventTime ('' for the root). */
  path: string;
  message: string;
}

export type SchemaResult = { ok: true } | { ok: false; errors: SchemaError[] };

/**
 * Validates an EPCISDocument (or a single event with its @context) against the official schema.
 * The errors are ajv's, one per failed keyword, deduplicated; the `if`/`anyOf` branches of the
 * schema make several of them describe one mistake, so read the deepest path first.
 */
export function validateEpcisDocument(doc: unknown): SchemaResult {
  const validate = validator();
  if (validate(doc)) return { ok: true };
  const seen = new Set<string>();
  const errors: SchemaError[] = [];
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'if') continue; // "must match then schema": the failing branch is reported on its own
    const params = e.params as Record<string, unknown>;
    const detail =
      e.keyword === 'propertyNames' && typeof params.propertyName === 'string'
        ? ` (property "${params.propertyName}")`
        : e.keyword === 'enum' && Array.isArray(params.allowedValues)
          ? ` (${params.allowedValues.slice(0, 8).join(', ')}${params.allowedValues.length > 8 ? ', ...' : ''})`
          : '';
    const error = { path: e.instancePath, message: `${e.message ?? e.keyword}${detail}` };
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(error);
  }
  return { ok: false, errors };
}
