export { startTestBroker, type TestBroker } from './broker.ts';

// What tests/setup/global.ts provides to every test file (`inject('kafkaBrokers')`): the
// broker list, or '' with the reason in `kafkaUnavailable` when no broker could start.
declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    kafkaUnavailable: string;
  }
}
