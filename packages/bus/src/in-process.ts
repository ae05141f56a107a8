import { silentLogger, type Logger } from '@milkchain/http';
import { backoffDelay, namespaced, pause, type Bus, type BusMessage, type Delivered, type SubscribeOptions, type Subscription } from './port.ts';

/**
 * The in-process broker: partitioned topics and consumer groups in memory, with Kafka's
 * delivery semantics (keyed partitions, per-partition order, groups sharing partitions,
 * committed offsets, redelivery after a failed handler). Nothing survives the process: the
 * one-process mode relies on the outbox (in PostgreSQL) and idempotent consumers for that.
 * Messages every group has committed are dropped (see trim).
 */
export interface InProcessBroker {
  /** Partitions of a topic (its full, namespaced name). */
  partitionsOf(topic: string): number;
}

export interface InProcessBusOptions {
  /** Partitions of every topic (default 4, like the test broker). */
  partitions?: number;
  /**
   * Partitions of particular topics (full names), where they differ from `partitions`. The
   * one-process mode gives `milkchain.ledger` one: the log is one sequence, its consumers all live
   * in this process, and split over partitions they would only park and reorder its entries.
   */
  topicPartitions?: Readonly<Record<string, number>>;
  /** Prefix of every topic and group name. */
  namespace?: string;
  /** Share one broker between several bus objects (for instance one per namespace in tests). */
  broker?: InProcessBroker;
  /** Most messages handed to one `handle` call (default 100). */
  maxBatch?: number;
  /** First redelivery delay after a handler failed; doubles up to `maxRetryBackoffMs`. */
  retryBackoffMs?: number;
  maxRetryBackoffMs?: number;
  logger?: Logger;
}

interface BrokerState {
  topics: Map<string, Topic>;
  options: Required<Omit<InProcessBusOptions, 'broker' | 'namespace' | 'partitions' | 'topicPartitions'>>;
}

const states = new WeakMap<InProcessBroker, BrokerState>();

/** A partition's retained messages: `messages[i]` has offset `base + i`. */
interface Partition {
  base: number;
  messages: Delivered[];
}

/** Messages every group has committed are dropped in chunks of this many (see trim). */
const TRIM_CHUNK = 1_000;

interface Topic {
  partitions: Partition[];
  groups: Map<string, Group>;
}

interface Member {
  handle: (batch: Delivered[]) => Promise<void>;
  stopping: AbortController;
  inFlight: Set<Promise<unknown>>;
}

interface Group {
  /** Next offset to deliver, per partition. */
  committed: number[];
  /** In join order; partition p belongs to members[p % members.length]. */
  members: Member[];
  pumping: boolean[];
}

export function createInProcessBroker(opts: Omit<InProcessBusOptions, 'broker' | 'namespace'> = {}): InProcessBroker {
  const partitions = opts.partitions ?? 4;
  const special = new Map(Object.entries(opts.topicPartitions ?? {}));
  for (const [topic, n] of [['every topic', partitions] as const, ...special]) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`partitions of ${topic} must be a positive integer, got ${n}`);
  }
  const broker: InProcessBroker = Object.freeze({ partitionsOf: (topic: string) => special.get(topic) ?? partitions });
  states.set(broker, {
    topics: new Map(),
    options: {
      maxBatch: opts.maxBatch ?? 100,
      retryBackoffMs: opts.retryBackoffMs ?? 100,
      maxRetryBackoffMs: opts.maxRetryBackoffMs ?? 5_000,
      logger: opts.logger ?? silentLogger,
    },
  });
  return broker;
}

