/** ESM jest: Nest 12 and @ag-ui/* are ESM-only, so tests run as native ES modules. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  moduleNameMapper: {
    // Sources import './x.js' (NodeNext); jest resolves the .ts file behind it.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The sample and README examples import the package by name, as users do.
    '^nestjs-copilotkit$': '<rootDir>/lib/index.ts',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/test/support/summary.reporter.js'],
};
