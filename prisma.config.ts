import { defineConfig } from 'prisma/config';

// The datasource URL is only needed by commands that talk to a database (`prisma migrate deploy`
// where the native engine is available); `prisma generate` needs none.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
