import { envelopeSchema, type LedgerEvent } from './envelope.ts';
import { type Problem, toProblems } from './problems.ts';
import { kindInfo } from './registry.ts';

export type ValidationResult = { ok: true; event: LedgerEvent } | { ok: false; problems: Problem[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks an event as received: the envelope, then that its kind and version are registered,
 * then its data against that version's schema. All problems are reported at once, envelope
 * problems first.
 *
 * On success the very object passed in is returned, typed: schemas never transform (see
 * fields.ts), so what was validated is what gets hashed.
 */
export function validateEvent(event: unknown): ValidationResult {
  const envelope = envelopeSchema.safeParse(event, { reportInput: true });
  const problems = envelope.success ? [] : toProblems(envelope.error.issues);

  // The kind and data checks need only these three fields; run them even when another envelope
  // field is wrong, so the sender learns everything in one round trip.
  const kindUsable = !problems.some((p) => p.path === '/kind' || p.path === '/kindVersion' || p.path === '');
  if (isRecord(event) && kindUsable) {
    const { kind, kindVersion, data } = event as Pick<LedgerEvent, 'kind' | 'kindVersion' | 'data'>;
    const info = kindInfo(kind, kindVersion);
    if (!info) {
      problems.push({ path: '/kind', message: `unknown kind "${kind}" version ${kindVersion}` });
    } else if (isRecord(data)) {
      const result = info.schema.safeParse(data, { reportInput: true });
      if (!result.success) problems.push(...toProblems(result.error.issues, ['data']));
    }
  }

  return problems.length === 0 ? { ok: true, event: event as LedgerEvent } : { ok: false, problems };
}
