import type { Pool } from '@milkchain/store';
import { to as copyTo } from 'pg-copy-streams';
import {
  StoreConflictError,
  tileKey,
  type BatchWrite,
  type BulkSignatureWrite,
  type CheckpointRecord,
  type LedgerStore,
  type OrgKeyRecord,
  type PublicJwk,
  type ScannedEntry,
  type StoredEntry,
} from './port.ts';

const hex = (b: Buffer) => b.toString('hex');
const buf = (h: string) => Buffer.from(h, 'hex');
/** SQLSTATE raised by ledger_append_batch when a batch does not start at the log's size. */
const APPEND_CONFLICT = 'ML409';

/** Writes 64 hex characters as 32 bytes at slot `i`; refuses anything else (an id is exactly that). */
function writeHex32(target: Buffer, i: number, hexId: string) {
  if (hexId.length !== 64 || target.write(hexId, 32 * i, 32, 'hex') !== 32) throw new TypeError(`not a 32-byte hex id: ${hexId}`);
}

/** Byte strings concatenated into one binary parameter, with their offsets and lengths. */
function packed(parts: Uint8Array[]): { blob: Buffer; offsets: number[]; lengths: number[] } {
  const offsets: number[] = [];
  const lengths: number[] = [];
  let at = 0;
  for (const p of parts) {
    offsets.push(at);
    lengths.push(p.byteLength);
    at += p.byteLength;
  }
  const blob = Buffer.allocUnsafe(at);
  parts.forEach((p, i) => blob.set(p, offsets[i]!));
  return { blob, offsets, lengths };
}

/** Elements that need quoting and escaping inside an array literal (quotes and backslashes). */
const NEEDS_ESCAPE = /["\\]/;

/**
 * An array parameter as PostgreSQL's array literal, written with one join. node-postgres would
 * quote and escape every element with two regular-expression replaces (numbers and booleans
 * included): for a batch's columns that was thousands of calls per statement. Elements with a
 * quote or a backslash fall back to node-postgres's own escaping (the array as it is).
 */
export function arrayLiteral(values: ReadonlyArray<string | number | boolean | null>): string | ReadonlyArray<string | number | boolean | null> {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === null) parts[i] = 'NULL';
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return values;
      parts[i] = String(v);
    } else if (typeof v === 'boolean') parts[i] = v ? 't' : 'f';
    else if (NEEDS_ESCAPE.test(v)) return values;
    else parts[i] = `"${v}"`;
  }
  return `{${parts.join(',')}}`;
}

interface EntryRow {
  seq: number;
  id: Buffer;
  subject: string;
  kind: string;
  org: string;
  prev: Buffer | null;
  canonical: Buffer;
  signature: string | null;
  bulk_id: number | null;
}

const ENTRY_COLUMNS = 'seq, id, subject, kind, org, prev, canonical, signature, bulk_id';

function toEntry(r: EntryRow): StoredEntry {
  return {
    seq: r.seq,
    id: hex(r.id),
    subject: r.subject,
    kind: r.kind,
    org: r.org,
    prev: r.prev ? hex(r.prev) : null,
    canonical: new Uint8Array(r.canonical),
    signature: r.signature,
    bulkId: r.bulk_id,
  };
}

function toCheckpoint(r: { tree_size: number; root_hash: Buffer; issued_at: Date; jws: string }): CheckpointRecord {
  return { treeSize: r.tree_size, rootHash: hex(r.root_hash), issuedAt: r.issued_at.toISOString(), jws: r.jws };
}

/**
 * PostgreSQL store. The hot path is raw SQL: one multi-row INSERT ... SELECT unnest(...) per
 * table per batch, in one transaction; the tables themselves are declared in prisma/schema.prisma.
 */
export class PostgresLedgerStore implements LedgerStore {
  constructor(private readonly pool: Pool) {}

