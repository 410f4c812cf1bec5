import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // The services are shared; files run one at a time so their figures and counts stay readable.
          fileParallelism: false,
        },
      },
      {
        test: {
          // Breaks things for real (stops OpenSearch, cuts LocalStack off, kills workers) on a stack of
          // its own that its global setup starts; not part of `check`, run by `npm test` and CI.
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/faults/harness/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
