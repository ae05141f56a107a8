import { createCustodyApp, type CustodyAppDeps } from '@milkchain/custody';

/**
 * The processor service's HTTP API. Its endpoints are the processor commands of the domain's command table
 * (packages/domain, custody); the write pipeline, projection and reads are @milkchain/custody's.
 */
export function createProcessorApp(deps: Omit<CustodyAppDeps, 'service'>) {
  return createCustodyApp({ ...deps, service: 'processor' });
}