  /**
   * One statement, one round trip: ledger_append_batch (migration 20261123200000) takes the append
   * lock, checks the log's size against `firstSeq` and inserts everything; run outside an
   * explicit transaction it is its own transaction, committed (fsync) before the reply. Byte
   * columns go as concatenated binary parameters, not as hex text arrays.
   */
  async appendBatch(batch: BatchWrite): Promise<void> {
    batch.entries.forEach((e, i) => {
      if (e.seq !== batch.firstSeq + i) throw new StoreConflictError(`entry ${i} has seq ${e.seq}, expected ${batch.firstSeq + i}`);
    });
    const es = batch.entries;
    const ids = Buffer.allocUnsafe(32 * es.length);
    const prevs = Buffer.alloc(32 * es.length);
    const hasPrev: boolean[] = [];
    es.forEach((e, i) => {
      writeHex32(ids, i, e.id);
      hasPrev.push(e.prev !== null);
      if (e.prev !== null) writeHex32(prevs, i, e.prev);
    });
    const canonical = packed(es.map((e) => e.canonical));
    const bulk = packed(batch.bulkSignatures.map((b) => {
      const blob = Buffer.allocUnsafe(32 * b.ids.length);
      b.ids.forEach((id, i) => writeHex32(blob, i, id));
      return blob;
    }));
    const tiles = packed(batch.tiles.map((t) => t.hashes));
    const cp = batch.checkpoint;
    try {
      await this.pool.query(`SELECT ledger_append_batch(${Array.from({ length: 30 }, (_, i) => `$${i + 1}`).join(', ')})`, [
        batch.firstSeq,
        ids,
        arrayLiteral(es.map((e) => e.subject)),
        arrayLiteral(es.map((e) => e.kind)),
        arrayLiteral(es.map((e) => e.org)),
        arrayLiteral(hasPrev),
        prevs,
        canonical.blob,
        arrayLiteral(canonical.offsets),
        arrayLiteral(canonical.lengths),
        arrayLiteral(es.map((e) => e.signature)),
        arrayLiteral(es.map((e) => e.bulkId)),
        arrayLiteral(batch.bulkSignatures.map((b) => b.id)),
        arrayLiteral(batch.bulkSignatures.map((b) => b.jws)),
        bulk.blob,
        arrayLiteral(bulk.offsets),
        arrayLiteral(bulk.lengths),
        arrayLiteral(batch.tiles.map((t) => t.tileLevel)),
        arrayLiteral(batch.tiles.map((t) => t.tileIndex)),
        tiles.blob,
        arrayLiteral(tiles.offsets),
        arrayLiteral(tiles.lengths),
        cp.treeSize,
        buf(cp.rootHash),
        cp.issuedAt,
        cp.jws,
        batch.orgKeys.map((k) => k.kid),
        batch.orgKeys.map((k) => k.org),
        batch.orgKeys.map((k) => JSON.stringify(k.jwk)),
        batch.orgKeys.map((k) => k.seq),
      ]);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === APPEND_CONFLICT) throw new StoreConflictError((err as Error).message);
      if (code === '23505') throw new StoreConflictError(`duplicate: ${(err as { detail?: string }).detail ?? (err as Error).message}`);
      throw err;
    }
  }

  async size() {
    const { rows } = await this.pool.query<{ size: number }>('SELECT COALESCE(max(seq) + 1, 0)::bigint AS size FROM ledger_entries');
    return rows[0]?.size ?? 0;
  }

  async latestCheckpoint() {
    const { rows } = await this.pool.query('SELECT tree_size, root_hash, issued_at, jws FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1');
    return rows[0] ? toCheckpoint(rows[0]) : null;
  }

  async checkpoints(fromSize: number, toSize: number, limit: number) {
    const { rows } = await this.pool.query(
      'SELECT tree_size, root_hash, issued_at, jws FROM ledger_checkpoints WHERE tree_size BETWEEN $1 AND $2 ORDER BY tree_size LIMIT $3',
      [fromSize, toSize, limit],
    );
    return rows.map(toCheckpoint);
  }

  async entries(start: number, limit: number) {
    const { rows } = await this.pool.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM ledger_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq`,
      [start, start + limit],
    );
    return rows.map(toEntry);
  }

  async entryById(id: string) {
    const { rows } = await this.pool.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ledger_entries WHERE id = $1`, [buf(id)]);
    return rows[0] ? toEntry(rows[0]) : null;
  }

  async seqsOf(ids: string[]) {
    const out = new Map<string, number>();
    if (ids.length === 0) return out;
    // A correlated subquery is one index probe per id, whatever the planner's statistics say; a
    // join or `id = ANY(...)` was planned as a full scan while the table grew faster than
    // autovacuum analysed it (measured: 14-27 ms for 1000 ids at 20k rows, growing with the log).
    // The ids go as one binary parameter (32 bytes each), and only the ids found come back: a
    // batch's ids are nearly all new, and 1000 rows of hex and nulls cost more than the probes.
    // OFFSET 0 keeps the subquery from being flattened, which would probe twice (select, where).
    const packedIds = Buffer.allocUnsafe(32 * ids.length);
    ids.forEach((id, i) => writeHex32(packedIds, i, id));
    const { rows } = await this.pool.query<{ id: Buffer; seq: number }>(
      `SELECT id, seq FROM (
         SELECT q.id, (SELECT e.seq FROM ledger_entries e WHERE e.id = q.id) AS seq
         FROM (SELECT substring($1::bytea FROM i * 32 + 1 FOR 32) AS id FROM generate_series(0, $2::int - 1) AS i) AS q
         OFFSET 0
       ) AS found WHERE seq IS NOT NULL`,
      [packedIds, ids.length],
    );
    for (const r of rows) out.set(hex(r.id), r.seq);
    return out;
  }

  async heads(subjects: string[]) {
    const out = new Map<string, string>();
    if (subjects.length === 0) return out;
    const { rows } = await this.pool.query<{ subject: string; id: Buffer }>(
      `SELECT subject, id FROM (
         SELECT s AS subject, (SELECT id FROM ledger_entries e WHERE e.subject = s ORDER BY seq DESC LIMIT 1) AS id
         FROM unnest($1::text[]) AS s OFFSET 0
       ) AS found WHERE id IS NOT NULL`,
      [arrayLiteral(subjects)],
    );
    for (const r of rows) out.set(r.subject, hex(r.id));
    return out;
  }

  async bulkSignature(id: number): Promise<BulkSignatureWrite | null> {
    const { rows } = await this.pool.query<{ id: number; jws: string; ids: Buffer }>('SELECT id, jws, ids FROM ledger_bulk_signatures WHERE id = $1', [id]);
    const r = rows[0];
    if (!r) return null;
    const ids: string[] = [];
    for (let o = 0; o < r.ids.length; o += 32) ids.push(r.ids.subarray(o, o + 32).toString('hex'));
    return { id: r.id, jws: r.jws, ids };
  }

  async tiles(coords: Array<{ tileLevel: number; tileIndex: number }>) {
    const out = new Map<string, Uint8Array>();
    if (coords.length === 0) return out;
    const { rows } = await this.pool.query<{ level: number; idx: number; hashes: Buffer }>(
      'SELECT t.level, t.idx, t.hashes FROM ledger_tiles t JOIN unnest($1::int[], $2::bigint[]) AS c(level, idx) ON t.level = c.level AND t.idx = c.idx',
      [coords.map((c) => c.tileLevel), coords.map((c) => c.tileIndex)],
    );
    for (const r of rows) out.set(tileKey(r.level, r.idx), new Uint8Array(r.hashes));
    return out;
  }

  async orgKey(kid: string) {
    const { rows } = await this.pool.query<OrgKeyRecord>('SELECT kid, org, jwk, seq FROM ledger_org_keys WHERE kid = $1', [kid]);
    return rows[0] ?? null;
  }

  async orgKeys() {
    const { rows } = await this.pool.query<OrgKeyRecord>('SELECT kid, org, jwk, seq FROM ledger_org_keys ORDER BY seq');
    return rows;
  }

  async logKeys() {
    const { rows } = await this.pool.query<{ jwk: PublicJwk }>('SELECT jwk FROM ledger_log_keys ORDER BY created_at');
    return rows.map((r) => r.jwk);
  }

  async addLogKey(kid: string, jwk: PublicJwk) {
    await this.pool.query('INSERT INTO ledger_log_keys (kid, jwk) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING', [kid, JSON.stringify({ ...jwk, kid })]);
  }

  // ---- Read paths for proof serving and the audit (session 8, read side) ----

  /** A named statement: parsed and planned once per connection, not per proof request. */
  async seqOf(id: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ seq: number }>({ name: 'ledger_seq_of', text: 'SELECT seq FROM ledger_entries WHERE id = $1', values: [buf(id)] });
    return rows[0]?.seq ?? null;
  }

  /**
   * One COPY ... TO STDOUT (FORMAT binary) over the range, parsed as it streams: no pages, no
   * per-row objects from the driver, no hex text for the byte columns. Bulk signatures are read
   * once per chunk for the bulk ids the chunk names that are not cached yet.
   */
  async *scanEntries(start: number, end: number): AsyncIterable<ScannedEntry[]> {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) throw new TypeError('scanEntries takes integer bounds');
    if (end <= start) return;
    const client = await this.pool.connect();
    let clean = false;
    try {
      const stream = client.query(
        copyTo(`COPY (SELECT seq, id, canonical, signature, bulk_id FROM ledger_entries WHERE seq >= ${start} AND seq < ${end} ORDER BY seq) TO STDOUT (FORMAT binary)`),
      );
      const parser = new CopyBinaryEntries();
      const bulk = new Map<number, { jws: string; ids: string[] } | null>();
      const resolve = async (rows: ScannedEntry[]) => {
        const wanted = new Set<number>();
        for (const r of rows) if (r.bulkId !== null && !bulk.has(r.bulkId)) wanted.add(r.bulkId);
        if (wanted.size > 0) {
          if (bulk.size > 10_000) bulk.clear();
          const { rows: found } = await this.pool.query<{ id: number; jws: string; ids: Buffer }>(
            'SELECT q.id, b.jws, b.ids FROM unnest($1::bigint[]) AS q(id) JOIN ledger_bulk_signatures b ON b.id = q.id',
            [[...wanted]],
          );
          for (const id of wanted) bulk.set(id, null);
          for (const f of found) {
            const ids: string[] = [];
            for (let o = 0; o + 32 <= f.ids.length; o += 32) ids.push(f.ids.toString('hex', o, o + 32));
            bulk.set(f.id, { jws: f.jws, ids });
          }
        }
        for (const r of rows) if (r.bulkId !== null) r.bulk = bulk.get(r.bulkId) ?? null;
        return rows;
      };
      let rows: ScannedEntry[] = [];
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        for (const r of parser.push(chunk)) rows.push(r);
        if (rows.length >= SCAN_CHUNK) {
          yield await resolve(rows);
          rows = [];
        }
      }
      parser.end();
      if (rows.length > 0) yield await resolve(rows);
      clean = true;
    } finally {
      // A failure, or a consumer that stopped early, leaves the COPY unfinished: that connection
      // cannot be reused, so it is closed instead of returned to the pool.
      client.release(clean ? undefined : true);
    }
  }
}

