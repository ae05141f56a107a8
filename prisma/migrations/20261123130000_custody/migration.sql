-- The custody services' read side and write journal (packages/custody). Every row carries the
-- service that owns it (farm, processor, lab, logistics); only that service writes it.

-- Every event the service knows: its own, from the moment it signed them (pending), and every
-- event of the ledger's stream (sequenced). Objects are a fold of these.
CREATE TABLE "custody_events" (
    "service" TEXT NOT NULL,
    "n" BIGSERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "org" TEXT NOT NULL,
    "touched" TEXT[] NOT NULL,
    "seq" BIGINT,
    "status" TEXT NOT NULL,
    "command_id" UUID,
    "event" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "custody_events_pkey" PRIMARY KEY ("service", "id")
);
CREATE INDEX "custody_events_touched_idx" ON "custody_events" USING GIN ("touched");
CREATE INDEX "custody_events_pending_idx" ON "custody_events" ("service", "subject") WHERE "status" = 'pending';

-- The projection: one row per subject, the fold of its events (packages/domain custody `evolve`).
CREATE TABLE "custody_objects" (
    "service" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "org" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "head" TEXT NOT NULL,
    "from_subjects" TEXT[] NOT NULL,
    "holders" TEXT[] NOT NULL,
    "state" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "custody_objects_pkey" PRIMARY KEY ("service", "subject")
);
CREATE INDEX "custody_objects_head_idx" ON "custody_objects" ("service", "head");
CREATE INDEX "custody_objects_type_org_idx" ON "custody_objects" ("service", "type", "org");
CREATE INDEX "custody_objects_from_idx" ON "custody_objects" USING GIN ("from_subjects");
CREATE INDEX "custody_objects_holders_idx" ON "custody_objects" USING GIN ("holders");

-- Each accepted command and what became of it (the status URL).
CREATE TABLE "custody_commands" (
    "service" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "org" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "event_ids" TEXT[] NOT NULL,
    "problem" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "custody_commands_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "custody_commands_org_idx" ON "custody_commands" ("service", "org", "created_at");
