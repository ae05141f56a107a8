// The verification bundle's shape: shared by the server that builds it and the browser script
// that checks it (no imports with runtime code here).
import type { JSONWebKeySet, JWK } from 'jose';
import type { EventSignature, LedgerEvent } from '@milkchain/ledger';
import type { OrgProfile } from './clients.ts';

export const BUNDLE_VERSION = 1;

/** One ledger entry of the lot's lineage, with what proves it. */
export interface BundleEntry {
  seq: number;
  id: string;
  event: LedgerEvent;
  signature: EventSignature;
  /** Inclusion proof (hex hashes) of leaf `seq` in the tree the bundle's checkpoint signs. */
  proof: string[];
}

export interface VerificationBundle {
  v: typeof BUNDLE_VERSION;
  /** The lot's subject, `urn:milkchain:lot:<gtin14>:<lot>`. */
  lot: string;
  /** Its GS1 Digital Link on the resolver. */
  uri: string;
  builtAt: string;
  /** Compact JWS of the ONE checkpoint every proof leads to. */
  checkpoint: string;
  treeSize: number;
  /** The log's JWKS: the checkpoint (and key registrations) are signed with these. */
  logKeys: JSONWebKeySet;
  /** The registered public keys of the organisations that signed the entries. */
  orgKeys: { keys: Array<JWK & { kid: string; org: string }> };
  /** Public profiles of those organisations (names, regions, licences); not signed: shown, not verified. */
  orgs: Record<string, OrgProfile>;
  /** The lot's backward lineage down to the farm collections, its samples and results, its shipments and recalls; ledger order. */
  entries: BundleEntry[];
}
