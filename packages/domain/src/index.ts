export { envelopeSchema, MAX_INPUTS, type LedgerEvent } from './envelope.ts';
export { validateEvent, type ValidationResult } from './validate.ts';
export { toPointer, toProblems, type Problem } from './problems.ts';
export {
  knownKinds,
  kindInfo,
  latestVersion,
  rolesFor,
  type KindData,
  type KindInfo,
  type KindName,
  type LatestVersion,
} from './registry.ts';
export { ROLES, type KindDefinition, type Role } from './kind.ts';
export {
  gs1CheckDigit,
  GS1_LOT,
  hasValidGs1CheckDigit,
  isGln13,
  isGtin14,
  isSscc18,
  toGtin14,
  withGs1CheckDigit,
} from './gs1.ts';
export { EVENT_ID, ORG_ID, URN } from './fields.ts';
export {
  buildDigitalLink,
  digitalLinkForSubject,
  digitalLinkPath,
  DigitalLinkError,
  gs1ElementString,
  isDigitalLinkError,
  keyForSubject,
  MAX_DIGITAL_LINK_LENGTH,
  parseDigitalLink,
  subjectForDigitalLink,
  type DigitalLinkErrorCode,
  type DigitalLinkKey,
  type ParsedDigitalLink,
} from './digital-link.ts';
export { refuse, isRefusal, type Refusal } from './refusal.ts';
export * from './rules/index.ts';
export * from './custody/index.ts';
