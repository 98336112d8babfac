// `pnpm test` (and turbo's test task): quick checks of the deployment files; no services booted.
import { jestConfig } from '../../jest.preset.js';
export default jestConfig(import.meta.dirname, {
  testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
});
