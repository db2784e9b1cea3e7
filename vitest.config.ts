// `npx vitest run` runs both projects. unit: everything outside test/e2e,
// in parallel. e2e: real-kernel tests sharing ONE `vigil agent` (started by
// test/e2e/global-setup.ts, needs root), run one file at a time.
import { defineConfig } from 'vitest/config';

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
          exclude: ['test/e2e/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
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
