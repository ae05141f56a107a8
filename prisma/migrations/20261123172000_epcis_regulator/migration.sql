-- EPCIS capture and the regulator's view (services/trace/src/epcis, services/trace/src/regulator).
-- Only the trace service writes these tables.

-- One partner document sent to POST /epcis/v2/capture, and what became of it: running (its
-- commands are being sent to the custody services), success (command ids) or failed (problem).
CREATE TABLE "epcis_captures" (
    "id" UUID NOT NULL,
    "org" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "event_count" INTEGER NOT NULL,
    -- The mapped commands: [{service, command, body, source, merged?}].
    "commands" JSONB NOT NULL,
    -- Per custody batch sent: [{service, command id, event ids}].
    "results" JSONB NOT NULL DEFAULT '[]',
    "problem" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "epcis_captures_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "epcis_captures_org_created_idx" ON "epcis_captures" ("org", "created_at");

-- Every EPCIS eventID a capture took: the dedupe key (a second capture naming one is a 409).
-- A capture that failed before any of its commands ran gives its eventIDs back.
CREATE TABLE "epcis_captured_events" (
    "event_id" TEXT NOT NULL,
    "capture_id" UUID NOT NULL,

    CONSTRAINT "epcis_captured_events_pkey" PRIMARY KEY ("event_id")
);
CREATE INDEX "epcis_captured_events_capture_idx" ON "epcis_captured_events" ("capture_id");

-- Audits of the ledger the regulator's view ran itself, over the ledger's public API with
-- packages/ledger's verifier: when, over which tree, and what it found.
CREATE TABLE "regulator_audits" (
    "id" BIGSERIAL NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "tree_size" BIGINT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "report" JSONB NOT NULL,

    CONSTRAINT "regulator_audits_pkey" PRIMARY KEY ("id")
);