const WRITER_LEASE = 72707371;

/**
 * The single-writer lease: a session advisory lock held on its own connection for the life of
 * the sequencer. A second ledger process on the same database waits here until the first one
 * exits or dies (PostgreSQL drops the lock with the dead connection).
 */
export async function acquireWriterLease(databaseUrl: string): Promise<{ release(): Promise<void> }> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'milkchain-ledger-writer' });
  // If the connection drops the lock is gone; the store's seq and id constraints still refuse a
  // second writer's batches (StoreConflictError), so this only must not crash the process.
  client.on('error', () => {});
  await client.connect();
  await client.query('SELECT pg_advisory_lock($1)', [WRITER_LEASE]);
  return {
    async release() {
      await client.query('SELECT pg_advisory_unlock($1)', [WRITER_LEASE]).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}


/** Entries per chunk of `scanEntries`. */
const SCAN_CHUNK = 2048;

const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Parses PostgreSQL's binary COPY format (header, then per tuple: int16 field count, and per
 * field int32 length, -1 for NULL, and the bytes) for the columns seq, id, canonical, signature,
 * bulk_id. Byte columns are views into the received chunk, not copies.
 */
class CopyBinaryEntries {
  #rest: Buffer = Buffer.alloc(0);
  #header = false;
  #done = false;

