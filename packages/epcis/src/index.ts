/**
 * @milkchain/epcis: GS1 EPCIS 2.0 out and in. Pure: export a subject's ledger history as an
 * EPCISDocument, validate documents against the official JSON Schema, and map partners' captures
 * onto milkchain commands. The HTTP endpoints live in services/trace.
 */
export { EPCIS_CONTEXT_URL, epcisContext, validateEpcisDocument, type SchemaError, type SchemaResult } from './schema.ts';
export {
  epcisEventId,
  EXPORT_CONTEXT,
  EXPORTED_KINDS,
  milkchainIdOf,
  toEpcisDocument,
  type EpcisDocument,
  type EpcisEvent,
  type ExportOptions,
  type LedgerEntry,
} from './export.ts';
export { CAPTURE_BIZSTEPS, mapCapture, type CaptureContext, type CapturedCommand, type CaptureProblem, type CaptureResult } from './capture.ts';
export {
  classIdOf,
  DEFAULT_ID_BASE,
  GS1_ID,
  lgtinUri,
  locationUri,
  MILKCHAIN_BIZSTEP,
  MILKCHAIN_NS,
  orgUrn,
  parseId,
  partyUri,
  ssccUri,
  type ParsedId,
} from './ids.ts';
