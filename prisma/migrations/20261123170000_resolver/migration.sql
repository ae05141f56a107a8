-- The resolver's verification bundles (services/trace/src/resolver): everything a browser needs
-- to check a lot's page, built once per lot from the trace tables and the ledger's proofs, so a
-- scan costs one indexed read. A bundle stays valid while its lineage gains no event (a proof
-- against an older checkpoint stays valid); the triggers below drop it when one arrives.
CREATE TABLE "resolver_bundles" (
    "lot_subject" TEXT NOT NULL,
    "tree_size" BIGINT NOT NULL,
    -- The largest trace_events.seq seen when the build started.
    "built_from_seq" BIGINT NOT NULL,
    "bundle" JSONB NOT NULL,
    "built_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "resolver_bundles_pkey" PRIMARY KEY ("lot_subject")
);

-- Every subject whose events a bundle carries: a new event on one of them makes the bundle stale.
CREATE TABLE "resolver_bundle_subjects" (
    "subject" TEXT NOT NULL,
    "lot_subject" TEXT NOT NULL,

    CONSTRAINT "resolver_bundle_subjects_pkey" PRIMARY KEY ("subject", "lot_subject")
);
CREATE INDEX "resolver_bundle_subjects_lot_idx" ON "resolver_bundle_subjects" ("lot_subject");

-- Recalls name their lots in data; a bundle build finds them through this small partial index.
CREATE INDEX "resolver_trace_events_recall_idx" ON "trace_events" ("kind") WHERE "kind" = 'recall.initiated';

-- Statement-level (one run per INSERT or COPY batch, not per row), and a no-op while no bundle is
-- cached, so the projector's and the benchmark's bulk loads pay next to nothing.
CREATE FUNCTION "resolver_stale_by_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM resolver_bundles) THEN RETURN NULL; END IF;
  DELETE FROM resolver_bundles WHERE lot_subject IN (
    SELECT s.lot_subject FROM resolver_bundle_subjects s JOIN resolver_new_events e ON e.subject = s.subject
    UNION
    SELECT 'urn:milkchain:lot:' || (l->>'gtin') || ':' || (l->>'lot')
      FROM resolver_new_events e, jsonb_array_elements(e.data->'lots') l
     WHERE e.kind LIKE 'recall.%' AND jsonb_typeof(e.data->'lots') = 'array'
  );
  RETURN NULL;
END $$;
CREATE TRIGGER "resolver_stale_by_events" AFTER INSERT ON "trace_events"
  REFERENCING NEW TABLE AS resolver_new_events FOR EACH STATEMENT EXECUTE FUNCTION "resolver_stale_by_events"();

-- A new link from a subject a bundle carries (a sample drawn from it, a shipment carrying the lot).
CREATE FUNCTION "resolver_stale_by_edges"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM resolver_bundles) THEN RETURN NULL; END IF;
  DELETE FROM resolver_bundles WHERE lot_subject IN (
    SELECT s.lot_subject FROM resolver_bundle_subjects s JOIN resolver_new_edges e ON e.parent = s.subject
  );
  RETURN NULL;
END $$;
CREATE TRIGGER "resolver_stale_by_edges" AFTER INSERT ON "trace_edges"
  REFERENCING NEW TABLE AS resolver_new_edges FOR EACH STATEMENT EXECUTE FUNCTION "resolver_stale_by_edges"();
