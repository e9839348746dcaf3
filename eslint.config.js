// ESLint for every workspace (`npm run lint`, a step of `npm test`). Syntax-level rules only
// (no type-aware rules): the type checks (tsc, svelte-check) already run in `npm test`, and this
// stays a few seconds. Formatting is Prettier's (eslint-config-prettier, last, turns off the
// rules it owns).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import ts from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/',
      '**/build/',
      '**/dist/',
      '**/.svelte-kit/',
      'web/src/lib/paraglide/',
      'db/migrations/',
      'data/',
      'test-results/',
      'playwright-report/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      // `_name` marks a parameter or binding kept for its position or its shape.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['web/src/**/*.svelte'],
    rules: {
      // The app is served at the root (no `paths.base`), so a plain `href="/jobs"` is the right
      // link; the rule exists for apps under a base path.
      'svelte/no-navigation-without-resolve': 'off',
    },
  },
  {
    // The browser side of the web app.
    files: ['web/src/**/*.{ts,js,svelte}', 'e2e/tests/**/*.ts'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['web/src/**/*.svelte', 'web/src/**/*.svelte.ts', 'web/src/**/*.svelte.js'],
    languageOptions: {
      parserOptions: {
        parser: ts.parser,
        extraFileExtensions: ['.svelte'],
      },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
