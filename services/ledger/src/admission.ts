import { canonicalBytes, eventIdFromBytes, signatureKid, verifyEventSignature, type LedgerEvent } from '@milkchain/ledger';
import { validateEvent } from '@milkchain/domain';
import { AppError, validationFailed } from '@milkchain/http';
import type { PreparedSubmission } from './sequencer.ts';
import type { LedgerStore, OrgKeyRecord } from './store/port.ts';

export const MAX_EVENTS_PER_SUBMISSION = 1000;
const YIELD_EVERY = 100;

type Problem = { path: string; message: string };

/** Org keys by kid. Registrations are append-only, so a found key never changes. */
export class OrgKeyCache {
  #keys = new Map<string, OrgKeyRecord>();
  constructor(private readonly store: LedgerStore) {}
  async get(kid: string): Promise<OrgKeyRecord | null> {
    const hit = this.#keys.get(kid);
    if (hit) return hit;
    const found = await this.store.orgKey(kid);
    if (found) this.#keys.set(kid, found);
    return found;
  }
}

/**
 * Turns a submission body into a PreparedSubmission, or throws a 4xx AppError naming the field.
 * Checks everything that does not depend on the log's state: envelope and kind schema, that the
 * operator-only kind is not submitted from outside, the signatures and that each was made by a
 * key registered to the event's organisation. `prev` and `inputs` are the sequencer's to check.
 */
export async function admit(body: unknown, keys: OrgKeyCache): Promise<PreparedSubmission> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationFailed([{ path: '', message: 'the body must be a JSON object {"events": [...], "signatures": [...]}' }]);
  }
  const { events, signatures, ...extra } = body as Record<string, unknown>;
  const problems: Problem[] = Object.keys(extra).map((k) => ({ path: `/${k}`, message: `unknown field "${k}"` }));
  if (!Array.isArray(events)) problems.push({ path: '/events', message: 'events must be an array of events' });
  else if (events.length === 0) problems.push({ path: '/events', message: 'events must not be empty' });
  else if (events.length > MAX_EVENTS_PER_SUBMISSION) {
    problems.push({ path: '/events', message: `too many events: ${events.length}; at most ${MAX_EVENTS_PER_SUBMISSION} per submission` });
  }
  if (!Array.isArray(signatures) || !signatures.every((s) => typeof s === 'string')) {
    problems.push({ path: '/signatures', message: 'signatures must be an array of compact JWS strings' });
  }
  if (problems.length > 0) throw validationFailed(problems);
  const evs = events as unknown[];
  const sigs = signatures as string[];

  const prepared: PreparedSubmission['events'] = [];
  for (const [i, raw] of evs.entries()) {
    // Let I/O in between (the sequencer's commits): a submission of 1000 is ~50 ms of CPU.
    if (i > 0 && i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    const checked = validateEvent(raw);
    if (!checked.ok) {
      problems.push(...checked.problems.map((p) => ({ path: `/events/${i}${p.path}`, message: p.message })));
      continue;
    }
    const event = checked.event as LedgerEvent;
    if (event.kind === 'org.key.registered') {
      problems.push({ path: `/events/${i}/kind`, message: 'org.key.registered is written by the log itself: register keys with POST /ledger/v1/orgs/{org}/keys' });
      continue;
    }
    // Hash what was sent, not what a schema library returned: the id names the submitted bytes.
    const canonical = canonicalBytes(raw);
    prepared.push({ event, id: eventIdFromBytes(canonical), canonical });
  }
  if (problems.length > 0) throw validationFailed(problems);

  const seen = new Map<string, number>();
  prepared.forEach((p, i) => {
    const first = seen.get(p.id);
    if (first !== undefined) problems.push({ path: `/events/${i}`, message: `the same event as events[${first}] (id ${p.id})` });
    seen.set(p.id, i);
  });
  if (problems.length > 0) throw validationFailed(problems);

  const ids = prepared.map((p) => p.id);
  if (sigs.length === prepared.length) {
    await Promise.all(
      prepared.map(async (p, i) => {
        const problem = await checkSignature(sigs[i]!, p.id, [p.event.org], keys);
        if (problem) problems.push({ path: `/signatures/${i}`, message: problem });
      }),
    );
    if (problems.length > 0) throw signatureProblems(problems);
    return { events: prepared, signatures: { kind: 'each', jws: sigs } };
  }
  if (sigs.length === 1 && prepared.length > 1) {
    const orgs = [...new Set(prepared.map((p) => p.event.org))];
    const problem = await checkSignature(sigs[0]!, { ids }, orgs, keys);
    if (problem) throw signatureProblems([{ path: '/signatures/0', message: problem }]);
    return { events: prepared, signatures: { kind: 'bulk', jws: sigs[0]!, ids } };
  }
  throw validationFailed([
    {
      path: '/signatures',
      message: `expected one signature per event (${prepared.length}) or one bulk signature over the JSON list of event ids; got ${sigs.length}`,
    },
  ]);
}

async function checkSignature(jws: string, payload: string | { ids: string[] }, orgs: string[], keys: OrgKeyCache): Promise<string | null> {
  let kid: string;
  try {
    kid = signatureKid(jws);
  } catch (err) {
    return `not a detached compact JWS with an EdDSA protected header: ${(err as Error).message}`;
  }
  const key = await keys.get(kid);
  if (!key) return `key ${kid} is not registered with the ledger`;
  const foreign = orgs.filter((o) => o !== key.org);
  if (foreign.length > 0) return `key ${kid} belongs to ${key.org}; it cannot sign events of ${foreign.join(', ')}`;
  try {
    if (typeof payload === 'string') await verifyEventSignature(payload, jws, key.jwk);
    else await verifyEventSignature(payload.ids[0]!, { jws, ids: payload.ids }, key.jwk);
  } catch {
    return typeof payload === 'string'
      ? `the signature does not verify for event id ${payload} with key ${kid}`
      : `the bulk signature does not verify over the JSON list of the ${payload.ids.length} event ids with key ${kid}`;
  }
  return null;
}

function signatureProblems(problems: Problem[]) {
  return new AppError('VALIDATION_FAILED', 'a signature is missing, malformed, or does not verify; nothing was written', { problems });
}
