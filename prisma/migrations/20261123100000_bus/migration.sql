-- The bus's tables (packages/bus), shared by every service that publishes or consumes; each row
-- names the service (outbox) or consumer (inbox, dead letters) it belongs to.

-- Transactional outbox: written in the service's own transaction, published by its relay.
CREATE TABLE "bus_outbox" (
    "id" BIGSERIAL NOT NULL,
    "service" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "headers" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "bus_outbox_pkey" PRIMARY KEY ("id")
);
-- What the relay reads: a service's unpublished rows in id order.
CREATE INDEX "bus_outbox_unpublished_idx" ON "bus_outbox" ("service", "id") WHERE "published_at" IS NULL;

-- Idempotent consumers: the ids of the messages each consumer has applied, committed with the
-- change the message made.
CREATE TABLE "bus_inbox" (
    "consumer" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bus_inbox_pkey" PRIMARY KEY ("consumer", "message_id")
);

-- Messages a consumer gave up on, kept whole for replay.
CREATE TABLE "bus_dead_letters" (
    "id" BIGSERIAL NOT NULL,
    "consumer" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "headers" JSONB,
    "error" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "bus_dead_letters_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "bus_dead_letters_open_idx" ON "bus_dead_letters" ("consumer", "id") WHERE "resolved_at" IS NULL;
