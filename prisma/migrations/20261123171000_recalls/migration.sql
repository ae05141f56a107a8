-- Recalls and scans of the trace service (services/trace/src/recall, services/trace/src/scans).
-- Recalls themselves are ledger events (recall.initiated/acknowledged/closed) projected into
-- trace_nodes (type 'recall'); these tables hold what is not a ledger fact: who wants to be told,
-- the notifications on their way, and the scans of serialised codes.

-- An organisation's webhook: deliveries to `url`, signed with HMAC-SHA256 under `secret`. The
-- secret is kept as given: the service needs it to sign every delivery.
CREATE TABLE "trace_webhook_subscriptions" (
    "id" UUID NOT NULL,
    "org" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT[] NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trace_webhook_subscriptions_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "trace_webhook_subscriptions_org_idx" ON "trace_webhook_subscriptions" ("org") WHERE "active";

-- The outbox of notifications: one row per (subscription, ledger event), its body fixed when it
-- is enqueued (every attempt sends the same bytes under the same signature), retried with backoff.
CREATE TABLE "trace_webhook_deliveries" (
    "id" UUID NOT NULL,
    "subscription_id" UUID NOT NULL REFERENCES "trace_webhook_subscriptions" ("id") ON DELETE CASCADE,
    "org" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "recall_id" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "trace_webhook_deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "trace_webhook_deliveries_once" UNIQUE ("subscription_id", "event_id")
);
CREATE INDEX "trace_webhook_deliveries_due_idx" ON "trace_webhook_deliveries" ("next_attempt_at") WHERE "status" = 'pending';
CREATE INDEX "trace_webhook_deliveries_recall_idx" ON "trace_webhook_deliveries" ("recall_id");

-- How far the notifier has read trace_events (recall.* kinds, in log order).
CREATE TABLE "trace_recall_cursor" (
    "name" TEXT NOT NULL,
    "next_seq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "trace_recall_cursor_pkey" PRIMARY KEY ("name")
);

-- One scan of a serialised code: no person, no IP address, no device; the place is coarse (a city
-- or province name, or a country from the browser's language), the time to the second.
CREATE TABLE "trace_scans" (
    "n" BIGSERIAL NOT NULL,
    "gtin" TEXT NOT NULL,
    "lot" TEXT NOT NULL,
    "serial" TEXT NOT NULL,
    "place" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "trace_scans_pkey" PRIMARY KEY ("n")
);
CREATE INDEX "trace_scans_code_idx" ON "trace_scans" ("gtin", "lot", "serial", "at");
CREATE INDEX "trace_scans_at_idx" ON "trace_scans" ("at");
