import { AppError } from '@milkchain/http';

/** What a custody service asks the ledger directly (everything else arrives on the bus). */
export interface LedgerClient {
  /** The id of the latest event of each subject the log has (subjects without events are absent). */
  heads(subjects: string[]): Promise<Map<string, string>>;
  /** The receipt of a sequenced event (event, signature, inclusion proof, checkpoint), or undefined. */
  receipt(id: string): Promise<unknown>;
}

/** The ledger's HTTP API (`GET /ledger/v1/heads`, `GET /ledger/v1/events/{id}`). */
export function httpLedgerClient(baseUrl: string, fetchImpl: typeof fetch = fetch): LedgerClient {
  const base = baseUrl.replace(/\/+$/, '');
  async function get(path: string): Promise<Response> {
    try {
      return await fetchImpl(base + path, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      throw new AppError('UNAVAILABLE', `the ledger at ${base} cannot be reached (${(err as Error).message}); try again shortly`, { retryable: true });
    }
  }
  return {
    async heads(subjects) {
      const out = new Map<string, string>();
      for (let i = 0; i < subjects.length; i += 100) {
        const q = subjects.slice(i, i + 100).map((s) => `subject=${encodeURIComponent(s)}`).join('&');
        const res = await get(`/ledger/v1/heads?${q}`);
        if (!res.ok) throw new AppError('UNAVAILABLE', `the ledger answered ${res.status} to a head lookup; try again shortly`, { retryable: true });
        const body = (await res.json()) as { heads: Record<string, string> };
        for (const [s, h] of Object.entries(body.heads)) out.set(s, h);
      }
      return out;
    },
    async receipt(id) {
      const res = await get(`/ledger/v1/events/${id}`);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new AppError('UNAVAILABLE', `the ledger answered ${res.status} for a receipt; try again shortly`, { retryable: true });
      return res.json();
    },
  };
}
