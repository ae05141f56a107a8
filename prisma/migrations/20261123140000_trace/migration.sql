-- The trace service's lineage projection of the ledger (services/trace). Only the trace service
-- writes these tables; they are a fold of `milkchain.ledger` and can be rebuilt from it.

-- Every sequenced entry, as the trace service folded it (the critical tracking events).
CREATE TABLE "trace_events" (
    "id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "subject" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "org" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "trace_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "trace_events_subject_idx" ON "trace_events" ("subject", "seq");
CREATE INDEX "trace_events_seq_idx" ON "trace_events" ("seq");

-- What each object is and where it is now: the custody fold (packages/domain `evolve`) kept
-- whole in `state`, with the columns a trace reads or filters by.
CREATE TABLE "trace_nodes" (
    "subject" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "org" TEXT NOT NULL,
    "head" TEXT NOT NULL,
    "head_seq" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "product" TEXT,
    "species" TEXT[] NOT NULL,
    "gtin" TEXT,
    "lot" TEXT,
    "quantity" DOUBLE PRECISION,
    "unit" TEXT,
    "production_date" DATE,
    "best_before" DATE,
    "holders" TEXT[] NOT NULL,
    "status" TEXT NOT NULL,
    "recalled" BOOLEAN NOT NULL DEFAULT false,
    "state" JSONB NOT NULL,

    CONSTRAINT "trace_nodes_pkey" PRIMARY KEY ("subject")
);
CREATE INDEX "trace_nodes_head_idx" ON "trace_nodes" ("head");
CREATE INDEX "trace_nodes_org_type_created_idx" ON "trace_nodes" ("org", "type", "created_at");
CREATE INDEX "trace_nodes_gtin_lot_idx" ON "trace_nodes" ("gtin", "lot");

-- One link of lineage, written by the event that made it: `parent` went into `child`
-- (rel 'input': a load's collections, a batch's loads or batches, a lot's batch), `child` is a
-- sample drawn from `parent` (rel 'sample'), or `child` is a shipment carrying lot `parent`
-- (rel 'shipment'). Links named by an input event id keep it in `parent_event`; `parent` stays
-- null until that event is projected (entries of different subjects may arrive out of order).
CREATE TABLE "trace_edges" (
    "event_id" TEXT NOT NULL,
    "ord" INTEGER NOT NULL,
    "child" TEXT NOT NULL,
    "parent" TEXT,
    "parent_event" TEXT,
    "rel" TEXT NOT NULL,
    "quantity" DOUBLE PRECISION,
    "unit" TEXT,

    CONSTRAINT "trace_edges_pkey" PRIMARY KEY ("event_id", "ord")
);
CREATE INDEX "trace_edges_child_idx" ON "trace_edges" ("child", "rel") INCLUDE ("parent");
CREATE INDEX "trace_edges_parent_idx" ON "trace_edges" ("parent", "rel") INCLUDE ("child");
CREATE INDEX "trace_edges_unresolved_idx" ON "trace_edges" ("parent_event") WHERE "parent" IS NULL;
