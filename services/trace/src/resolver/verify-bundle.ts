/**
 * Checks a verification bundle with packages/ledger's own verifier functions: every event's id is
 * the hash of its canonical bytes, every `prev` and `inputs` link is present and consistent down
 * to the farm collections, every signature verifies with its organisation's registered key, every
 * inclusion proof leads to the checkpoint's root, and the checkpoint is signed by a log key.
 *
 * Browser-safe (the consumer page's script runs exactly this); no Node APIs.
 */
import {
  eventId,
  fromHex,
  ORG_KEY_REGISTERED,
  signatureKid,
  verifyCheckpoint,
  verifyEventSignature,
  verifyInclusion,
  type Checkpoint,
} from '@milkchain/ledger';
import type { BundleEntry, VerificationBundle } from './bundle-types.ts';

export type BundleCheck = 'bundle' | 'checkpoint' | 'hash' | 'chain' | 'signature' | 'inclusion';

export interface BundleFailure {
  check: BundleCheck;
  /** The event at fault, when one is. */
  event?: { kind: string; subject: string; id: string };
  detail: string;
}

export interface BundleReport {
  ok: boolean;
  /** Entries whose four checks (hash, chain, signature, inclusion) all passed. */
  verified: number;
  total: number;
  checkpoint?: Checkpoint;
  failures: BundleFailure[];
}

export interface VerifyOptions {
  /** Called after each entry with how many are done (for a progress display). */
  onProgress?: (done: number, total: number) => void;
  /** The lot the caller expects the bundle to be about. */
  expectedLot?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

function who(e: BundleEntry): BundleFailure['event'] {
  return { kind: String(e?.event?.kind), subject: String(e?.event?.subject), id: String(e?.id) };
}

export async function verifyBundle(bundle: VerificationBundle, opts: VerifyOptions = {}): Promise<BundleReport> {
  const failures: BundleFailure[] = [];
  const entries = Array.isArray(bundle?.entries) ? bundle.entries : [];
  const report = (verified: number, checkpoint?: Checkpoint): BundleReport => ({
    ok: failures.length === 0 && verified === entries.length && entries.length > 0,
    verified,
    total: entries.length,
    ...(checkpoint ? { checkpoint } : {}),
    failures,
  });
  if (typeof bundle !== 'object' || bundle === null || bundle.v !== 1 || entries.length === 0) {
    failures.push({ check: 'bundle', detail: 'not a verification bundle (version 1 with entries)' });
    return report(0);
  }
  if (opts.expectedLot !== undefined && bundle.lot !== opts.expectedLot) {
    failures.push({ check: 'bundle', detail: `the bundle is about ${bundle.lot}, not ${opts.expectedLot}` });
  }

  let checkpoint: Checkpoint | undefined;
  try {
    checkpoint = await verifyCheckpoint(bundle.checkpoint, bundle.logKeys);
  } catch (err) {
    failures.push({ check: 'checkpoint', detail: (err as Error).message });
  }

  const byId = new Map<string, BundleEntry>();
  for (const e of entries) byId.set(e?.id, e);
  const bad = new Set<string>();
  const fail = (check: BundleCheck, e: BundleEntry, detail: string) => {
    bad.add(e?.id);
    failures.push({ check, event: who(e), detail });
  };

  let done = 0;
  for (const e of entries) {
    await checkEntry(e, bundle, checkpoint, byId, fail);
    opts.onProgress?.(++done, entries.length);
  }

  // The chain must reach the farms: from the lot's packing, through inputs and prev, to collections.
  const packed = entries.find((e) => e.event?.kind === 'lot.packed' && e.event.subject === bundle.lot);
  if (!packed) failures.push({ check: 'chain', detail: `no lot.packed event for ${bundle.lot} in the bundle` });
  else {
    const seen = new Set<string>();
    const todo = [packed.id];
    let farms = 0;
    while (todo.length > 0) {
      const e = byId.get(todo.pop()!);
      if (!e || seen.has(e.id)) continue;
      seen.add(e.id);
      if (e.event.kind === 'milk.collected') farms++;
      for (const id of [e.event.prev, ...e.event.inputs]) if (id) todo.push(id);
    }
    if (farms === 0) fail('chain', packed, 'the lot does not lead back to any farm collection (milk.collected)');
  }
  const verified = checkpoint ? entries.filter((e) => !bad.has(e.id)).length : 0;
  return report(verified, checkpoint);
}

async function checkEntry(
  e: BundleEntry,
  bundle: VerificationBundle,
  checkpoint: Checkpoint | undefined,
  byId: ReadonlyMap<string, BundleEntry>,
  fail: (check: BundleCheck, e: BundleEntry, detail: string) => void,
): Promise<void> {
  if (typeof e?.id !== 'string' || !HEX64.test(e.id) || typeof e.event !== 'object' || e.event === null) {
    fail('bundle', e, 'the entry has no event id or no event');
    return;
  }
  let id: string | undefined;
  try {
    id = eventId(e.event);
  } catch (err) {
    fail('hash', e, `the event has no canonical form: ${(err as Error).message}`);
  }
  if (id !== undefined && id !== e.id) fail('hash', e, `the event's bytes hash to ${id.slice(0, 12)}…, not to its id ${e.id.slice(0, 12)}…: it was changed`);

  // Chain links: the previous event of the same subject, and the latest event of each input.
  const { prev, inputs } = e.event;
  if (prev !== null) {
    const p = byId.get(prev);
    if (!p) fail('chain', e, `its previous event ${String(prev).slice(0, 12)}… is missing`);
    else if (p.event.subject !== e.event.subject) fail('chain', e, `its previous event ${prev.slice(0, 12)}… is about ${p.event.subject}, not ${e.event.subject}`);
    else if (p.seq >= e.seq) fail('chain', e, `its previous event ${prev.slice(0, 12)}… comes after it in the log`);
  }
  for (const input of Array.isArray(inputs) ? inputs : []) {
    const p = byId.get(input);
    if (!p) fail('chain', e, `its input ${String(input).slice(0, 12)}… is missing`);
    else if (p.seq >= e.seq) fail('chain', e, `its input ${input.slice(0, 12)}… comes after it in the log`);
  }

  try {
    const kid = signatureKid(typeof e.signature === 'string' ? e.signature : e.signature?.jws);
    const logKey = e.event.kind === ORG_KEY_REGISTERED ? bundle.logKeys?.keys?.find((k) => k.kid === kid) : undefined;
    const orgKey = bundle.orgKeys?.keys?.find((k) => k.kid === kid);
    const key = logKey ?? orgKey;
    if (!key) fail('signature', e, `it is signed with key ${kid}, which is not a registered key`);
    else if (!logKey && orgKey?.org !== e.event.org) fail('signature', e, `key ${kid} belongs to ${orgKey?.org}, not to ${e.event.org}`);
    else await verifyEventSignature(e.id, e.signature, key);
  } catch (err) {
    fail('signature', e, (err as Error).message);
  }

  if (checkpoint) {
    try {
      if (!Array.isArray(e.proof)) throw new Error('it has no inclusion proof');
      verifyInclusion(fromHex(e.id), e.seq, checkpoint.treeSize, e.proof.map(fromHex), fromHex(checkpoint.rootHash));
    } catch (err) {
      fail('inclusion', e, `entry ${e.seq} is not proven in the log of ${checkpoint.treeSize}: ${(err as Error).message}`);
    }
  }
}
