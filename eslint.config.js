// ESLint: the recommended sets of ESLint, typescript-eslint and eslint-plugin-lit, nothing about
// layout (prettier formats) and nothing about architecture (.dependency-cruiser.cjs holds those
// rules). Run by `npm run lint`, which `npm test` runs first.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-cli/**',
      'lib/**',
      'wasm/dist/**',
      'wasm/build/**',
      // emscripten --pre-js / --js-library sources: globals of the emscripten runtime
      'wasm/js/**',
      'src/locales/generated/**',
      '.cloud/**',
      'node_modules/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/elements/**/*.ts', 'src/app/**/*.ts'],
    ...lit.configs['flat/recommended'],
  },
  {
    // Scripts and the CLI entry run under Node; the page's code sees the browser's globals.
    files: ['**/*.mjs', 'scripts/**', 'bin/**', 'wasm/**', 'test/**', 'vite.config.ts', 'src/cli/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The share target's handler, imported by the generated service worker (a classic script).
    files: ['public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.serviceworker } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['src/**/*.ts', 'workers/**/*.ts', 'test/**/pages/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    rules: {
      // `any` at a module boundary hides exactly the shape a reader needs; a `_` name marks an
      // argument or binding kept on purpose (destructuring a field away, a callback's signature).
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Flags `let ok = false; try { ok = … } catch {}`, where the initial value documents the
      // failure case: noise, not a bug.
      'no-useless-assignment': 'off',
    },
  },
);
