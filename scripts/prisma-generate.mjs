// Runs `prisma generate` offline. The Prisma CLI only checks that the schema-engine binary exists
// (generate itself uses bundled WASM); we point it at a stub that explains why migrate is not run
// through it here. See docs/decisions.md ("Migrations").
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, 'scripts', 'schema-engine-stub.sh');
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate', '--schema', 'prisma/schema.prisma'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
