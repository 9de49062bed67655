import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: run test files one after another so timing-sensitive training is not starved.
    fileParallelism: false,
    reporters: ['default'],
  },
});
