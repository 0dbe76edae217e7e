/**
 * The background ticker: a first pass soon after start when asked (an hourly pass would
 * otherwise wait an hour, for ever in a process restarted more often), none after stop, and a
 * stop that waits for the pass in flight (shutdown closes the store after it).
 */
import { expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { startTicker } from './ticker.js';

const HOUR = 3_600_000;
const logger = createLogger({ level: 'error', write: () => {} });

it('runs the first pass after firstAfterMs instead of a whole interval', async () => {
  let resolvePass: () => void = () => {};
  const ran = new Promise<void>((resolve) => (resolvePass = resolve));
  const started = Date.now();
  const ticker = startTicker(async () => resolvePass(), HOUR, logger, 'test', 20);
  await ran;
  ticker.stop();
  expect(Date.now() - started).toBeLessThan(HOUR);
});

it('runs no first pass once stopped', async () => {
  let passes = 0;
  const ticker = startTicker(async () => void passes++, HOUR, logger, 'test', 20);
  ticker.stop();
  // A later timer of the same length has fired by the time this resolves.
  await new Promise((resolve) => setTimeout(resolve, 40));
  expect(passes).toBe(0);
});

it('stop aborts the pass in flight and answers once it has ended', async () => {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  let seen: AbortSignal | undefined;
  let finish!: () => void;
  const ticker = startTicker(
    (signal) => {
      seen = signal;
      started();
      return new Promise<void>((resolve) => (finish = resolve));
    },
    HOUR,
    logger,
    'test',
    1,
  );
  await running;
  let stopped = false;
  const stopping = ticker.stop().then(() => (stopped = true));
  expect(seen?.aborted).toBe(true);
  // The pass has not ended yet: the stop waits for it.
  await Promise.resolve();
  expect(stopped).toBe(false);
  finish();
  await stopping;
  expect(stopped).toBe(true);
});
