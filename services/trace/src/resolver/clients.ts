// What the resolver reads from the ledger and identity, over their public HTTP APIs, so the
// trace service builds bundles the same way whether it runs alone or in the one-process mode.
import type { JSONWebKeySet, JWK } from 'jose';
import type { Receipt } from '@milkchain/ledger';

/** A base URL, or a function giving it (the one-process mode learns its own URL after listening). */
export type BaseUrl = string | (() => string);

const baseOf = (b: BaseUrl) => (typeof b === 'function' ? b() : b).replace(/\/+$/, '');

export interface LedgerReader {
  /** The event, its signature and a proof against the ledger's latest checkpoint. */
  receipt(id: string): Promise<Receipt>;
  /** The inclusion proof of `id` in the tree of `treeSize` entries. */
  inclusionProof(id: string, treeSize: number): Promise<{ leafIndex: number; treeSize: number; hashes: string[] }>;
  /** Every organisation key the ledger has registered: public JWKs with kid and org. */
  orgKeys(): Promise<{ keys: Array<JWK & { kid: string; org: string }> }>;
  /** The log's own keys (checkpoints and key registrations are signed with them). */
  logKeys(): Promise<JSONWebKeySet>;
}

/** An organisation's public profile as identity serves it (`GET /identity/v1/orgs/{org}`). */
export interface OrgProfile {
  id: string;
  roles: string[];
  name: { 'zh-CN': string; en: string };
  region: { name: string; code: string };
  licences: Array<{ type: string; number: string; expiresAt: string }>;
  accreditations?: Array<{ scheme: string; number: string; expiresAt?: string }>;
}

export interface OrgDirectory {
  /** Undefined when identity does not know the organisation. */
  org(id: string): Promise<OrgProfile | undefined>;
}

export class UpstreamError extends Error {
  override name = 'UpstreamError';
}

async function getJson<T>(url: string, fetchImpl: typeof fetch): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new UpstreamError(`GET ${url} failed: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    throw new UpstreamError(`GET ${url} answered ${res.status} with a body that is not JSON`);
  }
  return { status: res.status, body };
}

async function okJson<T>(url: string, fetchImpl: typeof fetch): Promise<T> {
  const { status, body } = await getJson<T>(url, fetchImpl);
  if (status !== 200) throw new UpstreamError(`GET ${url} answered ${status}`);
  return body;
}

export function httpLedgerReader(base: BaseUrl, fetchImpl: typeof fetch = fetch): LedgerReader {
  return {
    receipt: (id) => okJson<Receipt>(`${baseOf(base)}/ledger/v1/events/${id}`, fetchImpl),
    inclusionProof: (id, treeSize) => okJson(`${baseOf(base)}/ledger/v1/proofs/inclusion?id=${id}&treeSize=${treeSize}`, fetchImpl),
    orgKeys: () => okJson(`${baseOf(base)}/ledger/v1/keys`, fetchImpl),
    logKeys: () => okJson(`${baseOf(base)}/.well-known/jwks.json`, fetchImpl),
  };
}

export function httpOrgDirectory(base: BaseUrl, fetchImpl: typeof fetch = fetch): OrgDirectory {
  return {
    async org(id) {
      const { status, body } = await getJson<OrgProfile>(`${baseOf(base)}/identity/v1/orgs/${encodeURIComponent(id)}`, fetchImpl);
      if (status === 404) return undefined;
      if (status !== 200) throw new UpstreamError(`identity answered ${status} for organisation ${id}`);
      return body;
    },
  };
}
