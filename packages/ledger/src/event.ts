/** The event envelope (ARCHITECTURE.md, "Events (exact)"). Kind schemas live in @milkchain/domain. */
export type LedgerEvent = {
  v: 1;
  kind: string;
  kindVersion: number;
  org: string;
  subject: string;
  /** Id of the subject's previous event, or null for its first. */
  prev: string | null;
  /** Ids of the latest event of each input object. */
  inputs: string[];
  occurredAt: string;
  data: Record<string, unknown>;
};

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The envelope's shape, as the ledger itself depends on it (the chain fields above all). Returns
 * what is wrong, or null. The full per-kind check is @milkchain/domain's `validateEvent`.
 */
export function envelopeProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the event is not a JSON object';
  const e = value as Record<string, unknown>;
  if (e.v !== 1) return 'v must be 1';
  if (typeof e.kind !== 'string' || e.kind === '') return 'kind must be a non-empty string';
  if (typeof e.kindVersion !== 'number' || !Number.isSafeInteger(e.kindVersion) || e.kindVersion < 1) return 'kindVersion must be a positive integer';
  if (typeof e.org !== 'string' || e.org === '') return 'org must be a non-empty string';
  if (typeof e.subject !== 'string' || e.subject === '') return 'subject must be a non-empty string';
  if (e.prev !== null && (typeof e.prev !== 'string' || !HEX64.test(e.prev))) return 'prev must be null or an event id';
  if (!Array.isArray(e.inputs) || !e.inputs.every((i) => typeof i === 'string' && HEX64.test(i))) return 'inputs must be a list of event ids';
  if (new Set(e.inputs).size !== e.inputs.length) return 'inputs must not repeat an id';
  if (typeof e.occurredAt !== 'string' || Number.isNaN(Date.parse(e.occurredAt))) return 'occurredAt must be an RFC 3339 time';
  if (typeof e.data !== 'object' || e.data === null || Array.isArray(e.data)) return 'data must be a JSON object';
  const extra = Object.keys(e).filter((k) => !ENVELOPE_KEYS.has(k));
  if (extra.length > 0) return `unknown envelope field ${extra.join(', ')}`;
  return null;
}

const ENVELOPE_KEYS = new Set(['v', 'kind', 'kindVersion', 'org', 'subject', 'prev', 'inputs', 'occurredAt', 'data']);

/** The kind the log operator writes to register an organisation's public key. */
export const ORG_KEY_REGISTERED = 'org.key.registered';
