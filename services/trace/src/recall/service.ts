// The recall side of the trace service at run time: the custody write path for RECALL_COMMANDS
// (the service's own custody projection of the ledger, which the recall deciders read, and its
// outbox relay to the ledger), and the webhook notifier.
import type { EventSigner } from '@milkchain/auth';
import { startOutboxRelay, waitForLogCursors, type Bus, type OutboxRelay, type Subscription } from '@milkchain/bus';
import { CommandPipeline, CustodyTables, startProjector, type LedgerClient } from '@milkchain/custody';
import type { Logger } from '@milkchain/http';
import type { Pool } from '@milkchain/store';
import type { RecallWriter } from './router.ts';
import { startRecallNotifier, type DeliveryOptions, type Notifier } from './webhooks.ts';

export interface RecallServiceDeps {
  pool: Pool;
  bus: Bus;
  logger: Logger;
  /** Both given: recalls can be written (signed through identity, sent to the ledger). */
  signer?: EventSigner;
  ledger?: LedgerClient;
  clock?: () => Date;
  /** Base URL the notifications link to. */
  publicUrl?: string;
  webhooks?: DeliveryOptions & { pollMs?: number };
}

export interface RunningRecalls {
  writer: RecallWriter | undefined;
  notifier: Notifier;
  /** Resolves once the recall write path's custody projection holds every entry with seq below `size` (at once without a writer). */
  projected(size: number, timeoutMs?: number): Promise<void>;
  /** Resolves when the recall outbox has nothing unpublished. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function startRecalls(deps: RecallServiceDeps): Promise<RunningRecalls> {
  const { pool, bus, logger } = deps;
  let relay: OutboxRelay | undefined;
  let subscriptions: Subscription[] = [];
  let writer: RecallWriter | undefined;
  if (deps.signer && deps.ledger) {
    const tables = new CustodyTables('trace');
    relay = startOutboxRelay({ pool, bus, service: 'trace', logger });
    subscriptions = await startProjector({ service: 'trace', pool, bus, tables, logger });
    const pipeline = new CommandPipeline({ service: 'trace', pool, tables, signer: deps.signer, ledger: deps.ledger, clock: deps.clock ?? (() => new Date()), logger });
    writer = { pipeline, tables, ledger: deps.ledger };
  }
  const notifier = startRecallNotifier({ pool, logger, ...(deps.publicUrl === undefined ? {} : { publicUrl: deps.publicUrl }), ...deps.webhooks });
  return {
    writer,
    notifier,
    async projected(size, timeoutMs = 30_000) {
      // The recall write path's custody projection (service 'trace') folds the log as `trace.ledger`.
      if (writer) await waitForLogCursors(pool, ['trace.ledger'], size, timeoutMs);
    },
    drain: () => relay?.drain() ?? Promise.resolve(),
    async close() {
      await notifier.stop();
      await relay?.stop();
      for (const s of subscriptions) await s.stop();
    },
  };
}
