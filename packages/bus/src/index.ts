export { TOPICS, MESSAGE_ID_HEADER, type Bus, type BusMessage, type Delivered, type SubscribeOptions, type Subscription } from './port.ts';
export { createInProcessBus, createInProcessBroker, partitionOf, type InProcessBroker, type InProcessBusOptions } from './in-process.ts';
export { createKafkaBus, type KafkaBusOptions } from './kafka.ts';
