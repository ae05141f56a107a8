// The trace projection of the ledger's stream, through the bus's log-ordered consumer
// (startLogConsumer: the inbox rows commit with the fold, entries are applied in seq order even
// when another subject's partition runs ahead), so a node's state (holdings, status) is folded as
// the log has it. The fold still tolerates a link to an event it has not seen (trace_edges.parent_event).
import { PermanentError, startLogConsumer, waitForLogCursors, TOPICS, type Bus, type Delivered, type Subscription } from '@milkchain/bus';
import type { Logger } from '@milkchain/http';
import type { Pool, PoolClient } from '@milkchain/store';
import type { TraceEntry } from './fold.ts';
import { applyEntries } from './store.ts';

export interface TraceProjectorDeps {
  pool: Pool;
  bus: Bus;
  logger: Logger;
  /** Consumer group (default `trace`). */
  group?: string;
}

function parseEntry(value: string): TraceEntry {
  const entry = JSON.parse(value) as Partial<TraceEntry>;
  if (typeof entry.seq !== 'number' || typeof entry.id !== 'string' || typeof entry.event !== 'object' || entry.event === null) {
    throw new PermanentError('not a ledger entry {seq, id, event}');
  }
  return entry as TraceEntry;
}

export async function startTraceProjector(deps: TraceProjectorDeps): Promise<Subscription> {
  const group = deps.group ?? 'trace';
  return startLogConsumer({
    pool: deps.pool,
    bus: deps.bus,
    topic: TOPICS.ledger,
    group,
    // Not `${group}.ledger`: the recall write path's custody projection (service 'trace') is `trace.ledger`.
    consumer: `${group}.lineage`,
    logger: deps.logger,
    seqOf: (msg) => parseEntry(msg.value).seq,
    // A run of the log in one transaction, folded in order: later entries read what earlier ones wrote.
    apply: async (client: PoolClient, msgs: Delivered[]) => {
      await applyEntries(client, msgs.map((m) => parseEntry(m.value)));
    },
  });
}

/** Resolves once the trace tables hold every entry with seq below `size`; throws after `timeoutMs`. */
export async function waitProjected(pool: Pool, size: number, timeoutMs = 30_000, group = 'trace'): Promise<void> {
  await waitForLogCursors(pool, [`${group}.lineage`], size, timeoutMs);
}
