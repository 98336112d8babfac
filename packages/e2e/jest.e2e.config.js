// `pnpm test:e2e`: boots NATS + the three built services per suite (see src/stack.ts); needs `turbo run build`
// first and the S3 test server (scripts/s3-test-server.sh, or S3_TEST_ENDPOINT/ACCESS_KEY/SECRET_KEY).
import { jestConfig } from '../../jest.preset.js';
export default jestConfig(import.meta.dirname, {
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 180_000,
});
