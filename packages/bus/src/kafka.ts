import { Kafka, logLevel, Partitioners, type Consumer, type EachBatchPayload, type IHeaders, type KafkaMessage, type LogEntry, type Producer } from 'kafkajs';
import { silentLogger, type Logger } from '@milkchain/http';
import { backoffDelay, namespaced, pause, type Bus, type BusMessage, type Delivered, type SubscribeOptions, type Subscription } from './port.ts';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** Prefix of every topic and consumer-group name, so runs can share a broker without meeting. */
  namespace?: string;
  /** kafkajs logs arrive here, at warn and error only. */
  logger?: Logger;
  /** Partitions one consumer works on at the same time (default 4); each one stays in order. */
  partitionsConsumedConcurrently?: number;
  /** First redelivery delay after a handler failed; doubles up to `maxRetryBackoffMs`. */
  retryBackoffMs?: number;
  maxRetryBackoffMs?: number;
}

/**
 * The Kafka adapter (kafkajs). Producer: acks = all, one request in flight per broker so that a
 * retried request cannot overtake the next one (per-key order), topics auto-created, no
 * idempotent or transactional producer (so duplicates are possible: consumers dedupe). Consumer:
 * eachBatch, offsets committed by hand after `handle` resolved; a failed batch is retried in place
 * after a backoff (keeping its partition's order), with heartbeats so the group does not evict us.
 */
export function createKafkaBus(opts: KafkaBusOptions): Bus {
  const logger = opts.logger ?? silentLogger;
  const ns = opts.namespace;
  const retryBackoffMs = opts.retryBackoffMs ?? 100;
  const maxRetryBackoffMs = opts.maxRetryBackoffMs ?? 5_000;
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => forwardLog(logger, entry),
  });
  let producer: Promise<Producer> | undefined;
  const consumers = new Set<Subscription>();
  let closed = false;

  function connectedProducer(): Promise<Producer> {
    if (!producer) {
      const p = kafka.producer({
        allowAutoTopicCreation: true,
        idempotent: false,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producer = p.connect().then(
        () => p,
        (err: unknown) => {
          producer = undefined; // the next publish tries again
          throw err;
        },
      );
    }
    return producer;
  }

  return {
    async publish(topic: string, messages: BusMessage[]) {
      if (closed) throw new Error('the bus is closed');
      if (messages.length === 0) return;
      const p = await connectedProducer();
      await p.send({
        topic: namespaced(ns, topic),
        acks: -1,
        messages: messages.map((m) => ({ key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}) })),
      });
    },

    async subscribe(s: SubscribeOptions) {
      if (closed) throw new Error('the bus is closed');
      const consumer = kafka.consumer({
        groupId: namespaced(ns, s.group),
        allowAutoTopicCreation: true,
        sessionTimeout: 3_000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 100,
      });
      const stopping = new AbortController();
      const sub = await runConsumer(consumer, s, stopping, { ns, logger, retryBackoffMs, maxRetryBackoffMs, concurrency: opts.partitionsConsumedConcurrently ?? 4 });
      const handle: Subscription = {
        async stop() {
          if (stopping.signal.aborted) return;
          stopping.abort();
          consumers.delete(handle);
          await sub.disconnect();
        },
      };
      consumers.add(handle);
      return handle;
    },

    async close() {
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      const p = producer;
      producer = undefined;
      if (p) await p.then((x) => x.disconnect()).catch(() => undefined);
    },
  };
}

interface RunOptions {
  ns: string | undefined;
  logger: Logger;
  retryBackoffMs: number;
  maxRetryBackoffMs: number;
  concurrency: number;
}

/** Connects, subscribes, runs, and resolves once the consumer has joined its group. */
async function runConsumer(consumer: Consumer, s: SubscribeOptions, stopping: AbortController, o: RunOptions): Promise<Consumer> {
  let joined!: () => void;
  let failed!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    joined = resolve;
    failed = reject;
  });
  const offJoin = consumer.on(consumer.events.GROUP_JOIN, () => joined());
  const offCrash = consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) failed(e.payload.error);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [namespaced(o.ns, s.topic)], fromBeginning: s.fromBeginning ?? false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: o.concurrency,
      eachBatch: (payload) => eachBatch(consumer, s, payload, stopping.signal, o),
    });
    await ready;
    return consumer;
  } catch (err) {
    stopping.abort();
    await consumer.disconnect().catch(() => undefined);
    throw err;
  } finally {
    offJoin();
    offCrash();
  }
}

async function eachBatch(consumer: Consumer, s: SubscribeOptions, payload: EachBatchPayload, stop: AbortSignal, o: RunOptions): Promise<void> {
  const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
  if (batch.messages.length === 0) return;
  const delivered = batch.messages.map((m) => toDelivered(s.topic, batch.partition, m));
  for (let failures = 0; ; ) {
    // Stopping, or the partition went to another member: leave the batch uncommitted, so
    // whoever owns the partition next gets it again.
    if (stop.aborted || !isRunning() || isStale()) return;
    try {
      await s.handle(delivered);
      break;
    } catch (err) {
      failures++;
      const delay = backoffDelay(failures, o.retryBackoffMs, o.maxRetryBackoffMs);
      if (!stop.aborted) {
        o.logger.warn('bus handler failed; the same messages come again after a backoff', {
          topic: s.topic,
          partition: batch.partition,
          offset: delivered[0]!.offset,
          attempt: failures,
          delayMs: delay,
          error: (err as Error).message,
        });
      }
      await pause(delay, stop);
      try {
        await heartbeat();
      } catch {
        return; // the group is rebalancing: the batch goes to the partition's next owner
      }
    }
  }
  const last = batch.lastOffset();
  await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
  resolveOffset(last);
}

function toDelivered(topic: string, partition: number, m: KafkaMessage): Delivered {
  const headers = m.headers ? headersOf(m.headers) : undefined;
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key?.toString('utf8') ?? '',
    value: m.value?.toString('utf8') ?? '',
    ...(headers ? { headers } : {}),
  };
}

function headersOf(h: IHeaders): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let any = false;
  for (const [name, v] of Object.entries(h)) {
    if (v === undefined) continue;
    const one = Array.isArray(v) ? v[v.length - 1] : v; // a repeated header: the last one wins
    if (one === undefined) continue;
    out[name] = one.toString();
    any = true;
  }
  return any ? out : undefined;
}

function forwardLog(logger: Logger, entry: LogEntry): void {
  const { message, timestamp: _t, logger: _l, ...fields } = entry.log;
  const line = `kafka: ${message}`;
  const f = { kafka: entry.namespace, ...fields };
  // kafkajs logs every heartbeat answered "rebalancing" as an error: it is the normal way a
  // member learns that the group changed, so it is a warning here.
  const rebalancing = typeof fields.error === 'string' && fields.error.includes('rebalancing');
  if ((entry.level === logLevel.ERROR || entry.level === logLevel.NOTHING) && !rebalancing) logger.error(line, f);
  else if (entry.level === logLevel.ERROR || entry.level === logLevel.WARN) logger.warn(line, f);
}
