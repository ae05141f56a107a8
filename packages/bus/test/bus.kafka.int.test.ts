import { describe, inject } from 'vitest';
import { createKafkaBus } from '../src/index.ts';
import '../src/testing/index.ts';
import { busContract } from './bus.contract.ts';

const brokers = inject('kafkaBrokers');
const unavailable = inject('kafkaUnavailable');

describe.skipIf(!brokers)(`Kafka bus${brokers ? '' : ` (skipped: ${unavailable})`}`, () => {
  busContract(() => ({
    make: (namespace) => createKafkaBus({ brokers: brokers.split(','), clientId: `test-${namespace}`, namespace, retryBackoffMs: 50 }),
    timeoutMs: 30_000,
  }));
});
