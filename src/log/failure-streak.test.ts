/**
 * Failure streaks whose failures differ: by cause (each cause's first failure in full at once,
 * reminders per cause) and by subject (a webhook's group: counted per line and per streak,
 * each named once by some line, at most SUBJECTS_NAMED_PER_LINE per line). The real logger
 * writes the lines; the streak's clock is moved on instead of sleeping.
 */
import { expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { errorCause, FailureStreakLog, SUBJECTS_COUNTED_MAX, SUBJECTS_NAMED_PER_LINE } from './failure-streak.js';

type Line = Record<string, unknown>;

/** Timers on the test's clock: `advanceTo` moves it on and fires those due. */
function fakeTimers(clock: { now: number }) {
  const timers: Array<{ at: number; fire: () => void; cleared: boolean }> = [];
  return {
    after: (ms: number, fire: () => void) => {
      const t = { at: clock.now + ms, fire, cleared: false };
      timers.push(t);
      return () => void (t.cleared = true);
    },
    pending: () => timers.filter((t) => !t.cleared).length,
    advanceTo(at: number) {
      clock.now = at;
      for (const t of timers.filter((x) => !x.cleared && x.at <= at)) {
        t.cleared = true;
        t.fire();
      }
    },
  };
}

function streak(o: { quietMs?: number } = {}) {
  const lines: Line[] = [];
  const clock = { now: 0 };
  const timers = fakeTimers(clock);
  const log = new FailureStreakLog({
    ...o,
    after: timers.after,
    logger: createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Line) }),
    failing: 'could not store webhook',
    recovered: 'stored again; recovered',
    now: () => clock.now,
    causeOf: errorCause,
    subjects: { one: 'groupKey', named: 'groupKeys', count: 'groups', notNamed: 'groupsNotNamed' },
  });
  const shown = () => lines.filter((l) => l.level !== 'debug');
  return { log, lines, shown, clock, timers };
}

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });
const refused = coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED');
const full = coded('database or disk is full', 'SQLITE_FULL');

it("logs each cause's first failure in full at once, and reminds per cause", () => {
  const { log, shown, clock } = streak();
  log.failed(refused, { subject: 'a' });
  log.failed(refused, { subject: 'b' });
  // Another cause in the same 30 s: its own line at once, saying where the streak stands.
  clock.now = 5_000;
  log.failed(full, { subject: 'c' });
  log.failed(full, { subject: 'c' });
  expect(shown().map((l) => [(l.err as Error).message, l.groupKey, l.failures, l.failingForSeconds])).toEqual([
    ['connect ECONNREFUSED 127.0.0.1:5432', 'a', undefined, undefined],
    ['database or disk is full', 'c', 3, 5],
  ]);
  // Each cause's reminder counts its own left-out failures.
  clock.now = 30_000;
  log.failed(refused, { subject: 'a' });
  clock.now = 35_000;
  log.failed(full, { subject: 'd' });
  expect(shown().slice(2)).toMatchObject([
    { groupKey: 'a', suppressed: 1, groups: 1, groupKeys: ['b'], failures: 5, failingForSeconds: 30 },
    { groupKey: 'd', suppressed: 1, groups: 1, failures: 6, failingForSeconds: 35 },
  ]);
  // c was named by its cause's first line.
  expect(shown()[3]).not.toHaveProperty('groupKeys');
  log.succeeded();
  expect(shown().at(-1)).toMatchObject({ level: 'info', msg: 'stored again; recovered after 35 s', failures: 6, groups: 4, groupsNotNamed: 0 });
});

it('names at most SUBJECTS_NAMED_PER_LINE groups a line; the others when a later line finds them refused again, and the recovery counts those never named', () => {
  const { log, shown, clock } = streak();
  const groups = Array.from({ length: SUBJECTS_NAMED_PER_LINE + 3 }, (_, i) => `g${i}`);
  log.failed(refused, { subject: 'first' });
  for (const g of groups) log.failed(refused, { subject: g });
  clock.now = 30_000;
  log.failed(refused, { subject: 'first' });
  expect(shown()[1]).toMatchObject({ suppressed: groups.length, groups: groups.length, groupKeys: groups.slice(0, SUBJECTS_NAMED_PER_LINE) });
  // Alertmanager retries them: the ones left unnamed are named next time, the others not again.
  for (const g of groups) log.failed(refused, { subject: g });
  clock.now = 60_000;
  log.failed(refused, { subject: 'late' });
  expect(shown()[2]).toMatchObject({ groupKey: 'late', suppressed: groups.length, groups: groups.length, groupKeys: groups.slice(SUBJECTS_NAMED_PER_LINE) });
  // One more group, refused once and left out of every line: the recovery says one was never named.
  log.failed(refused, { subject: 'once' });
  log.succeeded();
  expect(shown().at(-1)).toMatchObject({ level: 'info', groups: groups.length + 3, groupsNotNamed: 1 });
  // A new streak starts afresh: its first failure in full.
  log.failed(refused, { subject: 'again' });
  expect(shown().at(-1)).toMatchObject({ level: 'error', groupKey: 'again' });
  expect(shown().at(-1)).not.toHaveProperty('failures');
});

