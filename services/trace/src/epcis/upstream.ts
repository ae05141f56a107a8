// What the EPCIS endpoints and the regulator's view read from (and send to) the other services,
// over their public HTTP APIs, so the trace service works the same alone and in the one-process
// mode: ledger entries and checkpoints, identity's public organisation directory, the custody
// services' batch endpoints (with the caller's token forwarded).
import type { JSONWebKeySet } from 'jose';
import type { LedgerEvent } from '@milkchain/ledger';
import type { ServiceName } from '@milkchain/domain';
import type { BaseUrl } from '../resolver/clients.ts';
import { UpstreamError } from '../resolver/clients.ts';

const baseOf = (b: BaseUrl) => (typeof b === 'function' ? b() : b).replace(/\/+$/, '');

/** A sequenced entry as `GET /ledger/v1/entries` serves it (signatures are not needed here). */
export interface FetchedEntry {
  seq: number;
  id: string;
  event: LedgerEvent;
}

export interface LedgerCheckpoint {
  /** The checkpoint as the log signed it (compact JWS). */
  checkpoint: string;
  treeSize: number;
  rootHash: string;
  issuedAt: string;
}

/** identity's public profile of an organisation (`GET /identity/v1/orgs`). */
export interface DirectoryOrg {
  id: string;
  roles: string[];
  name: { 'zh-CN': string; en: string };
  region: { name: string; code: string };
  gln: string | null;
}

export interface LedgerEntries {
  /** Entries with seq in [start, start + limit), limit at most 1000. */
  entries(start: number, limit: number): Promise<FetchedEntry[]>;
  checkpoint(): Promise<LedgerCheckpoint>;
  logKeys(): Promise<JSONWebKeySet>;
  /** Every entry with its signature as the ledger serves it (for the audit). */
  rawEntries(start: number, limit: number): Promise<{ entries: Array<{ seq: number; id: string; event: unknown; signature: string | { jws: string; bulk: string } }>; bulkSignatures: Record<string, string[]> }>;
}

export interface OrgList {
  /** Every organisation identity knows, with its region and GLN. */
  list(): Promise<DirectoryOrg[]>;
}

/** The answer of a custody batch endpoint (`POST /<service>/v1/batch`), whatever its status. */
export interface CustodyAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface CustodyClient {
  /** Runs `commands` as one all-or-nothing batch as the token's organisation, waiting up to `waitSeconds` for the ledger. */
  batch(service: ServiceName, token: string, commands: Array<{ command: string; body: unknown }>, waitSeconds: number): Promise<CustodyAnswer>;
}

async function request(url: string, init: RequestInit, fetchImpl: typeof fetch, timeoutMs = 10_000): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new UpstreamError(`${init.method ?? 'GET'} ${url} failed: ${(err as Error).message}`);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new UpstreamError(`${init.method ?? 'GET'} ${url} answered ${res.status} with a body that is not JSON`);
  }
}

async function okJson<T>(url: string, fetchImpl: typeof fetch): Promise<T> {
  const { status, body } = await request(url, { headers: { accept: 'application/json' } }, fetchImpl);
  if (status !== 200) throw new UpstreamError(`GET ${url} answered ${status}`);
  return body as T;
}

export function httpLedgerEntries(base: BaseUrl, fetchImpl: typeof fetch = fetch): LedgerEntries {
  const raw = (start: number, limit: number) =>
    okJson<{ entries: Array<{ seq: number; id: string; event: unknown; signature: string | { jws: string; bulk: string } }>; bulkSignatures: Record<string, string[]> }>(
      `${baseOf(base)}/ledger/v1/entries?start=${start}&limit=${limit}`,
      fetchImpl,
    );
  return {
    async entries(start, limit) {
      const page = await raw(start, limit);
      return page.entries.map((e) => ({ seq: e.seq, id: e.id, event: e.event as LedgerEvent }));
    },
    rawEntries: raw,
    checkpoint: () => okJson<LedgerCheckpoint>(`${baseOf(base)}/ledger/v1/checkpoint`, fetchImpl),
    logKeys: () => okJson<JSONWebKeySet>(`${baseOf(base)}/.well-known/jwks.json`, fetchImpl),
  };
}

/** identity's organisation list, kept for `ttlMs` (organisations change rarely; their GLNs and regions never mid-request). */
export function httpOrgList(base: BaseUrl, ttlMs = 60_000, fetchImpl: typeof fetch = fetch): OrgList {
  let cached: { at: number; orgs: Promise<DirectoryOrg[]> } | undefined;
  return {
    list() {
      if (!cached || Date.now() - cached.at > ttlMs) {
        const orgs = okJson<{ orgs: DirectoryOrg[] }>(`${baseOf(base)}/identity/v1/orgs`, fetchImpl).then((r) => r.orgs);
        cached = { at: Date.now(), orgs };
        orgs.catch(() => {
          cached = undefined;
        });
      }
      return cached.orgs;
    },
  };
}

/** The custody services' base URL: one for all (the one-process mode, a path proxy) or one per service. */
export type CustodyUrls = BaseUrl | Partial<Record<ServiceName, BaseUrl>>;

export function httpCustodyClient(urls: CustodyUrls, fetchImpl: typeof fetch = fetch): CustodyClient {
  const baseFor = (service: ServiceName): string => {
    if (typeof urls === 'string' || typeof urls === 'function') return baseOf(urls);
    const b = urls[service];
    if (b === undefined) throw new UpstreamError(`no base URL configured for the ${service} service`);
    return baseOf(b);
  };
  return {
    async batch(service, token, commands, waitSeconds) {
      const { status, body } = await request(
        `${baseFor(service)}/${service}/v1/batch`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}`, prefer: `wait=${waitSeconds}` },
          body: JSON.stringify({ commands }),
        },
        fetchImpl,
        (waitSeconds + 15) * 1000,
      );
      return { status, body: (body ?? {}) as Record<string, unknown> };
    },
  };
}
