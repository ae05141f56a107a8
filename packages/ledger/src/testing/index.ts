import { generateOrgKey, signEventId, signEventIds } from '../signatures.ts';

/** An organisation with a fresh key, and helpers that sign as it. For tests and benchmarks. */
export async function makeOrg(org: string) {
  const key = await generateOrgKey();
  return {
    org,
    ...key,
    sign: (id: string) => signEventId(id, key.privateJwk, key.kid),
    signBulk: (ids: readonly string[]) => signEventIds(ids, key.privateJwk, key.kid),
  };
}
