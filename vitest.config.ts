import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The fault-injection suite runs for minutes: `npm run test:faults` (vitest.faults.config.ts).
    exclude: ['**/node_modules/**', '**/.git/**', 'test/faults/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real processes (Alertmanager, Prometheus, the gateway) are spawned by some suites;
    // two cores is the budget, so keep parallelism modest.
    maxWorkers: 2,
    // src/ compiled once per run for the `alertgate` processes and the worker threads tests start
    // (faster starts than tsx registered in each of them).
    globalSetup: ['test/global/compile-src.global.ts'],
    setupFiles: ['test/global/threads-from-build.setup.ts'],
  },
});