/** FNV-1a over the key's UTF-8 bytes: stable, so one key always lands in one partition. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}

export function createInProcessBus(opts: InProcessBusOptions = {}): Bus {
  const broker = opts.broker ?? createInProcessBroker(opts);
  const found = states.get(broker);
  if (!found) throw new Error('not a broker made by createInProcessBroker');
  const state: BrokerState = found;
  const { maxBatch, retryBackoffMs, maxRetryBackoffMs } = state.options;
  const logger = opts.logger ?? state.options.logger;
  const ns = opts.namespace;
  const mine = new Set<Subscription>();
  let closed = false;

  function topicOf(name: string): Topic {
    let t = state.topics.get(name);
    if (!t) {
      t = { partitions: Array.from({ length: broker.partitionsOf(name) }, () => ({ base: 0, messages: [] })), groups: new Map() };
      state.topics.set(name, t);
    }
    return t;
  }

  function kick(topic: Topic, group: Group): void {
    for (let p = 0; p < topic.partitions.length; p++) setImmediate(() => void pump(topic, group, p));
  }

  /**
   * Like Kafka's retention, but by consumption: once every group of the topic has committed past
   * a chunk of messages, they are dropped, so a long-running process does not keep its whole
   * history in memory. A group created later from the beginning starts at the oldest kept message.
   */
  function trim(topic: Topic, p: number): void {
    const part = topic.partitions[p]!;
    let low = Infinity;
    for (const g of topic.groups.values()) low = Math.min(low, g.committed[p]!);
    const drop = Math.floor((low - part.base) / TRIM_CHUNK) * TRIM_CHUNK;
    if (drop > 0 && Number.isFinite(drop)) {
      part.messages.splice(0, drop);
      part.base += drop;
    }
  }

  /** Delivers one partition to its current owner; exclusive per (group, partition), so order holds. */
  async function pump(topic: Topic, group: Group, p: number): Promise<void> {
    if (group.pumping[p]) return;
    group.pumping[p] = true;
    try {
      let failures = 0;
      for (;;) {
        const part = topic.partitions[p]!;
        const from = Math.max(group.committed[p]!, part.base);
        const owner = group.members.length ? group.members[p % group.members.length] : undefined;
        if (!owner || from >= part.base + part.messages.length) break;
        const batch = part.messages
          .slice(from - part.base, from - part.base + maxBatch)
          .map((m) => (m.headers ? { ...m, headers: { ...m.headers } } : { ...m }));
        let call: Promise<void>;
        try {
          call = owner.handle(batch);
        } catch (err) {
          call = Promise.reject(err as Error); // a handler that throws before returning its promise
        }
        owner.inFlight.add(call);
        try {
          await call;
          group.committed[p] = from + batch.length;
          failures = 0;
          trim(topic, p);
        } catch (err) {
          failures++;
          const delay = backoffDelay(failures, retryBackoffMs, maxRetryBackoffMs);
          if (!owner.stopping.signal.aborted) {
            logger.warn('bus handler failed; the same messages come again after a backoff', {
              topic: batch[0]!.topic,
              partition: p,
              offset: batch[0]!.offset,
              attempt: failures,
              delayMs: delay,
              error: (err as Error).message,
            });
          }
          await pause(delay, owner.stopping.signal);
        } finally {
          owner.inFlight.delete(call);
        }
      }
    } finally {
      group.pumping[p] = false;
    }
  }

  return {
    async publish(topicName, messages: BusMessage[]) {
      if (closed) throw new Error('the bus is closed');
      const topic = topicOf(namespaced(ns, topicName));
      for (const m of messages) {
        const p = partitionOf(m.key, topic.partitions.length);
        const part = topic.partitions[p]!;
        const offset = String(part.base + part.messages.length);
        part.messages.push({ key: m.key, value: m.value, ...(m.headers ? { headers: { ...m.headers } } : {}), topic: topicName, partition: p, offset });
      }
      for (const group of topic.groups.values()) kick(topic, group);
    },

    async subscribe(s: SubscribeOptions) {
      if (closed) throw new Error('the bus is closed');
      const topic = topicOf(namespaced(ns, s.topic));
      const groupName = namespaced(ns, s.group);
      let group = topic.groups.get(groupName);
      if (!group) {
        group = {
          committed: topic.partitions.map((part) => (s.fromBeginning ? part.base : part.base + part.messages.length)),
          members: [],
          pumping: topic.partitions.map(() => false),
        };
        topic.groups.set(groupName, group);
      }
      const member: Member = { handle: s.handle, stopping: new AbortController(), inFlight: new Set() };
      group.members.push(member);
      kick(topic, group);
      const g = group;
      const sub: Subscription = {
        async stop() {
          const i = g.members.indexOf(member);
          if (i < 0) return;
          g.members.splice(i, 1);
          member.stopping.abort();
          await Promise.allSettled([...member.inFlight]);
          mine.delete(sub);
          kick(topic, g);
        },
      };
      mine.add(sub);
      return sub;
    },

    async close() {
      closed = true;
      await Promise.all([...mine].map((s) => s.stop()));
    },
  };
}