it('gives a failure its fields on every line, and tells causes apart by code, else by message', () => {
  const { log, lines } = streak();
  log.failed(new Error('exited with code 1'), { fields: { code: 1, restartInMs: 1000 } });
  log.failed(new Error('exited with code 1'), { fields: { code: 1, restartInMs: 2000 } });
  expect(lines.map((l) => [l.level, l.code, l.restartInMs])).toEqual([
    ['error', 1, 1000],
    ['debug', 1, 2000],
  ]);
  expect(errorCause(refused)).toBe('Error ECONNREFUSED');
  expect(errorCause(coded('connect ECONNREFUSED 10.0.0.2:5432', 'ECONNREFUSED'))).toBe('Error ECONNREFUSED');
  expect(errorCause(new TypeError('x is undefined'))).toBe('TypeError: x is undefined');
});

it('with quietMs, intermittent failures are one streak: an attempt that works ends it only once none failed for quietMs, its line saying when it first worked', () => {
  const { log, shown, clock } = streak({ quietMs: 30_000 });
  const lost = coded('Connection terminated unexpectedly', '08006');
  // A dead connection now and then among attempts that work: one error line, no "recovered" between.
  for (const at of [0, 5_000, 12_000, 20_000]) {
    clock.now = at;
    log.failed(lost, { subject: `g${at}` });
    clock.now = at + 1_000;
    log.succeeded();
  }
  clock.now = 49_999;
  log.succeeded();
  expect(shown().map((l) => [l.level, l.groupKey])).toEqual([['error', 'g0']]);
  // Quiet for 30 s since the last failure (at 20 s): over, failing from 0 s until it worked at 21 s.
  clock.now = 50_000;
  log.succeeded();
  expect(shown().at(-1)).toMatchObject({ level: 'info', msg: 'stored again; recovered after 21 s', failures: 4, failedForSeconds: 21, groups: 4 });
  log.succeeded();
  expect(shown()).toHaveLength(2);
});

it('with quietMs, a failure after a quiet interval reports the streak before it over and starts a new one in full', () => {
  const { log, shown, clock } = streak({ quietMs: 30_000 });
  log.failed(refused, { subject: 'a' });
  clock.now = 2_000;
  log.succeeded();
  // The next attempt fails 40 s later: the first streak ended (worked at 2 s), this one is new.
  clock.now = 42_000;
  log.failed(refused, { subject: 'b' });
  expect(shown().map((l) => [l.level, l.msg, l.groupKey])).toEqual([
    ['error', 'could not store webhook', 'a'],
    ['info', 'stored again; recovered after 2 s', undefined],
    ['error', 'could not store webhook', 'b'],
  ]);
  expect(shown().at(-1)).not.toHaveProperty('failures');
  // No attempt worked in between: a failure however much later is the same streak.
  clock.now = 200_000;
  log.failed(refused, { subject: 'c' });
  expect(shown().at(-1)).toMatchObject({ level: 'error', groupKey: 'c', failures: 2, failingForSeconds: 158 });
});

