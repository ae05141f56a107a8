import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/generated/**', '**/.tsbuild/**', '.milkchain/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration in a service config module, not in packages.' },
      ],
    },
  },
  {
    // Plain Node scripts (no TypeScript to know the globals).
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['services/*/src/config.ts', 'scripts/**', 'tests/**', '**/bench/**', 'vitest.config.ts', 'prisma.config.ts', 'services/*/src/cli.ts', '**/*.test.ts', 'services/embedded/src/**', 'services/*/src/main.ts', 'tests/setup/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
