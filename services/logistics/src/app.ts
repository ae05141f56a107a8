import { createCustodyApp, type CustodyAppDeps } from '@milkchain/custody';

/**
 * The logistics service's HTTP API. Its endpoints are the logistics commands of the domain's command table
 * (packages/domain, custody); the write pipeline, projection and reads are @milkchain/custody's.
 */
export function createLogisticsApp(deps: Omit<CustodyAppDeps, 'service'>) {
  return createCustodyApp({ ...deps, service: 'logistics' });
}
