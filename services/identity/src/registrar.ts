import type { JWK } from 'jose';

/**
 * Registers an organisation's public key with the ledger, so the ledger admits events signed with
 * it. Must be idempotent (registering the same key for the same org again succeeds). Only public
 * members are ever passed.
 */
export interface LedgerKeyRegistrar {
  register(org: string, publicJwk: JWK): Promise<void>;
}

/** The ledger's HTTP API: POST {ledger}/ledger/v1/orgs/{org}/keys with the admin bearer token. */
export function httpLedgerKeyRegistrar(ledgerUrl: string, adminToken: string, fetchImpl: typeof fetch = fetch): LedgerKeyRegistrar {
  const base = ledgerUrl.replace(/\/+$/, '');
  return {
    async register(org, publicJwk) {
      const res = await fetchImpl(`${base}/ledger/v1/orgs/${encodeURIComponent(org)}/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify({ jwk: publicJwk }),
      });
      if (res.status === 200 || res.status === 201) return;
      const body = (await res.json().catch(() => ({}))) as { detail?: unknown };
      throw new Error(`the ledger refused the key registration (HTTP ${res.status}${typeof body.detail === 'string' ? `: ${body.detail}` : ''})`);
    },
  };
}
