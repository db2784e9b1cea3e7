// `npx vitest run` runs both projects. unit: everything that neither loads
// probes nor storms the host, in parallel. e2e: real-kernel tests sharing ONE
// `vigil agent` (started by test/e2e/global-setup.ts, needs root), run one
// file at a time. The loader tests and the bench workloads load their own
// probes or fork thousands of processes; they run in e2e so they never
// overlap an e2e test that waits on the shared agent.
import { defineConfig } from 'vitest/config';

const SERIAL = ['test/e2e/**/*.test.ts', 'test/loader/**/*.test.ts', 'test/bench/workloads.test.ts'];

export default defineConfig({
  test: {
    // The shared agent's loader needs several seconds to detach its probes.
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...SERIAL, '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: SERIAL,
          globalSetup: ['test/e2e/global-setup.ts'],
          // One fork, one file at a time (fileParallelism is root-only in vitest 3).
          pool: 'forks',
          poolOptions: { forks: { singleFork: true, isolate: true } },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