  push(chunk: Buffer): ScannedEntry[] {
    const b = this.#rest.length === 0 ? chunk : Buffer.concat([this.#rest, chunk]);
    let at = 0;
    const out: ScannedEntry[] = [];
    if (!this.#header) {
      if (b.length < 19) {
        this.#rest = b;
        return out;
      }
      if (!b.subarray(0, 11).equals(COPY_SIGNATURE)) throw new Error('not a binary COPY stream');
      at = 19 + b.readInt32BE(15);
      this.#header = true;
    }
    for (;;) {
      if (this.#done || at + 2 > b.length) break;
      const fields = b.readInt16BE(at);
      if (fields === -1) {
        this.#done = true;
        at += 2;
        break;
      }
      if (fields !== 5) throw new Error(`binary COPY: expected 5 fields, got ${fields}`);
      // Walk the five fields; stop (and wait for more bytes) if the tuple is not complete.
      let p = at + 2;
      const starts: number[] = [];
      const lengths: number[] = [];
      let complete = true;
      for (let f = 0; f < 5; f++) {
        if (p + 4 > b.length) {
          complete = false;
          break;
        }
        const len = b.readInt32BE(p);
        p += 4;
        starts.push(p);
        lengths.push(len);
        if (len > 0) p += len;
        if (p > b.length) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      if (lengths[0] !== 8 || lengths[1] !== 32 || lengths[2]! < 0) throw new Error('binary COPY: unexpected seq, id or canonical field');
      out.push({
        seq: Number(b.readBigInt64BE(starts[0]!)),
        id: b.toString('hex', starts[1]!, starts[1]! + 32),
        canonical: new Uint8Array(b.buffer, b.byteOffset + starts[2]!, lengths[2]!),
        signature: lengths[3]! < 0 ? null : b.toString('utf8', starts[3]!, starts[3]! + lengths[3]!),
        bulkId: lengths[4]! < 0 ? null : Number(b.readBigInt64BE(starts[4]!)),
        bulk: null,
      });
      at = p;
    }
    this.#rest = b.subarray(at);
    return out;
  }

  end(): void {
    if (!this.#done || this.#rest.length > 0) throw new Error('binary COPY stream ended early');
  }
}
