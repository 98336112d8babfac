// `pnpm --filter @bucketgate/e2e bench`: benchmarks (never part of `npm test`; results go to docs/benchmarks.md).
import { jestConfig } from '../../jest.preset.js';
export default jestConfig(import.meta.dirname, {
  testMatch: ['<rootDir>/bench/**/*.bench.ts'],
  testTimeout: 3_600_000,
});
