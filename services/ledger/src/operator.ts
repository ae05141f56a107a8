import { calculateJwkThumbprint, type JWK } from 'jose';
import { canonicalBytes, eventIdFromBytes, signEventId, type LedgerEvent } from '@milkchain/ledger';
import { AppError, validationFailed } from '@milkchain/http';
import type { LogKey } from './keys.ts';
import type { Sequencer, SubmissionResult } from './sequencer.ts';
import type { LedgerStore, OrgKeyRecord, PublicJwk } from './store/port.ts';

const ORG_ID = /^org_[a-z0-9_-]{2,60}$/;

/**
 * The log operator's own writes. Registering an organisation's key is itself an entry of the log
 * (`org.key.registered`, signed by the log key), so an auditor learns every key from the log and a
 * key swapped in the database later shows up as a disagreement.
 */
export class Operator {
  constructor(
    private readonly deps: { store: LedgerStore; sequencer: Sequencer; logKey: LogKey; operatorOrg: string; clock: () => Date },
  ) {}

  async registerOrgKey(org: string, body: unknown): Promise<{ record: OrgKeyRecord; created: boolean; result?: SubmissionResult }> {
    if (!ORG_ID.test(org)) throw validationFailed([{ path: '/org', message: 'the organisation id must look like org_<letters, digits, _ or ->' }]);
    const jwk = (body as { jwk?: unknown } | null)?.jwk;
    const problems: Array<{ path: string; message: string }> = [];
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      throw validationFailed([{ path: '/jwk', message: 'jwk must be an Ed25519 public JWK object {"kty":"OKP","crv":"Ed25519","x":"..."}' }]);
    }
    const k = jwk as Record<string, unknown>;
    if ('d' in k) problems.push({ path: '/jwk/d', message: 'this is a private key: send only the public half (drop "d") and keep the private key secret' });
    if (k.kty !== 'OKP') problems.push({ path: '/jwk/kty', message: 'kty must be "OKP"' });
    if (k.crv !== 'Ed25519') problems.push({ path: '/jwk/crv', message: 'crv must be "Ed25519"' });
    if (typeof k.x !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(k.x)) problems.push({ path: '/jwk/x', message: 'x must be the 32-byte public key, base64url without padding (43 characters)' });
    if (problems.length > 0) throw validationFailed(problems);
    const publicJwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: k.x as string };
    const kid = await calculateJwkThumbprint(publicJwk as JWK, 'sha256');

    const existing = await this.deps.store.orgKey(kid);
    if (existing) {
      if (existing.org !== org) throw new AppError('CONFLICT', `this key is already registered to ${existing.org}`, { kid });
      return { record: existing, created: false };
    }
    const subject = `urn:milkchain:org:${org}`;
    const head = (await this.deps.store.heads([subject])).get(subject) ?? null;
    const event: LedgerEvent = {
      v: 1,
      kind: 'org.key.registered',
      kindVersion: 1,
      org: this.deps.operatorOrg,
      subject,
      prev: head,
      inputs: [],
      occurredAt: this.deps.clock().toISOString(),
      data: { org, kid, jwk: publicJwk },
    };
    const canonical = canonicalBytes(event);
    const id = eventIdFromBytes(canonical);
    const jws = await signEventId(id, this.deps.logKey.privateKey, this.deps.logKey.kid);
    const result = await this.deps.sequencer.submit({
      events: [{ event, id, canonical }],
      signatures: { kind: 'each', jws: [jws] },
      orgKeys: [{ kid, org, jwk: publicJwk, eventId: id }],
    });
    const seq = result.entries[0]!.seq;
    return { record: { kid, org, jwk: publicJwk, seq }, created: true, result };
  }
}
