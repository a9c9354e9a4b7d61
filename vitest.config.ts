import { defineConfig } from 'vitest/config';

// Two tiers: fast unit tests of pure code next to the sources, and integration tests that start
// real servers on port 0 with temporary RocksDB folders (one file at a time, in forks).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            '{node,ml-scorer,operator}/src/**/*.test.ts',
            '{node,ml-scorer,operator}/test/**/*.test.ts',
            '{cli,hack}/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          pool: 'threads',
          // A guard against a test that hangs, not a speed check: the heaviest property tests
          // take 2-6 s on a slow 2-core machine, past the default 5 s.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
