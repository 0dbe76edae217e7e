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
    // src/ compiled once for the tests that spawn `alertgate` (faster starts than tsx at each spawn).
    globalSetup: ['test/global/compile-src.global.ts'],
  },
});
