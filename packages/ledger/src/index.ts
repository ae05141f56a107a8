/**
 * @milkchain/ledger: canonical events, ids, the RFC 6962 Merkle log, signatures, checkpoints,
 * receipts and the auditor. Runs unchanged in Node and in browsers.
 */
export { concatBytes, equalBytes, fromHex, toHex, utf8Decode, utf8Encode } from './bytes.ts';
export { CanonicalizationError, canonicalBytes, canonicalize, isCanonicalJson } from './jcs.ts';
export { HASH_SIZE, emptyRoot, eventId, eventIdFromBytes, leafHash, nodeHash, sha256 } from './hash.ts';
export {
  ProofError,
  consistencyProof,
  consistencyProofRanges,
  inclusionProof,
  inclusionProofRanges,
  perfectNodes,
  rangeHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type NodeReader,
  type NodeRef,
} from './merkle.ts';
export { TILE_HEIGHT, TILE_WIDTH, TileError, TiledTree, lastTiles, nodeFromTile, tileForNode, tileKey, tilesForNodes, type TileRef, type TileSlot, type TileWrite } from './tiles.ts';
export { envelopeProblem, ORG_KEY_REGISTERED, type LedgerEvent } from './event.ts';
export {
  SignatureError,
  ed25519Thumbprint,
  generateOrgKey,
  signEventId,
  signEventIds,
  signatureKid,
  verifyBulkSignature,
  verifyEventSignature,
  type EventSignature,
  type KeyInput,
  type OrgKey,
} from './signatures.ts';
export { CHECKPOINT_TYPE, CheckpointError, peekCheckpoint, signCheckpoint, verifyCheckpoint, type Checkpoint } from './checkpoint.ts';
export { verifyReceipt, type Receipt, type ReceiptCheck, type ReceiptCheckName, type ReceiptReport, type Trust } from './receipt.ts';
export {
  LogAuditor,
  inspectEntryBytes,
  inspectSignature,
  registeredKeyOf,
  type AuditCheck,
  type AuditorEntry,
  type AuditorIssue,
  type EntryInspection,
  type EntryProblemCheck,
  type InspectedEvent,
  type RegisteredKey,
  type SignatureVerdict,
} from './auditor.ts';
