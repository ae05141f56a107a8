-- CreateTable
CREATE TABLE "ledger_entries" (
    "seq" BIGINT NOT NULL,
    "id" BYTEA NOT NULL,
    "subject" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "org" TEXT NOT NULL,
    "prev" BYTEA,
    "canonical" BYTEA NOT NULL,
    "signature" TEXT,
    "bulk_id" BIGINT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "ledger_bulk_signatures" (
    "id" BIGINT NOT NULL,
    "jws" TEXT NOT NULL,
    "ids" BYTEA NOT NULL,

    CONSTRAINT "ledger_bulk_signatures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_tiles" (
    "level" INTEGER NOT NULL,
    "idx" BIGINT NOT NULL,
    "hashes" BYTEA NOT NULL,

    CONSTRAINT "ledger_tiles_pkey" PRIMARY KEY ("level","idx")
);

-- CreateTable
CREATE TABLE "ledger_checkpoints" (
    "tree_size" BIGINT NOT NULL,
    "root_hash" BYTEA NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "jws" TEXT NOT NULL,

    CONSTRAINT "ledger_checkpoints_pkey" PRIMARY KEY ("tree_size")
);

-- CreateTable
CREATE TABLE "ledger_org_keys" (
    "kid" TEXT NOT NULL,
    "org" TEXT NOT NULL,
    "jwk" JSONB NOT NULL,
    "seq" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_org_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "ledger_log_keys" (
    "kid" TEXT NOT NULL,
    "jwk" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_log_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "ledger_audits" (
    "id" BIGSERIAL NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "tree_size" BIGINT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "report" JSONB NOT NULL,

    CONSTRAINT "ledger_audits_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ledger_entries_id_key" ON "ledger_entries"("id");

-- CreateIndex
CREATE INDEX "ledger_entries_subject_seq_idx" ON "ledger_entries"("subject", "seq");

-- CreateIndex
CREATE INDEX "ledger_org_keys_org_idx" ON "ledger_org_keys"("org");
