/**
 * Receipts: an event with its signature, its inclusion proof and the signed checkpoint the proof
 * leads to. `verifyReceipt` checks one offline, with nothing but the log's and the organisations'
 * published keys. Browser-safe.
 */
import type { JSONWebKeySet, JWK } from 'jose';
import { fromHex } from './bytes.ts';
import { verifyCheckpoint } from './checkpoint.ts';
import { envelopeProblem, ORG_KEY_REGISTERED, type LedgerEvent } from './event.ts';
import { eventId } from './hash.ts';
import { verifyInclusion } from './merkle.ts';
import { signatureKid, verifyEventSignature, type EventSignature } from './signatures.ts';

export interface Receipt {
  v: 1;
  seq: number;
  id: string;
  event: LedgerEvent;
  signature: EventSignature;
  inclusionProof: { leafIndex: number; treeSize: number; hashes: string[] };
  /** Compact JWS of the checkpoint the proof leads to. */
  checkpoint: string;
}

export type ReceiptCheckName = 'envelope' | 'event-hash' | 'signature' | 'checkpoint-signature' | 'inclusion';

export interface ReceiptCheck {
  name: ReceiptCheckName;
  ok: boolean;
  detail: string;
}

export interface ReceiptReport {
  ok: boolean;
  checks: ReceiptCheck[];
}

export interface Trust {
  /** The log's JWKS (/.well-known/jwks.json). */
  logKeys: JSONWebKeySet;
  /** Organisation keys, each a public JWK with `kid` and `org` (/ledger/v1/keys). */
  orgKeys: { keys: Array<JWK & { org?: string }> };
  /** The log's origin, when the caller knows which log it expects. */
  origin?: string;
}

/**
 * Checks a receipt: the event's envelope, that its id is the hash of its canonical form, that the
 * organisation's registered key signed it (the log key for the log's own entries), that the
 * checkpoint is signed by a published log key, and that the inclusion proof leads from the id to
 * the checkpoint's root. Every check is run and reported; `ok` only if all pass.
 */
export async function verifyReceipt(receipt: Receipt, trust: Trust): Promise<ReceiptReport> {
  const checks: ReceiptCheck[] = [];
  const add = (name: ReceiptCheckName, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  const problem = envelopeProblem(receipt?.event);
  add('envelope', problem === null, problem ?? 'the envelope is well formed');

  let id: string | null = null;
  try {
    id = eventId(receipt.event);
  } catch (err) {
    add('event-hash', false, `the event has no canonical form: ${(err as Error).message}`);
  }
  if (id !== null) {
    add('event-hash', id === receipt.id, id === receipt.id ? `the event hashes to its id ${id}` : `the event hashes to ${id}, not to the receipt's id ${receipt.id}`);
  }

  add(...(await checkSignature(receipt, id, trust)));

  let root: Uint8Array | null = null;
  let treeSize = -1;
  try {
    const cp = await verifyCheckpoint(receipt.checkpoint, trust.logKeys, trust.origin === undefined ? {} : { expectedOrigin: trust.origin });
    root = fromHex(cp.rootHash);
    treeSize = cp.treeSize;
    add('checkpoint-signature', true, `checkpoint of ${cp.treeSize} entries signed by the log at ${cp.issuedAt}`);
  } catch (err) {
    add('checkpoint-signature', false, (err as Error).message);
  }

  const proof = receipt.inclusionProof;
  if (root === null || id === null) {
    add('inclusion', false, 'not checked: needs a verified checkpoint and the event id');
  } else if (proof?.treeSize !== treeSize || proof.leafIndex !== receipt.seq) {
    add('inclusion', false, `the proof is for leaf ${proof?.leafIndex} in a tree of ${proof?.treeSize}; the receipt says seq ${receipt.seq} and its checkpoint covers ${treeSize}`);
  } else {
    try {
      verifyInclusion(fromHex(id), proof.leafIndex, proof.treeSize, proof.hashes.map(fromHex), root);
      add('inclusion', true, `entry ${proof.leafIndex} is in the log of ${proof.treeSize} entries`);
    } catch (err) {
      add('inclusion', false, (err as Error).message);
    }
  }
  return { ok: checks.every((c) => c.ok), checks };
}

async function checkSignature(receipt: Receipt, id: string | null, trust: Trust): Promise<[ReceiptCheckName, boolean, string]> {
  if (id === null) return ['signature', false, 'not checked: the event has no id'];
  let kid: string;
  try {
    kid = signatureKid(typeof receipt.signature === 'string' ? receipt.signature : receipt.signature?.jws);
  } catch (err) {
    return ['signature', false, (err as Error).message];
  }
  const event = receipt.event;
  const logKey = event.kind === ORG_KEY_REGISTERED ? trust.logKeys.keys.find((k) => k.kid === kid) : undefined;
  const orgKey = trust.orgKeys.keys.find((k) => k.kid === kid);
  const key = logKey ?? orgKey;
  if (!key) return ['signature', false, `key ${kid} is not a registered key`];
  if (!logKey && orgKey?.org !== event.org) return ['signature', false, `key ${kid} belongs to ${orgKey?.org}, not to ${event.org}`];
  try {
    await verifyEventSignature(id, receipt.signature, key);
    return ['signature', true, `signed by ${logKey ? 'the log' : event.org} with key ${kid}`];
  } catch (err) {
    return ['signature', false, (err as Error).message];
  }
}
