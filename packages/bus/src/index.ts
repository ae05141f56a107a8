export { TOPICS, MESSAGE_ID_HEADER, type Bus, type BusMessage, type Delivered, type SubscribeOptions, type Subscription } from './port.ts';
export { createInProcessBus, createInProcessBroker, partitionOf, type InProcessBroker, type InProcessBusOptions } from './in-process.ts';
export { createKafkaBus, type KafkaBusOptions } from './kafka.ts';
export { enqueue, startOutboxRelay, type OutboxMessage, type OutboxRelay, type OutboxRelayOptions } from './outbox.ts';
export { startConsumer, defaultMessageId, PermanentError, type ConsumerOptions } from './consumer.ts';
export { startLogConsumer, logCursor, waitForLogCursors, type LogConsumerOptions } from './log-consumer.ts';
export {
  listDeadLetters,
  resolveDeadLetter,
  replayDeadLetter,
  deadLettersRouter,
  type DeadLetter,
  type ListDeadLettersOptions,
} from './dead-letters.ts';
