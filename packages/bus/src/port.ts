/**
 * The event bus port. Everything outside this package speaks to the bus through these types
 * only; the Kafka client stays behind `createKafkaBus`, so that another client can replace it here.
 */

/** Logical topic names. Adapters prefix them with their namespace on the wire. */
export const TOPICS = { submissions: 'milkchain.submissions', ledger: 'milkchain.ledger', refusals: 'milkchain.refusals' } as const;

/** The header every milkchain message carries: the consumers' dedupe key. */
export const MESSAGE_ID_HEADER = 'message-id';

export interface BusMessage {
  /** The partitioning key: messages with one key keep their order. */
  key: string;
  /** JSON text. */
  value: string;
  headers?: Record<string, string>;
}

export interface Delivered extends BusMessage {
  /** The logical topic name (without the adapter's namespace). */
  topic: string;
  partition: number;
  /** Position in the partition, as a decimal string (Kafka offsets are 64-bit). */
  offset: string;
}

export interface Subscription {
  /** Leaves the group once the batch in hand (if any) is done; its offsets are committed if it succeeded. */
  stop(): Promise<void>;
}

export interface SubscribeOptions {
  topic: string;
  /** Consumers of one group share the topic's partitions; each group sees every message. */
  group: string;
  /**
   * Where a group with no committed offsets starts: the oldest message (true) or the end of the
   * partition when the group first joins (false, the default). Ignored once the group has committed.
   */
  fromBeginning?: boolean;
  handle: (batch: Delivered[]) => Promise<void>;
}

export interface Bus {
  /** Resolves once the broker has the messages durably (Kafka: acks = all). Order is kept per key. */
  publish(topic: string, messages: BusMessage[]): Promise<void>;
  /**
   * At-least-once. `handle` gets messages of one partition in order; offsets are committed only
   * after it resolves; if it throws, the same messages are delivered again (after a backoff).
   * Resolves once the consumer has joined its group.
   */
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
  /** Stops every subscription made through this bus and releases its connections. */
  close(): Promise<void>;
}

/** `namespace.topic`, or the name itself without a namespace. */
export function namespaced(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}.${name}` : name;
}

/** Exponential backoff, capped: attempt 1 waits `baseMs`. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * A sleep that ends early when `signal` aborts (resolves, never rejects: callers check their
 * own stopping flag afterwards).
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