it('counts at most SUBJECTS_COUNTED_MAX distinct subjects per cause and per streak, says when a count reached it, and counts those not named among the counted ones only', () => {
  const { log, shown, clock } = streak();
  const many = Array.from({ length: SUBJECTS_COUNTED_MAX + 500 }, (_, i) => `g${i}`);
  log.failed(refused, { subject: 'first' });
  for (const g of many) log.failed(refused, { subject: g });
  clock.now = 30_000;
  log.failed(refused, { subject: 'first' });
  expect(shown()[1]).toMatchObject({ suppressed: many.length, groups: SUBJECTS_COUNTED_MAX, groupsCapped: true, groupKeys: many.slice(0, SUBJECTS_NAMED_PER_LINE) });
  // Groups past the cap fail again and a line names them: they were never counted, so the count of those not named stays.
  const late = many.slice(-SUBJECTS_NAMED_PER_LINE);
  for (const g of late) log.failed(refused, { subject: g });
  clock.now = 60_000;
  log.failed(refused, { subject: 'first' });
  expect(shown()[2]).toMatchObject({ suppressed: late.length, groups: late.length, groupKeys: late });
  expect(shown()[2]).not.toHaveProperty('groupsCapped');
  log.succeeded();
  // Counted: 'first' and the first SUBJECTS_COUNTED_MAX - 1 of the others, of which 'first' and ten were named.
  expect(shown().at(-1)).toMatchObject({ level: 'info', groups: SUBJECTS_COUNTED_MAX, groupsCapped: true, groupsNotNamed: SUBJECTS_COUNTED_MAX - 1 - SUBJECTS_NAMED_PER_LINE });
});

it('with quietMs, the recovery line comes when quietMs have passed without a failure, with no attempt after them (quiet traffic)', () => {
  const { log, shown, timers } = streak({ quietMs: 30_000 });
  log.failed(refused, { subject: 'a' });
  timers.advanceTo(5_000);
  log.failed(refused, { subject: 'b' });
  expect(timers.pending()).toBe(0);
  // Worked at 7 s; then nothing more comes (no webhook for hours).
  timers.advanceTo(7_000);
  log.succeeded();
  timers.advanceTo(20_000);
  log.succeeded();
  expect(timers.pending()).toBe(1);
  timers.advanceTo(34_999);
  expect(shown().filter((l) => l.level === 'info')).toEqual([]);
  // 30 s after the last failure (at 5 s): failing from 0 s until it first worked again at 7 s.
  timers.advanceTo(35_000);
  expect(shown().at(-1)).toMatchObject({ level: 'info', msg: 'stored again; recovered after 7 s', failures: 2, failedForSeconds: 7, groups: 2 });
  timers.advanceTo(3_600_000);
  log.succeeded();
  expect(shown().filter((l) => l.level === 'info')).toHaveLength(1);
  expect(timers.pending()).toBe(0);
});

it('with quietMs, a failure before quietMs passed clears the timer; the next attempt that works starts it again', () => {
  const { log, shown, timers } = streak({ quietMs: 30_000 });
  log.failed(refused, { subject: 'a' });
  timers.advanceTo(1_000);
  log.succeeded();
  timers.advanceTo(10_000);
  log.failed(refused, { subject: 'b' });
  expect(timers.pending()).toBe(0);
  timers.advanceTo(31_000);
  expect(shown().filter((l) => l.level === 'info')).toEqual([]);
  timers.advanceTo(32_000);
  log.succeeded();
  // Due 30 s after the last failure (at 10 s), not after the attempt that worked.
  timers.advanceTo(39_999);
  expect(shown().filter((l) => l.level === 'info')).toEqual([]);
  timers.advanceTo(40_000);
  expect(shown().at(-1)).toMatchObject({ level: 'info', msg: 'stored again; recovered after 32 s', failures: 2 });
});

it('stop() clears a pending recovery timer (shutdown): no line after it', () => {
  const { log, shown, timers } = streak({ quietMs: 30_000 });
  log.failed(refused, { subject: 'a' });
  timers.advanceTo(1_000);
  log.succeeded();
  expect(timers.pending()).toBe(1);
  log.stop();
  expect(timers.pending()).toBe(0);
  timers.advanceTo(100_000);
  expect(shown().filter((l) => l.level === 'info')).toEqual([]);
});

it('with quietMs and the real timers and clock, the recovery line is written once quietMs have passed', async () => {
  const lines: Line[] = [];
  let recovered: (l: Line) => void = () => undefined;
  const seen = new Promise<Line>((resolve) => (recovered = resolve));
  const log = new FailureStreakLog({
    logger: createLogger({
      level: 'info',
      write: (l) => {
        const line = JSON.parse(l) as Line;
        lines.push(line);
        if (line.level === 'info') recovered(line);
      },
    }),
    failing: 'could not store webhook',
    recovered: 'stored again; recovered',
    quietMs: 20,
  });
  log.failed(refused);
  log.succeeded();
  expect(await seen).toMatchObject({ level: 'info', failures: 1 });
  expect(lines.map((l) => l.level)).toEqual(['error', 'info']);
});
