import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/temp_root.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two test files at a time: most of the slow files wait on child processes (the CLI, workers, Slurm,
    // Chromium, Python), so two share the two cores well; timeouts leave room for a busy machine.
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
    // Every test by name, a skipped one too: the names of tests that skip say why (../shared absent, no
    // Chromium, no Python with tensorboard, no native addon), which the default reporter does not print.
    reporters: ['verbose'],
  },
});
