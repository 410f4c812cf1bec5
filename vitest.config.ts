import { configDefaults, defineConfig } from 'vitest/config';
import { chooseMode } from './scripts/stack/mode.ts';

/**
 * The blue/green scenario starts two OpenSearch clusters of its own as local processes whatever the
 * suite's mode (its subject is the worker's reaction to the domain's control plane, not the stack):
 * with STACK_MODE=containers only LocalStack would differ, for 4 to 5 more minutes of CI, so it runs in
 * the process mode only (test/faults/README.md).
 */
const processOnlyFaults = chooseMode() === 'containers' ? ['test/faults/blue-green-change.test.ts'] : [];

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
          include: ['test/faults/*.test.ts'],
          exclude: [...configDefaults.exclude, ...processOnlyFaults],
          globalSetup: ['test/faults/harness/global-setup.ts'],
          // Each scenario's own waits (start-up, ingestion, outage) bound it; at a load of 20 on two cores
          // (CI runs two suites side by side on a shared machine) one took over 300 s with nothing wrong.
          testTimeout: 600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // The same harness with OpenSearch as a three-node cluster (harness/three-nodes.ts): three
          // JVMs are more than the fault suite's time allows on two cores, so it runs on its own
          // (npm run test:faults:cluster, in CI after npm test).
          name: 'faults-cluster',
          include: ['test/faults/cluster/*.test.ts'],
          globalSetup: ['test/faults/harness/global-setup.ts'],
          testTimeout: 420_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // The product image run as ECS runs it, and docker compose end to end: needs a Docker engine
          // and the images of `npm run images`; not part of `check`, run by CI (.ci/run).
          name: 'containers',
          include: ['test/containers/**/*.test.ts'],
          globalSetup: ['test/containers/global-setup.ts'],
          testTimeout: 1_200_000,
          hookTimeout: 1_200_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
