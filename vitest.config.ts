import { defineConfig } from 'vitest/config';

// Test tiers by file name (see docs/testing.md):
//   *.unit.test.ts  no I/O
//   *.int.test.ts   real PostgreSQL (one embedded server per run, a database per file)
//   *.e2e.test.ts   several processes
export default defineConfig({
  test: {
    globalSetup: ['./tests/setup/global.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/**/*.unit.test.ts', 'services/**/*.unit.test.ts', 'seeds/**/*.unit.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['packages/**/*.int.test.ts', 'services/**/*.int.test.ts', 'tests/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['tests/**/*.e2e.test.ts'], testTimeout: 300_000, hookTimeout: 120_000 },
      },
    ],
  },
});
