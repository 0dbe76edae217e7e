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

it('logs failing passes as a streak: the first, one reminder per 30 s with suppressed, and the recovery', async () => {
  const lines: Record<string, unknown>[] = [];
  const debugLogger = createLogger({ level: 'debug', write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  let clock = 0;
  // Each pass waits for the test to end it: `nextPass` hands the test the next one once it runs.
  const waiting: ((pass: { ok(): void; fail(): void }) => void)[] = [];
  const started: { ok(): void; fail(): void }[] = [];
  const nextPass = () => new Promise<{ ok(): void; fail(): void }>((resolve) => (started.length ? resolve(started.shift()!) : waiting.push(resolve)));
  const ticker = startTicker(
    () =>
      new Promise<void>((resolve, reject) => {
        const pass = { ok: () => resolve(), fail: () => reject(new Error('store unavailable')) };
        const w = waiting.shift();
        if (w) w(pass);
        else started.push(pass);
      }),
    1,
    debugLogger,
    'test pass',
    undefined,
    () => clock,
  );
  // A pass's outcome is logged before the next pass starts (passes never overlap).
  for (let i = 0; i < 5; i++) (await nextPass()).fail();
  const sixth = await nextPass();
  clock += 30_000;
  sixth.fail();
  (await nextPass()).fail();
  const eighth = await nextPass();
  clock += 5_000;
  eighth.ok();
  (await nextPass()).fail();
  const last = await nextPass();
  const stopped = ticker.stop();
  last.fail();
  await stopped;

  const shown = lines.filter((l) => l.level !== 'debug').map(({ level, msg, suppressed, failures, failingForSeconds, failedForSeconds }) => ({ level, msg, suppressed, failures, failingForSeconds, failedForSeconds }));
  expect(shown).toEqual([
    { level: 'error', msg: 'test pass failed; will retry', suppressed: undefined, failures: undefined, failingForSeconds: undefined, failedForSeconds: undefined },
    { level: 'error', msg: 'test pass failed; will retry', suppressed: 4, failures: 6, failingForSeconds: 30, failedForSeconds: undefined },
    { level: 'info', msg: 'test pass works again; recovered after 35 s', suppressed: undefined, failures: 7, failingForSeconds: undefined, failedForSeconds: 35 },
    // The next outage's first failure is logged at once.
    { level: 'error', msg: 'test pass failed; will retry', suppressed: undefined, failures: undefined, failingForSeconds: undefined, failedForSeconds: undefined },
  ]);
  // Every failure not shown is at debug (the last: the second of the next outage).
  expect(lines.filter((l) => l.level === 'debug').map((l) => l.failures)).toEqual([2, 3, 4, 5, 7, 2]);
});
