import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'adapters/**/*.test.ts', 'fixtures/**/*.test.ts', 'migrations/**/*.test.ts', 'ui/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: spreadsheet workers and PGlite are heavy, keep parallelism modest.
    maxWorkers: 2,
  },
});
