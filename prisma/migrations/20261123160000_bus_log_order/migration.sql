-- Log-ordered consumers (packages/bus startLogConsumer). `milkchain.ledger` is keyed by subject, so
-- its partitions interleave in any order; a projection must fold the log in sequence order (a load
-- names its collections by event id). Entries that arrive ahead of the consumer's cursor wait here.
CREATE TABLE "bus_log_cursor" (
    "consumer" TEXT NOT NULL,
    "next_seq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "bus_log_cursor_pkey" PRIMARY KEY ("consumer")
);

CREATE TABLE "bus_log_pending" (
    "consumer" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "headers" JSONB,

    CONSTRAINT "bus_log_pending_pkey" PRIMARY KEY ("consumer", "seq")
);
