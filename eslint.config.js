import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'data/', 'bench/results/', 'test-artifacts/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Every string a request carries is declared with the text helpers, which refuse what PostgreSQL cannot store.
    files: ['src/core/**/*.ts', 'src/server/**/*.ts'],
    ignores: ['src/core/text.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='string'][callee.object.name='z'], CallExpression[callee.property.name='string'][callee.object.property.name='coerce']",
          message: 'Declare text fields with text(), multilineText() or secretText() from src/core/text.ts.',
        },
      ],
    },
  },
  {
    // Test code: the suite's tests live in test/ and beside the code they test (src/**/*.test.ts).
    files: ['test/**', '**/*.test.ts', '**/*.test.tsx'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
