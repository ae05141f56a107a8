-- How far the ledger has published its log on the bus (milkchain.ledger). Entries after the
-- cursor are published again after a crash; consumers dedupe by event id.
CREATE TABLE "ledger_publish_cursor" (
    "name" TEXT NOT NULL,
    "next_seq" BIGINT NOT NULL,

    CONSTRAINT "ledger_publish_cursor_pkey" PRIMARY KEY ("name")
);
