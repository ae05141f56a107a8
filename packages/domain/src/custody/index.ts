/**
 * The custody model and the command table: what each custody service (farm, processor, lab,
 * logistics) accepts, how it decides, and how the ledger's events fold into the objects it keeps.
 * The services are generic over this table; it is the product's write API.
 */
import { FARM_COMMANDS } from './commands/farm.ts';
import { LAB_COMMANDS } from './commands/lab.ts';
import { LOGISTICS_COMMANDS } from './commands/logistics.ts';
import { PROCESSOR_COMMANDS } from './commands/processor.ts';
import { RECALL_COMMANDS } from './commands/recall.ts';
import type { CommandDefinition, ServiceName } from './types.ts';

export type {
  CommandDefinition,
  CustodyObject,
  DecisionContext,
  EventDraft,
  Needs,
  ObjectStatus,
  ObjectType,
  ObjectUnit,
  ServiceName,
} from './types.ts';
export { evolve, foldNeeds, inTransit, lotSubject, objectsToFold, resultsOf, shipmentLots, touches, type LotInTransit, type SampleResult } from './evolve.ts';
export { localId, subjectFor, subjectLot, typeOfSubject } from './subjects.ts';
export { beijingTime, DEFAULT_OFFSET, FUTURE_SLACK_MS } from './commands/common.ts';
export { RECEPTION_VOLUME_TOLERANCE, lineageResults } from './commands/processor.ts';
export { SHELF_LIFE_SOURCE } from './commands/logistics.ts';
export {
  RECALL_COMMANDS,
  recallAcknowledgements,
  recallHolders,
  recallLots,
  recallPending,
  recallSubject,
  type RecallAcknowledgement,
  type RecallLot,
} from './commands/recall.ts';

/** Every command of every custody service, in the order of the chain. */
export const COMMANDS: readonly CommandDefinition[] = Object.freeze([...FARM_COMMANDS, ...PROCESSOR_COMMANDS, ...LAB_COMMANDS, ...LOGISTICS_COMMANDS]);

/**
 * The commands `service` serves. The trace service's recall commands (RECALL_COMMANDS) are kept
 * out of COMMANDS, which is the custody services' table (their endpoints, batch endpoint and
 * the tests generated from it); they use the same write path through `commandsOf('trace')`.
 */
export function commandsOf(service: ServiceName): readonly CommandDefinition[] {
  return (service === 'trace' ? RECALL_COMMANDS : COMMANDS).filter((c) => c.service === service);
}
