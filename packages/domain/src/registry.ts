/**
 * The one registry of event kinds: (kind, version) -> definition. Every version ever released
 * stays here, so events written under it stay readable; new writes use the latest version.
 */
import type { z } from 'zod';
import type { KindDefinition, Role } from './kind.ts';
import { definition as animalRegisteredV1 } from './kinds/animal.registered/v1.ts';
import { definition as animalTreatedV1 } from './kinds/animal.treated/v1.ts';
import { definition as batchProducedV1 } from './kinds/batch.produced/v1.ts';
import { definition as labResultRecordedV1 } from './kinds/lab.result.recorded/v1.ts';
import { definition as lotHeldV1 } from './kinds/lot.held/v1.ts';
import { definition as lotPackedV1 } from './kinds/lot.packed/v1.ts';
import { definition as lotReleasedV1 } from './kinds/lot.released/v1.ts';
import { definition as lotSoldV1 } from './kinds/lot.sold/v1.ts';
import { definition as milkCollectedV1 } from './kinds/milk.collected/v1.ts';
import { definition as milkReceivedV1 } from './kinds/milk.received/v1.ts';
import { definition as milkTransportedV1 } from './kinds/milk.transported/v1.ts';
import { definition as orgKeyRegisteredV1 } from './kinds/org.key.registered/v1.ts';
import { definition as recallAcknowledgedV1 } from './kinds/recall.acknowledged/v1.ts';
import { definition as recallClosedV1 } from './kinds/recall.closed/v1.ts';
import { definition as recallInitiatedV1 } from './kinds/recall.initiated/v1.ts';
import { definition as sampleTakenV1 } from './kinds/sample.taken/v1.ts';
import { definition as shipmentDispatchedV1 } from './kinds/shipment.dispatched/v1.ts';
import { definition as shipmentReceivedV1 } from './kinds/shipment.received/v1.ts';
import { definition as shipmentTemperatureReportedV1 } from './kinds/shipment.temperature.reported/v1.ts';

const definitions = [
  animalRegisteredV1,
  animalTreatedV1,
  milkCollectedV1,
  milkTransportedV1,
  milkReceivedV1,
  sampleTakenV1,
  labResultRecordedV1,
  batchProducedV1,
  lotPackedV1,
  lotHeldV1,
  lotReleasedV1,
  shipmentDispatchedV1,
  shipmentReceivedV1,
  shipmentTemperatureReportedV1,
  lotSoldV1,
  recallInitiatedV1,
  recallAcknowledgedV1,
  recallClosedV1,
  orgKeyRegisteredV1,
] as const;

type Definition = (typeof definitions)[number];

/** Name of a registered kind, e.g. 'milk.collected'. */
export type KindName = Definition['kind'];

/** The latest registered version of kind K. */
export type LatestVersion<K extends KindName> = Extract<Definition, { kind: K }>['version'];

/** The `data` of kind K at version V (the latest by default), as the schema guarantees it. */
export type KindData<K extends KindName, V extends number = LatestVersion<K>> = z.output<
  Extract<Definition, { kind: K; version: V }>['schema']
>;

export type KindInfo = KindDefinition;

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

const byKey = new Map<string, KindDefinition>();
const latest = new Map<string, KindDefinition>();
for (const d of definitions as readonly KindDefinition[]) {
  const key = `${d.kind}@${d.version}`;
  if (byKey.has(key)) throw new Error(`kind ${key} is registered twice`);
  deepFreeze(d.fixture);
  byKey.set(key, d);
  if ((latest.get(d.kind)?.version ?? 0) < d.version) latest.set(d.kind, d);
}

/** Every registered (kind, version), in the order of the chain: farm to shelf, then the log's own. */
export function knownKinds(): Array<{ kind: string; version: number }> {
  return (definitions as readonly KindDefinition[]).map(({ kind, version }) => ({ kind, version }));
}

/** The definition of `kind` at `version` (the latest when omitted), or undefined if unknown. */
export function kindInfo(kind: string, version?: number): KindInfo | undefined {
  return version === undefined ? latest.get(kind) : byKey.get(`${kind}@${version}`);
}

/** The latest version of `kind`, or undefined if unknown. */
export function latestVersion(kind: string): number | undefined {
  return latest.get(kind)?.version;
}

/**
 * The roles that may emit `kind` at `version` (the latest when omitted); empty for an unknown
 * kind, which nobody may emit.
 */
export function rolesFor(kind: string, version?: number): readonly Role[] {
  return kindInfo(kind, version)?.roles ?? [];
}
