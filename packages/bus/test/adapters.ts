import { inject } from 'vitest';
import { createInProcessBroker, createInProcessBus, createKafkaBus, type Bus } from '../src/index.ts';
import '../src/testing/index.ts';

export interface Adapter {
  name: string;
  /** The reason the adapter cannot run here, or false. */
  skip: string | false;
  /** A bus on this adapter's one broker; one namespace per test file keeps files apart. */
  make(namespace: string): Bus;
  /** How long a condition may take (a Kafka group join takes seconds). */
  timeoutMs: number;
}

/** Both adapters, for the suites that must hold on each; Kafka only when the run has a broker. */
export function adapters(): Adapter[] {
  const brokers = inject('kafkaBrokers');
  const broker = createInProcessBroker({ retryBackoffMs: 20 });
  return [
    { name: 'in-process bus', skip: false, make: (namespace) => createInProcessBus({ broker, namespace }), timeoutMs: 5_000 },
    {
      name: 'Kafka bus',
      skip: brokers ? false : inject('kafkaUnavailable') || 'no broker',
      make: (namespace) => createKafkaBus({ brokers: brokers.split(','), clientId: `test-${namespace}`, namespace, retryBackoffMs: 50 }),
      timeoutMs: 30_000,
    },
  ];
}
