-- QR codes of GS1 Digital Link URIs (packages/labels, LabelCache): each code is rendered once, at
-- packing, and reused by every label sheet and page that shows it. The first writer wins
-- (INSERT ... ON CONFLICT DO NOTHING); rows are never changed or deleted.
CREATE TABLE "labels_qr" (
    "uri" TEXT NOT NULL,
    "svg" TEXT NOT NULL,
    "png" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "labels_qr_pkey" PRIMARY KEY ("uri")
);
