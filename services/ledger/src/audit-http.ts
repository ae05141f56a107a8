import { canonicalBytes, peekCheckpoint, type EventSignature } from '@milkchain/ledger';
import type { AuditSource } from './audit.ts';
import type { CheckpointRecord } from './store/port.ts';

interface EntriesPage {
  entries: Array<{ seq: number; id: string; event: unknown; signature: string | { jws: string; bulk: string } }>;
  bulkSignatures: Record<string, string[]>;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/**
 * Audits a running ledger through its public API. The server serves events as JSON, so the audit
 * re-canonicalises them (RFC 8785) before hashing; only the latest checkpoint is available, and
 * stored tiles are the server's business (audit the database for those).
 */
export function httpSource(base: string): AuditSource {
  let latest: CheckpointRecord | null | undefined;
  const latestCheckpoint = async () => {
    if (latest === undefined) {
      const cp = await getJson<{ checkpoint: string; treeSize: number; rootHash: string; issuedAt: string }>(`${base}/ledger/v1/checkpoint`);
      const payload = peekCheckpoint(cp.checkpoint);
      latest = { treeSize: payload.treeSize, rootHash: payload.rootHash, issuedAt: payload.issuedAt, jws: cp.checkpoint };
    }
    return latest;
  };
  return {
    size: async () => (await latestCheckpoint())?.treeSize ?? 0,
    latestCheckpoint,
    async checkpoints(from, to) {
      const cp = await latestCheckpoint();
      return cp && cp.treeSize >= from && cp.treeSize <= to ? [cp] : [];
    },
    async entries(start, limit) {
      const page = await getJson<EntriesPage>(`${base}/ledger/v1/entries?start=${start}&limit=${Math.min(limit, 1000)}`);
      return page.entries.map((e) => {
        const signature: EventSignature =
          typeof e.signature === 'string' ? e.signature : { jws: e.signature.jws, ids: page.bulkSignatures[e.signature.bulk] ?? [] };
        return { seq: e.seq, id: e.id, canonical: canonicalBytes(e.event), signature };
      });
    },
  };
}
