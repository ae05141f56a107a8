import { createCustodyApp, type CustodyAppDeps } from '@milkchain/custody';

/**
 * The lab service's HTTP API. Its endpoints are the lab commands of the domain's command table
 * (packages/domain, custody); the write pipeline, projection and reads are @milkchain/custody's.
 */
export function createLabApp(deps: Omit<CustodyAppDeps, 'service'>) {
  return createCustodyApp({ ...deps, service: 'lab' });
}
