import { envelopeSchema, type LedgerEvent } from './envelope.ts';
import { accepts } from './fast-check.ts';
import { type Problem, toProblems } from './problems.ts';
import { kindInfo, knownKinds } from './registry.ts';

export type ValidationResult = { ok: true; event: LedgerEvent } | { ok: false; problems: Problem[] };

const fastEnvelope = accepts(envelopeSchema);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownKind(kind: string): Problem {
  const names = [...new Set(knownKinds().map((k) => k.kind))].join(', ');
  return { path: '/kind', message: `kind "${kind}" is not a known kind; the known kinds are: ${names}` };
}

function unknownVersion(kind: string, version: number): Problem {
  const versions = knownKinds()
    .filter((k) => k.kind === kind)
    .map((k) => k.version)
    .join(', ');
  return { path: '/kindVersion', message: `kindVersion ${version} is not a known version of ${kind}; the known versions are: ${versions}` };
}

/**
 * Checks an event as received: the envelope, then that its kind and version are registered,
 * then its data against that version's schema. All problems are reported at once, envelope
 * problems first.
 *
 * On success the very object passed in is returned, typed: schemas never transform (see
 * fields.ts), so what was validated is what gets hashed.
 */
export function validateEvent(event: unknown): ValidationResult {
  // Fast path (fast-check.ts): true only where the schemas below would find no problem; anything
  // else, and every refusal, goes through zod, which names the problems.
  if (isRecord(event)) {
    const { kind, kindVersion } = event;
    const info = typeof kind === 'string' && typeof kindVersion === 'number' ? kindInfo(kind, kindVersion) : undefined;
    if (info && fastEnvelope(event) && accepts(info.schema)(event.data)) return { ok: true, event: event as LedgerEvent };
  }
  const envelope = envelopeSchema.safeParse(event, { reportInput: true });
  const problems = envelope.success ? [] : toProblems(envelope.error.issues);
  if (!isRecord(event)) return { ok: false, problems };

  // The kind and data checks need only kind, kindVersion and data; run them even when another
  // envelope field is wrong, so the sender learns everything in one round trip.
  const wellFormed = (field: string) => !problems.some((p) => p.path === `/${field}`);
  const { kind, kindVersion, data } = event as Pick<LedgerEvent, 'kind' | 'kindVersion' | 'data'>;
  if (wellFormed('kind')) {
    if (kindInfo(kind) === undefined) {
      problems.push(unknownKind(kind));
    } else if (wellFormed('kindVersion')) {
      const info = kindInfo(kind, kindVersion);
      if (info === undefined) {
        problems.push(unknownVersion(kind, kindVersion));
      } else if (isRecord(data)) {
        const result = info.schema.safeParse(data, { reportInput: true });
        if (!result.success) problems.push(...toProblems(result.error.issues, ['data']));
      }
    }
  }

  return problems.length === 0 ? { ok: true, event: event as LedgerEvent } : { ok: false, problems };
}
