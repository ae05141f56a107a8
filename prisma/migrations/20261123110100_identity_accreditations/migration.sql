-- identity service: laboratories' accreditations (CMA 资质认定, CNAS) on the public profile.
ALTER TABLE "identity_orgs" ADD COLUMN "accreditations" JSONB NOT NULL DEFAULT '[]';
