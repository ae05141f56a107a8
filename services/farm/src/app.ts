import { createCustodyApp, type CustodyAppDeps } from '@milkchain/custody';

/**
 * The farm service's HTTP API. Its endpoints are the farm commands of the domain's command table
 * (packages/domain, custody); the write pipeline, projection and reads are @milkchain/custody's.
 */
export function createFarmApp(deps: Omit<CustodyAppDeps, 'service'>) {
  return createCustodyApp({ ...deps, service: 'farm' });
}
