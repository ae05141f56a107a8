import {
  StoreConflictError,
  tileKey,
  type BatchWrite,
  type BulkSignatureWrite,
  type CheckpointRecord,
  type LedgerStore,
  type OrgKeyRecord,
  type PublicJwk,
  type StoredEntry,
} from './port.ts';

/** In-memory store for unit tests and demos; same contract as PostgreSQL, minus durability. */
export class MemoryLedgerStore implements LedgerStore {
  #entries: StoredEntry[] = [];
  #byId = new Map<string, number>();
  #heads = new Map<string, string>();
  #bulk = new Map<number, BulkSignatureWrite>();
  #tiles = new Map<string, Uint8Array>();
  #checkpoints: CheckpointRecord[] = [];
  #orgKeys = new Map<string, OrgKeyRecord>();
  #logKeys = new Map<string, PublicJwk>();

  async appendBatch(batch: BatchWrite): Promise<void> {
    if (batch.firstSeq !== this.#entries.length) {
      throw new StoreConflictError(`batch starts at seq ${batch.firstSeq} but the log has ${this.#entries.length} entries`);
    }
    const seen = new Set<string>();
    batch.entries.forEach((e, i) => {
      if (e.seq !== batch.firstSeq + i) throw new StoreConflictError(`entry ${i} has seq ${e.seq}, expected ${batch.firstSeq + i}`);
      if (this.#byId.has(e.id) || seen.has(e.id)) throw new StoreConflictError(`event ${e.id} is already in the log`);
      seen.add(e.id);
    });
    if (this.#checkpoints.some((c) => c.treeSize === batch.checkpoint.treeSize)) {
      throw new StoreConflictError(`a checkpoint for tree size ${batch.checkpoint.treeSize} exists`);
    }
    for (const k of batch.orgKeys) if (this.#orgKeys.has(k.kid)) throw new StoreConflictError(`key ${k.kid} is already registered`);
    // Validated: apply. Copies, so that callers cannot change stored bytes afterwards.
    for (const e of batch.entries) {
      this.#entries.push({ ...e, canonical: e.canonical.slice() });
      this.#byId.set(e.id, e.seq);
      this.#heads.set(e.subject, e.id);
    }
    for (const b of batch.bulkSignatures) this.#bulk.set(b.id, { ...b, ids: [...b.ids] });
    for (const t of batch.tiles) this.#tiles.set(tileKey(t.tileLevel, t.tileIndex), t.hashes.slice());
    this.#checkpoints.push({ ...batch.checkpoint });
    for (const k of batch.orgKeys) this.#orgKeys.set(k.kid, { ...k });
  }

  async size() {
    return this.#entries.length;
  }

  async latestCheckpoint() {
    return this.#checkpoints.at(-1) ?? null;
  }

  async checkpoints(fromSize: number, toSize: number, limit: number) {
    return this.#checkpoints.filter((c) => c.treeSize >= fromSize && c.treeSize <= toSize).slice(0, limit);
  }

  async entries(start: number, limit: number) {
    return this.#entries.slice(start, start + limit).map((e) => ({ ...e, canonical: e.canonical.slice() }));
  }

  async entryById(id: string) {
    const seq = this.#byId.get(id);
    const e = seq === undefined ? undefined : this.#entries[seq];
    return e ? { ...e, canonical: e.canonical.slice() } : null;
  }

  async seqOf(id: string) {
    return this.#byId.get(id) ?? null;
  }

  async *scanEntries(start: number, end: number) {
    const CHUNK = 1000;
    const bulk = new Map<number, { jws: string; ids: string[] } | null>();
    for (let from = start; from < end; from += CHUNK) {
      const chunk = this.#entries.slice(from, Math.min(end, from + CHUNK));
      if (chunk.length === 0) return;
      yield chunk.map((e) => {
        let b: { jws: string; ids: string[] } | null = null;
        if (e.bulkId !== null) {
          if (!bulk.has(e.bulkId)) {
            const stored = this.#bulk.get(e.bulkId);
            bulk.set(e.bulkId, stored ? { jws: stored.jws, ids: [...stored.ids] } : null);
          }
          b = bulk.get(e.bulkId) ?? null;
        }
        return { seq: e.seq, id: e.id, canonical: e.canonical.slice(), signature: e.signature, bulkId: e.bulkId, bulk: b };
      });
    }
  }

  async seqsOf(ids: string[]) {
    const out = new Map<string, number>();
    for (const id of ids) {
      const seq = this.#byId.get(id);
      if (seq !== undefined) out.set(id, seq);
    }
    return out;
  }

  async heads(subjects: string[]) {
    const out = new Map<string, string>();
    for (const s of subjects) {
      const h = this.#heads.get(s);
      if (h !== undefined) out.set(s, h);
    }
    return out;
  }

  async bulkSignature(id: number) {
    const b = this.#bulk.get(id);
    return b ? { ...b, ids: [...b.ids] } : null;
  }

  async tiles(coords: Array<{ tileLevel: number; tileIndex: number }>) {
    const out = new Map<string, Uint8Array>();
    for (const c of coords) {
      const key = tileKey(c.tileLevel, c.tileIndex);
      const t = this.#tiles.get(key);
      if (t) out.set(key, t.slice());
    }
    return out;
  }

  async orgKey(kid: string) {
    return this.#orgKeys.get(kid) ?? null;
  }

  async orgKeys() {
    return [...this.#orgKeys.values()];
  }

  async logKeys() {
    return [...this.#logKeys.values()];
  }

  async addLogKey(kid: string, jwk: PublicJwk) {
    if (!this.#logKeys.has(kid)) this.#logKeys.set(kid, { ...jwk, kid });
  }
}
