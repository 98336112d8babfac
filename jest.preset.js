// Shared Jest preset: ESM TypeScript through ts-jest. Run with NODE_OPTIONS=--experimental-vm-modules.
/** @param {string} rootDir @param {Partial<import('jest').Config>} [extra] */
export function jestConfig(rootDir, extra = {}) {
  return {
    rootDir,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
    },
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
    ...extra,
  };
}
