import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault-injection suite (real gateway processes killed, starved and
 * refused by fake Slack/PagerDuty). Kept out of `npm test` because it runs for minutes.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    // src/ compiled once for the gateway processes and threads (test/global/compile-src.global.ts).
    globalSetup: ['test/global/compile-src.global.ts', 'test/faults/report.global.ts'],
    setupFiles: ['test/global/threads-from-build.setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    // The SIGKILL case is CPU-heavy, the outage and 429 cases mostly wait: two at a time.
    maxWorkers: 2,
  },
});
