/**
 * The ledger's storage port. The contract is written out in docs/ledger-store-contract.md and
 * enforced by one behaviour suite (test/store.contract.ts) that every implementation passes.
 *
 * The store is deliberately dumb: it persists what the sequencer decided and answers reads. It
 * never hashes, orders or validates events; the tree logic lives in @milkchain/ledger.
 */

export type EventSignature = string | { jws: string; ids: string[] };

export interface EntryWrite {
  seq: number;
  /** Lowercase hex of the RFC 6962 leaf hash of `canonical`. */
  id: string;
  subject: string;
  kind: string;
  org: string;
  prev: string | null;
  /** The exact RFC 8785 bytes that were hashed. Stored and returned byte for byte. */
  canonical: Uint8Array;
  /** Detached JWS over the id, or null when `bulkId` names the bulk signature that covers it. */
  signature: string | null;
  bulkId: number | null;
}

export interface StoredEntry {
  seq: number;
  id: string;
  subject: string;
  kind: string;
  org: string;
  prev: string | null;
  canonical: Uint8Array;
  signature: string | null;
  bulkId: number | null;
}

/** An entry as the audit reads it: its signature resolved (see `LedgerStore.scanEntries`). */
export interface ScannedEntry {
  seq: number;
  id: string;
  canonical: Uint8Array;
  signature: string | null;
  bulkId: number | null;
  /** The bulk signature `bulkId` names, or null when the entry has none or it is not stored. */
  bulk: { jws: string; ids: string[] } | null;
}

export interface BulkSignatureWrite {
  /** By convention the seq of the first entry it covers in this batch. */
  id: number;
  jws: string;
  ids: string[];
}

export interface TileWrite {
  tileLevel: number;
  tileIndex: number;
  /** Concatenated 32-byte hashes; a later write of the same tile only ever extends it. */
  hashes: Uint8Array;
}

export interface CheckpointRecord {
  treeSize: number;
  /** Lowercase hex. */
  rootHash: string;
  issuedAt: string;
  jws: string;
}

export interface OrgKeyRecord {
  kid: string;
  org: string;
  jwk: PublicJwk;
  /** Seq of the `org.key.registered` entry that registered the key. */
  seq: number;
}

export interface PublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  kid?: string;
  [k: string]: unknown;
}

export interface BatchWrite {
  /** Must equal the store's current size; the batch's entries are seq firstSeq, firstSeq+1, ... */
  firstSeq: number;
  entries: EntryWrite[];
  bulkSignatures: BulkSignatureWrite[];
  tiles: TileWrite[];
  checkpoint: CheckpointRecord;
  orgKeys: OrgKeyRecord[];
}

export class StoreConflictError extends Error {
  override name = 'StoreConflictError';
}

export interface LedgerStore {
  /** Atomic and durable when it resolves; all or nothing. See the contract. */
  appendBatch(batch: BatchWrite): Promise<void>;
  /** Number of entries (the next seq). */
  size(): Promise<number>;
  latestCheckpoint(): Promise<CheckpointRecord | null>;
  /** Checkpoints with treeSize in [fromSize, toSize], ascending. */
  checkpoints(fromSize: number, toSize: number, limit: number): Promise<CheckpointRecord[]>;
  /** Entries with seq in [start, start+limit), ascending; fewer at the end of the log. */
  entries(start: number, limit: number): Promise<StoredEntry[]>;
  entryById(id: string): Promise<StoredEntry | null>;
  /** seq of each id that is in the log; absent ids are absent from the map. */
  seqsOf(ids: string[]): Promise<Map<string, number>>;
  /** seq of one id, or null when it is not in the log (the inclusion-proof lookup). */
  seqOf(id: string): Promise<number | null>;
  /**
   * Every entry with seq in [start, end), ascending, in chunks, each with its bulk signature
   * resolved: entries covered by the same bulk signature share one `bulk` object (and one `ids`
   * array), so a verifier can check it once. A missing seq is simply absent (the reader notices
   * the gap). Memory is bounded by a chunk, not by the range: the audit's one pass over the log.
   */
  scanEntries(start: number, end: number): AsyncIterable<ScannedEntry[]>;
  /** Id of each subject's latest entry; subjects without entries are absent. */
  heads(subjects: string[]): Promise<Map<string, string>>;
  bulkSignature(id: number): Promise<BulkSignatureWrite | null>;
  /** Stored tiles by `${tileLevel}/${tileIndex}`; missing tiles are absent. */
  tiles(coords: Array<{ tileLevel: number; tileIndex: number }>): Promise<Map<string, Uint8Array>>;
  orgKey(kid: string): Promise<OrgKeyRecord | null>;
  orgKeys(): Promise<OrgKeyRecord[]>;
  logKeys(): Promise<PublicJwk[]>;
  /** Adds a log public key; adding the same kid again is a no-op. */
  addLogKey(kid: string, jwk: PublicJwk): Promise<void>;
}

export const tileKey = (tileLevel: number, tileIndex: number) => `${tileLevel}/${tileIndex}`;
