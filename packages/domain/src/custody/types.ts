/**
 * The custody model: the objects every custody service projects from the ledger, and the shape of
 * a command (the product's write API). Services are generic over these types: they serve one
 * endpoint per command, load what `needs` asks for, call `decide`, chain, sign and store.
 */
import type { z } from 'zod';
import type { Role } from '../kind.ts';
import type { Refusal } from '../refusal.ts';

/** The custody services, and the trace service, which serves the recall commands (RECALL_COMMANDS). */
export type ServiceName = 'farm' | 'processor' | 'lab' | 'logistics' | 'trace';

export type ObjectType = 'animal' | 'collection' | 'load' | 'batch' | 'lot' | 'sample' | 'shipment' | 'recall';

export type ObjectStatus = 'active' | 'held' | 'rejected' | 'closed';

export type ObjectUnit = 'L' | 'kg' | 'unit' | null;

/**
 * The projection of one subject's chain, as every custody service keeps it (a fold of ledger
 * events by `evolve`). `data` holds the type-specific facts the deciders need:
 *
 * - animal: `earTag`, `species`, `breed`, `herd`, `milkWithdrawalUntil` (the latest end of any
 *   withdrawal, absent until treated), `withdrawals` [{administeredAt, milkWithdrawalUntil}]
 * - collection: `collectionId`, `species`, `volumeL` (as collected), `milkingWindow`
 *   {start, end}, `handoverSlipNo`, `tankTemperatureC`
 * - load: `loadId`, `handoverSlipNo`, `volumeL` (as loaded), `loadedAt`, `destination` (org),
 *   `collections` [{subject, volumeL}] (what it took), `received`? {org, volumeL, temperatureC,
 *   decision, at}
 * - batch: `batchId`, `productType`, `productName`, `output` {value, unit} (as declared)
 * - lot: `gtin`, `lot`, `units` (as packed), `unitSize` {value, unit}, `productType`,
 *   `productionDate`, `bestBefore`, `sold` (units), `inTransit` {[shipment subject]: {from, to,
 *   quantity}}, `hold`? {reason, org, at}
 * - sample: `sampleId`, `sampledFrom`, `matrix`, `purpose`, `productType`? (of the sampled batch or
 *   lot), `takenAt`, `results` [{analyte, verdict, ruleId}], `analysedBy`? (the lab that recorded its first
 *   result: the one lab that may record more)
 * - shipment: `sscc`, `dispatchedAt`, `from` (org), `to` (org), `carrier`?, `lots` [{subject, quantity}],
 *   `temperatureRange`?, `excursions` [{start, end, peakC}], `received`? {org, lots [{subject,
 *   quantity}], condition, at}
 * - recall: `recallId`, `level`, `cause`, `action`, `root`, `initiatedAt`, `lots` [{subject, gtin,
 *   lot, holdings}] (each lot in scope and who held it when the recall was folded), `holders` (the
 *   organisations that held any of them or had some on the way to them, sorted),
 *   `acknowledgements` {[org]: {at, lotsHeld, note?}}, `closed`? {org, at, outcome,
 *   unitsRecovered, unitsDestroyed}; status active until closed. A lot in a recall's scope is
 *   held: status held, `hold` {reason: 'recall', org, at, recallId}, and `recall` {recallId, level, at}.
 */
export interface CustodyObject {
  subject: string;
  type: ObjectType;
  /** Organisation that created it. */
  org: string;
  /** Id of the latest event on the subject. */
  head: string;
  /** occurredAt of the latest event on the subject. */
  occurredAt: string;
  /** Subjects it was made from (one level of lineage). A sample lists what it was drawn from. */
  from: string[];
  status: ObjectStatus;
  /** Organisation → quantity it holds, in `unit`. */
  holdings: Record<string, number>;
  unit: ObjectUnit;
  /** Species of the milk in it (through lineage). */
  species: string[];
  data: Record<string, unknown>;
}

export interface EventDraft {
  kind: string;
  kindVersion: number;
  subject: string;
  occurredAt: string;
  data: Record<string, unknown>;
  /** Subjects whose head ids become the event's `inputs` (in this order). The service fills prev from `subject`'s head. */
  inputSubjects: string[];
}

export interface Needs {
  /** Objects to load by subject (missing ones are simply absent from ctx.objects). */
  subjects: string[];
  /** Load every animal object of this org (withdrawal checks). */
  animalsOf?: { org: string };
  /** Load every object made (transitively) from this subject. */
  descendantsOf?: string;
  /** Load every ancestor of this subject, and every sample object taken from any of them (release gate). */
  lineageOf?: string;
  /**
   * Load the objects whose `head` is one of these event ids. Only `foldNeeds` asks for it: a
   * load's collections and a lot's batch are named in their events by event id only (the kinds'
   * data does not repeat their subjects), and the creation event stays those objects' head.
   */
  heads?: string[];
}

export interface DecisionContext {
  now: Date;
  org: string;
  roles: readonly Role[];
  objects: ReadonlyMap<string, CustodyObject>;
}

export interface CommandDefinition<C = unknown> {
  /** e.g. 'collection.record' */
  name: string;
  service: ServiceName;
  /** POST path under `/<service>/v1`, e.g. '/collections'. */
  path: string;
  roles: readonly Role[];
  summary: { 'zh-CN': string; en: string };
  /** Request body; strict (unknown fields refused). */
  schema: z.ZodType<C>;
  /** A realistic valid body, used for OpenAPI examples and generated bad-input tests. */
  example: C;
  needs(cmd: C, ctx: { org: string }): Needs;
  decide(cmd: C, ctx: DecisionContext): EventDraft[] | Refusal;
}
