-- One batch of the ledger's sequencer in one statement (one round trip, one transaction when
-- called outside an explicit transaction). The checks and the inserts are what
-- services/ledger/src/store/postgres.ts did statement by statement:
--   * the append lock serialises appenders across processes, and under it the log's size must
--     equal p_first_seq (each statement of a VOLATILE function takes a fresh snapshot, so the
--     size read after the lock sees every batch committed before it), else SQLSTATE 'ML409';
--   * ids are unique (ledger_entries_id_key), seqs too (the primary key): 23505 otherwise.
-- Byte columns arrive as one concatenated bytea each with offsets and lengths (ids and prevs 32
-- bytes each), so the client sends them in binary rather than as hex text arrays.
CREATE FUNCTION ledger_append_batch(
    p_first_seq   BIGINT,
    p_ids         BYTEA,
    p_subjects    TEXT[],
    p_kinds       TEXT[],
    p_orgs        TEXT[],
    p_has_prev    BOOLEAN[],
    p_prevs       BYTEA,
    p_canonical   BYTEA,
    p_canon_off   INTEGER[],
    p_canon_len   INTEGER[],
    p_signatures  TEXT[],
    p_bulk_refs   BIGINT[],
    p_bulk_ids    BIGINT[],
    p_bulk_jws    TEXT[],
    p_bulk_blob   BYTEA,
    p_bulk_off    INTEGER[],
    p_bulk_len    INTEGER[],
    p_tile_levels INTEGER[],
    p_tile_idxs   BIGINT[],
    p_tile_blob   BYTEA,
    p_tile_off    INTEGER[],
    p_tile_len    INTEGER[],
    p_cp_size     BIGINT,
    p_cp_root     BYTEA,
    p_cp_issued   TIMESTAMPTZ,
    p_cp_jws      TEXT,
    p_key_kids    TEXT[],
    p_key_orgs    TEXT[],
    p_key_jwks    JSONB[],
    p_key_seqs    BIGINT[]
) RETURNS VOID
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    current_size BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(72707370);
    SELECT COALESCE(max(seq) + 1, 0) INTO current_size FROM ledger_entries;
    IF current_size <> p_first_seq THEN
        RAISE EXCEPTION 'batch starts at seq % but the log has % entries', p_first_seq, current_size USING ERRCODE = 'ML409';
    END IF;

    INSERT INTO ledger_entries (seq, id, subject, kind, org, prev, canonical, signature, bulk_id)
    SELECT p_first_seq + i - 1,
           substring(p_ids FROM (i - 1) * 32 + 1 FOR 32),
           p_subjects[i], p_kinds[i], p_orgs[i],
           CASE WHEN p_has_prev[i] THEN substring(p_prevs FROM (i - 1) * 32 + 1 FOR 32) END,
           substring(p_canonical FROM p_canon_off[i] + 1 FOR p_canon_len[i]),
           p_signatures[i], p_bulk_refs[i]
    FROM generate_series(1, COALESCE(array_length(p_subjects, 1), 0)) AS i;

    INSERT INTO ledger_bulk_signatures (id, jws, ids)
    SELECT p_bulk_ids[i], p_bulk_jws[i], substring(p_bulk_blob FROM p_bulk_off[i] + 1 FOR p_bulk_len[i])
    FROM generate_series(1, COALESCE(array_length(p_bulk_ids, 1), 0)) AS i;

    INSERT INTO ledger_tiles (level, idx, hashes)
    SELECT p_tile_levels[i], p_tile_idxs[i], substring(p_tile_blob FROM p_tile_off[i] + 1 FOR p_tile_len[i])
    FROM generate_series(1, COALESCE(array_length(p_tile_levels, 1), 0)) AS i
    ON CONFLICT (level, idx) DO UPDATE SET hashes = EXCLUDED.hashes;

    INSERT INTO ledger_checkpoints (tree_size, root_hash, issued_at, jws) VALUES (p_cp_size, p_cp_root, p_cp_issued, p_cp_jws);

    INSERT INTO ledger_org_keys (kid, org, jwk, seq)
    SELECT p_key_kids[i], p_key_orgs[i], p_key_jwks[i], p_key_seqs[i]
    FROM generate_series(1, COALESCE(array_length(p_key_kids, 1), 0)) AS i;
END
$$;
