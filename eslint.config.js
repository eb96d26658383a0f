// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The layers of lib/, lowest first. A layer imports only from the layers before it (and from
 * itself); `import-x/no-cycle` keeps the files of one layer from depending on each other in a ring.
 */
const LAYERS = [
  ['platform', 'errors'],
  ['protocol'],
  ['interfaces'],
  ['decorators', 'approvals', 'observability', 'transcription', 'actions', 'agents', 'runners', 'hooks'],
  ['config'],
  ['discovery'],
  ['runtime'],
  ['http'],
];
const ROOT_FILES = ['copilotkit.module.ts', 'copilotkit.module-definition.ts', 'index.ts'];

const layerZones = LAYERS.flatMap((layer, index) =>
  layer.map((folder) => ({
    target: `./lib/${folder}`,
    from: [
      ...LAYERS.slice(index + 1)
        .flat()
        .map((above) => `./lib/${above}`),
      ...ROOT_FILES.map((file) => `./lib/${file}`),
    ],
    message: `lib/${folder} sits below these layers: ${LAYERS.slice(index + 1)
      .map((above) => above.join(', '))
      .join(' ← ')}. Move the shared code down, or invert the dependency.`,
  })),
);

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      '.tmp/**',
      '**/node_modules/**',
      'sample/web/dist/**',
      'bench/results/**',
      'test/browser/artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['lib/**/*.ts', 'lib/**/*.cts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Nest's own reflection API (ExecutionContext.getHandler, Reflector, Type) speaks in Function.
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    // The one CommonJS file: it exists to call require() (see the file).
    files: ['lib/platform/package-require.cts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Pure AG-UI helpers: usable outside Nest, so nothing of Nest in them.
    files: ['lib/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@nestjs/*'], message: 'lib/protocol is pure AG-UI code: no Nest.' }] }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.{ts,mjs}', 'sample/**/*.{ts,tsx}'],
    rules: {
      // Tests read parsed SSE frames and fixtures loosely on purpose.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        global: 'readonly',
        module: 'writable',
        require: 'readonly',
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        AbortController: 'readonly',
        TextDecoder: 'readonly',
        globalThis: 'readonly',
      },
    },
  },
  prettier,
);
