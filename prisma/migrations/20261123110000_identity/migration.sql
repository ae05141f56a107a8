-- identity service: organisations, users, API clients, organisation signing keys.

CREATE TABLE "identity_orgs" (
    "id" TEXT NOT NULL,
    "roles" TEXT[],
    "name_zh" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "region_name" TEXT NOT NULL,
    "region_code" TEXT NOT NULL,
    "gln" TEXT,
    "uscc" TEXT,
    "licences" JSONB NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'active',
    "signing" TEXT NOT NULL DEFAULT 'custodial',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_orgs_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "identity_orgs_uscc_key" ON "identity_orgs"("uscc");

CREATE TABLE "identity_users" (
    "id" TEXT NOT NULL,
    "org" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "phone" TEXT,
    "roles" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_users_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "identity_users_username_key" ON "identity_users"("username");
CREATE INDEX "identity_users_org_idx" ON "identity_users"("org");

CREATE TABLE "identity_clients" (
    "id" TEXT NOT NULL,
    "org" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "roles" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_clients_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "identity_clients_org_idx" ON "identity_clients"("org");

CREATE TABLE "identity_org_keys" (
    "kid" TEXT NOT NULL,
    "org" TEXT NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "private_sealed" BYTEA,
    "origin" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "identity_org_keys_pkey" PRIMARY KEY ("kid")
);

CREATE INDEX "identity_org_keys_org_idx" ON "identity_org_keys"("org");

ALTER TABLE "identity_users" ADD CONSTRAINT "identity_users_org_fkey" FOREIGN KEY ("org") REFERENCES "identity_orgs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "identity_clients" ADD CONSTRAINT "identity_clients_org_fkey" FOREIGN KEY ("org") REFERENCES "identity_orgs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "identity_org_keys" ADD CONSTRAINT "identity_org_keys_org_fkey" FOREIGN KEY ("org") REFERENCES "identity_orgs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
