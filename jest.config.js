/** ESM jest: Nest 12 and @ag-ui/* are ESM-only, so tests run as native ES modules. */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'cts', 'js', 'cjs', 'mjs', 'json'],
  roots: ['<rootDir>/test'],
  moduleNameMapper: {
    // Sources import './x.js' (NodeNext); jest resolves the .ts file behind it.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The one CommonJS source file (lib/platform/package-require.cts) is imported as './x.cjs'.
    '^(\\.{1,2}/.*/package-require)\\.cjs$': '$1.cts',
    // The sample and README examples import the package by name, as users do.
    '^nestjs-copilotkit$': '<rootDir>/lib/index.ts',
    '^nestjs-copilotkit/langchain$': '<rootDir>/lib/langchain.ts',
  },
  transform: {
    '^.+\\.c?ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 20000,
};

export default {
  projects: [
    { ...shared, displayName: 'express', testMatch: ['**/*.spec.ts'] },
    // Every HTTP suite again on @nestjs/platform-fastify (test/fixtures/test-app.ts reads the variable).
    {
      ...shared,
      displayName: 'fastify',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
      testPathIgnorePatterns: ['/sample\\.e2e\\.spec\\.ts$', '/fastify-platform\\.e2e\\.spec\\.ts$'],
      setupFiles: ['<rootDir>/test/support/fastify-platform.js'],
    },
  ],
  reporters: ['default', '<rootDir>/test/support/summary.reporter.js'],
};
