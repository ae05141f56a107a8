-- The trace service's label worker (services/trace/src/labels/worker.ts): how far it has read
-- trace_events for lot.packed entries, whose QR codes it renders into labels_qr outside the
-- projection's transaction. One row per worker name; the cursor only moves forward.
CREATE TABLE "labels_worker" (
    "name" TEXT NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "labels_worker_pkey" PRIMARY KEY ("name")
);
