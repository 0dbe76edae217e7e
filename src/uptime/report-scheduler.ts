/**
 * @module uptime/report-scheduler
 * Scheduled uptime summaries: every `reports:` entry of `routes/<team>.yaml` runs on its cron
 * schedule in the report's `timezone` (default UTC), computes the team's report for its period
 * (days in that zone), and queues a Slack message through the durable outbox
 * (pipeline/enqueue-message.ts): a Slack outage delays it, never loses it.
 *
 * Schedules are read by the maintenance windows' cron (maintenance/cron.ts), so there is one cron
 * in the product and it crosses daylight saving as cronie does: a fixed time the spring-forward
 * skips runs when the clocks change, one the fall-back repeats runs once. A timer waits for the
 * next run (re-armed in steps of Node's longest timer, unref'd, cleared by `stop()`).
 *
 * One post per period, however many replicas: the outbox key is
 * `report:<team>:<index>:<period start>` (plus the end for to-date periods), decided under the
 * store's lock; a key once queued is known to every replica and every restart
 * (`messageQueued`), and Thanos is not asked again for it. The period comes from the scheduled
 * time, not the clock, so replicas that fire a few milliseconds apart agree on it.
 *
 * A period is never dropped quietly:
 * - a failed run (Thanos down) is retried with backoff (`retry`: 5 min doubling, at most an hour
 *   apart) until its post is queued, or until newer periods supersede it: for a to-date period
 *   (`month-to-date`, `quarter`) any later run (its post carries the newer numbers); for the
 *   others, once the report's last `catchUpPeriods` (3) runs all report newer periods. Giving up
 *   is an error in the log naming the period's key.
 * - at start, the periods of the report's last `catchUpPeriods` runs (the last run only for a
 *   to-date period) whose post was never queued are posted, oldest first, and retried likewise:
 *   a process that was down, or restarted during the retries, catches up. An older one missed
 *   is logged as an error. Runs before the report was first scheduled (by any replica; a record
 *   in the store per team, index, schedule, period and zone) are never caught up, so a new
 *   install or a new report posts nothing old.
 * A post that goes out more than 5 minutes after its run says so, and why, when known.
 *
 * @example
 * const scheduler = createReportScheduler({ routing, uptime, store, onEnqueued: () => worker.wake(), logger });
 * scheduler.start();
 * // on shutdown:
 * await scheduler.stop();
 */
import { sha256Hex } from '../model/sha256.js';
import type { ReportConfig, RoutingConfig } from '../config/types.js';
import { MAX_TIMER_MS } from '../config/timer-limit.js';
import type { Logger } from '../log/logger.js';
import { lastFiring, nextFiring, parseCron, type CronSchedule } from '../maintenance/cron.js';
import { PSEUDO_GROUP_KEYS, teamGroupId } from '../model/group-id.js';
import { enqueueMessage, messageQueued } from '../pipeline/enqueue-message.js';
import { settledWithin } from '../pipeline/settled-within.js';
import { nextAttemptDelay, type RetryPolicy } from '../outbox/retry-policy.js';
import { pseudoGroupRecord } from '../store/pseudo-group.js';
import type { Store } from '../store/store.js';
import { UptimeError } from './errors.js';
import { formatLocalTime } from './format.js';
import { isReportPeriod, periodRange, type ReportPeriod } from './range.js';
import { rfc3339 } from './report-types.js';
import type { UptimeService } from './service.js';
import { renderUptimeSummary } from './slack-summary.js';
import { periodTitle } from './period-title.js';
import { reportRangeQuery } from './report-link.js';

export interface ScheduledHandle {
  stop(): void;
}

/** Runs `fn(at)` on cron `expr` in `timezone`; `at` is the scheduled time. Throws on a bad expression. */
export type ScheduleFn = (expr: string, timezone: string, fn: (at: Date) => void) => ScheduledHandle;

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A schedule with no run this far ahead never runs (29 February comes at most 8 years apart). */
const NEXT_RUN_HORIZON_MS = 3000 * DAY;
/** How far back runs are looked for, when catching up or deciding whether a period is superseded. */
const LOOK_BACK_MS = 400 * DAY;
/** A post queued this long after its run says that it is late. */
const LATE_AFTER_MS = 5 * MINUTE;
/** After `abandon`, how long `stop()` waits for the runs to settle (an aborted query ends at once). */
const ABANDON_WAIT_MS = 1_000;

/**
 * The real scheduler: a timer to the next run of the maintenance cron (`nextFiring`). A timer
 * that wakes late (a suspended process) runs the latest run due, once; the scheduler catches up
 * periods, not runs.
 */
export function cronSchedule(logger: Logger): ScheduleFn {
  return (expr, timezone, fn) => {
    const cron = parseCron(expr, timezone);
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const arm = (after: number): void => {
      const next = nextFiring(cron, after, NEXT_RUN_HORIZON_MS);
      if (next === undefined) {
        logger.error({ schedule: expr, timezone }, 'uptime report schedule never runs (no run within 8 years): nothing is posted');
        return;
      }
      const wake = (): void => {
        if (stopped) return;
        const now = Date.now();
        if (now < next) {
          timer = setTimeout(wake, Math.min(next - now, MAX_TIMER_MS));
          timer.unref();
          return;
        }
        const at = lastFiring(cron, now + 1, next) ?? next;
        try {
          fn(new Date(at));
        } finally {
          arm(at);
        }
      };
      wake();
    };
    arm(Date.now());
    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  };
}

export interface RetryOptions {
  /** First delay after a failed run, doubled each time; default 5 minutes. */
  delayMs: number;
  /** Longest delay between two attempts; default 1 hour. */
  maxDelayMs: number;
}

export interface ReportSchedulerOptions {
  routing: () => RoutingConfig | undefined;
  uptime: UptimeService;
  store: Store;
  /** Called after a message was queued (wakes the outbox worker). */
  onEnqueued: () => void;
  logger: Logger;
  /** Default: `cronSchedule` (tests fire runs themselves). */
  schedule?: ScheduleFn;
  retry?: Partial<RetryOptions>;
  /** How many of a report's latest periods are caught up or retried; default 3 (to-date periods: the latest run only). */
  catchUpPeriods?: number;
  /** Gateway base URL for a link to the HTML report. */
  publicUrl?: string;
  /** How often the routing config is checked for changed `reports:` (reloads); default 30 s. */
  syncIntervalMs?: number;
  /** How long `stop()` waits for runs in progress unless told; default 5 s. */
  stopGraceMs?: number;
  /**
   * Called by `stop()` when runs are still in progress after its grace: ends their work (the
   * gateway aborts its Thanos queries) so they settle before `stop()` resolves. A query left
   * running would keep the process alive for THANOS_TIMEOUT_MS and its retries, past
   * Kubernetes' SIGKILL, after the gateway had logged its shutdown complete.
   */
  abandon?: () => void;
  /** The clock, epoch ms (tests). */
  now?: () => number;
  /** Told each outcome of a period's run, for `alertgate_uptime_reports_total`. */
  counted?: (team: string, outcome: ReportCount) => void;
}

/**
 * What a run of a period came to: its post queued, found queued already, skipped (a to-date
 * period that starts at the run), one failed attempt (retried with backoff), or given up.
 */
export type ReportCount = 'queued' | 'already_queued' | 'skipped' | 'attempt_failed' | 'not_posted';

export type RunOutcome =
  | { status: 'enqueued' | 'already-posted'; key: string }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: string; key?: string };

export interface ReportScheduler {
  /** Schedules every report of the current config, and catches up the periods missed. */
  start(): void;
  /** Picks up changed `reports:` after a config reload (also done periodically). */
  sync(): void;
  /**
   * What a scheduled run does, for report `index` of `team`, as if scheduled at `at`: resolves
   * once the period's post is queued (or was already), or, failing, once newer periods
   * superseded it, the report changed, or the scheduler stopped. A run of a period already in
   * progress joins it.
   */
  run(team: string, index: number, at: Date): Promise<RunOutcome>;
  /**
   * Stops every timer and pending retry, and lets runs in the middle of their queries finish
   * (and queue their post) for up to `graceMs` (default `stopGraceMs`); what is still running
   * then is abandoned (`abandon`), and its period is caught up at the next start.
   */
  stop(graceMs?: number): Promise<void>;
}

interface Job {
  team: string;
  index: number;
  report: ReportConfig;
}

/** One run of a report: when, the start of the period it reports, and the outbox key of that period's post. */
interface Due {
  at: number;
  from: number;
  key: string;
}

function jobsOf(config: RoutingConfig | undefined): Job[] {
  if (!config) return [];
  return [...config.teams.values()].flatMap((t) => t.reports.map((report, index) => ({ team: t.team, index, report })));
}

const tzOf = (report: ReportConfig): string => report.timezone ?? 'UTC';
const isToDate = (period: string): boolean => period === 'month-to-date' || period === 'quarter';
/** What makes a report the same report: its runs and their periods (not its channel). */
const signatureOf = (job: Job): string => `${job.report.schedule}\0${job.report.period}\0${tzOf(job.report)}`;

function periodOf(job: Job): ReportPeriod {
  const { period } = job.report;
  if (!isReportPeriod(period)) throw new UptimeError('config', `reports[${job.index}] of team "${job.team}": unknown period "${period}"`);
  return period;
}

/** The run of `job` at `at`; undefined for a to-date period that starts then (nothing to report yet). */
function dueOf(job: Job, at: number): Due | undefined {
  const period = periodOf(job);
  const { from, to } = periodRange(period, at, tzOf(job.report));
  if (from >= at) return undefined;
  const key = `report:${job.team}:${job.index}:${rfc3339(from)}${isToDate(period) ? `..${rfc3339(Math.min(to, at))}` : ''}`;
  return { at, from, key };
}

/**
 * The runs of `job` up to `now` (inclusive) and not before `notBefore`, newest first, one per
 * period (its latest run), at most `limit`. A to-date period's run supersedes the ones before
 * it, so for those the latest run only (none when it starts its period).
 */
function latestRuns(job: Job, cron: CronSchedule, now: number, notBefore: number, limit: number): Due[] {
  const period = periodOf(job);
  const runs: Due[] = [];
  let before = now + 1;
  while (runs.length < (isToDate(period) ? 1 : limit)) {
    const at = lastFiring(cron, before, notBefore);
    const due = at === undefined ? undefined : dueOf(job, at);
    if (at === undefined || !due) break;
    runs.push(due);
    // Every run of this period is at or after its end.
    before = periodRange(period, at, tzOf(job.report)).to;
  }
  return runs;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Only an unavailable Thanos is expected to pass; anything else is logged as an error at each attempt. */
const isTransient = (err: unknown): boolean => !(err instanceof UptimeError) || err.kind === 'unavailable';

export function createReportScheduler(opts: ReportSchedulerOptions): ReportScheduler {
  const log = opts.logger;
  const now = opts.now ?? (() => Date.now());
  const count = opts.counted ?? (() => undefined);
  const schedule = opts.schedule ?? cronSchedule(log);
  const retry: RetryOptions = { delayMs: 5 * MINUTE, maxDelayMs: 60 * MINUTE, ...opts.retry };
  const retryPolicy: RetryPolicy = { baseDelayMs: retry.delayMs, maxDelayMs: retry.maxDelayMs, maxRetryAfterMs: 0, maxAttempts: Infinity };
  const catchUpPeriods = Math.max(1, opts.catchUpPeriods ?? 3);
  let handles: ScheduledHandle[] = [];
  let signature: string | undefined;
  /** Pending retry waits: cleared and released on stop. */
  const waits = new Set<{ timer: NodeJS.Timeout; release: () => void }>();
  const pending = new Set<Promise<unknown>>();
  /** Runs in progress, by outbox key: a second run of the same period joins the first. */
  const inFlight = new Map<string, Promise<RunOutcome>>();
  /** When each report was first scheduled (epoch ms), by its record's group key. */
  const since = new Map<string, Promise<number>>();
  let syncTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** Set by start() until every report's missed periods were looked for (retried by sync when the store failed). */
  let catchUpDue = false;
  let catchingUp = false;

  const findJob = (team: string, index: number): Job | undefined => jobsOf(opts.routing()).find((j) => j.team === team && j.index === index);
  const cronOf = (job: Job): CronSchedule => parseCron(job.report.schedule, tzOf(job.report));
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => {});
    return p;
  };

  /** The record that `job` is scheduled, written by the first replica to schedule it; its time. */
  function scheduledSince(job: Job): Promise<number> {
    const hash = sha256Hex(signatureOf(job)).slice(0, 16);
    const groupKey = `${PSEUDO_GROUP_KEYS.messagePrefix}report-schedule:${job.team}:${job.index}:${hash}`;
    const known = since.get(groupKey);
    if (known) return known;
    const id = teamGroupId(job.team, groupKey);
    const read = (async () => {
      const existing = await opts.store.getGroup(id);
      if (existing) return Date.parse(existing.createdAt);
      const at = new Date(now());
      const annotations = { schedule: job.report.schedule, period: job.report.period, timezone: tzOf(job.report) };
      await opts.store.updateGroups([id], (current) =>
        current.has(id) ? [] : [{ group: pseudoGroupRecord({ id, team: job.team, groupKey, status: 'resolved', annotations }, undefined, at), notifications: [] }],
      );
      const record = await opts.store.getGroup(id);
      if (!record) throw new Error(`the record that reports[${job.index}] of team "${job.team}" is scheduled was not stored`);
      if (record.createdAt === at.toISOString()) {
        log.info({ team: job.team, report: job.index, ...annotations }, 'uptime report scheduled for the first time: earlier runs are not caught up');
      }
      return Date.parse(record.createdAt);
    })();
    since.set(groupKey, read);
    read.catch(() => since.delete(groupKey)); // asked again next time
    return read;
  }

  /** Why `due` needs no more attempts, if newer runs superseded it. */
  function supersededBy(job: Job, due: Due, at: number): string | undefined {
    const cron = cronOf(job);
    if (isToDate(job.report.period)) {
      const newer = lastFiring(cron, at + 1, due.at + 1);
      return newer === undefined ? undefined : `superseded by the run of ${rfc3339(newer)}, which reports this to-date period with newer numbers`;
    }
    const runs = latestRuns(job, cron, at, at - LOOK_BACK_MS, catchUpPeriods);
    const oldest = runs[catchUpPeriods - 1];
    return oldest && due.from < oldest.from ? `superseded: the last ${catchUpPeriods} runs report newer periods (catch-up covers the last ${catchUpPeriods})` : undefined;
  }

  function lateNote(job: Job, due: Due, lastError: unknown, caughtUp: boolean): string {
    const why =
      lastError !== undefined
        ? isTransient(lastError)
          ? 'Thanos was unavailable at the scheduled time'
          : 'the scheduled run failed'
        : caughtUp
          ? 'not posted at the scheduled time, caught up when alertgate started'
          : 'not posted at the scheduled time';
    return `posted late (due ${formatLocalTime(rfc3339(due.at), tzOf(job.report))}): ${why}`;
  }

  /** One attempt: queue the post of `due`'s period unless it was already. */
  async function attempt(job: Job, due: Due, lastError: unknown, caughtUp: boolean): Promise<RunOutcome> {
    const { team, index, report } = job;
    const channel = report.channel ?? opts.routing()?.teams.get(team)?.slack?.channel;
    if (!channel) throw new UptimeError('config', `team "${team}" has no Slack channel for reports[${index}] (set reports[${index}].channel or slack.channel)`);
    const period = periodOf(job);
    if (await messageQueued(opts.store, team, due.key)) {
      log.info({ team, report: index, key: due.key, channel, enqueued: false }, 'uptime report for this period was already queued');
      count(team, 'already_queued');
      return { status: 'already-posted', key: due.key };
    }
    const result = await opts.uptime.report({ team, period, tz: tzOf(report) }, due.at);
    const late = now() - due.at >= LATE_AFTER_MS ? lateNote(job, due, lastError, caughtUp) : undefined;
    // The report's own range, not its period: `period=previous-month` points at another month next month.
    const link = opts.publicUrl ? `${opts.publicUrl.replace(/\/$/, '')}/uptime/${team}?${reportRangeQuery(result)}` : undefined;
    const message = renderUptimeSummary(result, { title: periodTitle(period, result), ...(link ? { link } : {}), ...(late ? { late } : {}) });
    const { enqueued } = await enqueueMessage(opts.store, { team, channel, key: due.key, message });
    if (enqueued) opts.onEnqueued();
    count(team, enqueued ? 'queued' : 'already_queued');
    log.info({ team, report: index, key: due.key, channel, enqueued, ...(late ? { late } : {}) }, enqueued ? 'uptime report queued for Slack' : 'uptime report for this period was already queued');
    return { status: enqueued ? 'enqueued' : 'already-posted', key: due.key };
  }

  function wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const w = { timer: setTimeout(() => w.release(), ms), release: () => (waits.delete(w), resolve()) };
      w.timer.unref();
      waits.add(w);
    });
  }

  /** Attempts `due` until its post is queued or it is superseded; `firstAttempt` resolves after the first. */
  async function untilPosted(first: Job, due: Due, caughtUp: boolean, firstAttempt: () => void): Promise<RunOutcome> {
    let job = first;
    const fields = { team: job.team, report: job.index, key: due.key, scheduledAt: rfc3339(due.at) };
    const notPosted = (why: string, err?: string): RunOutcome => {
      log.error({ ...fields, ...(err ? { err } : {}) }, `uptime report NOT posted for this period: ${why}`);
      count(fields.team, 'not_posted');
      return { status: 'failed', key: due.key, error: err ? `${why}: ${err}` : why };
    };
    let lastError: unknown;
    for (let n = 0; ; n++) {
      try {
        return await attempt(job, due, lastError, caughtUp);
      } catch (err) {
        lastError = err;
      } finally {
        if (n === 0) firstAttempt();
      }
      const message = errorText(lastError);
      if (stopped) return stoppedBeforePosting(fields, message);
      // The project's one backoff (outbox/retry-policy.ts), without its jitter or attempt budget:
      // a report is retried until posted or superseded, at the same times on every replica.
      const delayMs = nextAttemptDelay(retryPolicy, n + 1, undefined, () => 1)!;
      const level = isTransient(lastError) ? 'warn' : 'error';
      log[level]({ ...fields, attempt: n + 1, retryInMs: delayMs, err: message }, 'uptime report failed; retrying');
      count(fields.team, 'attempt_failed');
      await wait(delayMs);
      if (stopped) return stoppedBeforePosting(fields, message);
      const current = findJob(job.team, job.index);
      if (!current || signatureOf(current) !== signatureOf(job)) return notPosted('the report was removed or changed (schedule, period or zone) since this run', message);
      job = current;
      try {
        const superseded = supersededBy(job, due, now());
        if (superseded) return notPosted(superseded, message);
      } catch (err) {
        return notPosted(`cannot tell whether newer runs superseded it: ${errorText(err)}`, message);
      }
    }
  }

  function stoppedBeforePosting(fields: object, err: string): RunOutcome {
    log.warn({ ...fields, err }, 'uptime report not posted yet: stopped while retrying; it is caught up at the next start');
    return { status: 'failed', error: `stopped before posting: ${err}` };
  }

  /** Starts (or joins) the attempts of `due`; the second promise resolves after the first attempt. */
  function begin(job: Job, due: Due, caughtUp: boolean): [Promise<RunOutcome>, Promise<void>] {
    const running = inFlight.get(due.key);
    if (running) return [running, Promise.resolve()];
    let firstAttempt!: () => void;
    const attempted = new Promise<void>((resolve) => (firstAttempt = resolve));
    const p = track(untilPosted(job, due, caughtUp, firstAttempt).finally(() => inFlight.delete(due.key)));
    inFlight.set(due.key, p);
    return [p, attempted];
  }

  function run(team: string, index: number, at: Date): Promise<RunOutcome> {
    const job = findJob(team, index);
    if (!job) return Promise.resolve({ status: 'failed', error: `team "${team}" has no reports[${index}]` });
    let due: Due | undefined;
    try {
      due = dueOf(job, at.getTime());
    } catch (err) {
      log.error({ team, report: index, scheduledAt: at.toISOString(), err: errorText(err) }, 'uptime report NOT posted for this period');
      count(team, 'not_posted');
      return Promise.resolve({ status: 'failed', error: errorText(err) });
    }
    // A to-date period run at the very start of its period (a month-to-date report on a daily
    // 00:00 schedule, on the 1st) has nothing to report yet: not a failure, no retries.
    if (!due) {
      const reason = `the ${job.report.period} period starts at ${at.toISOString()}: nothing to report yet`;
      log.info({ team, report: index, scheduledAt: at.toISOString(), period: job.report.period }, 'uptime report skipped: its period starts now, nothing to report yet');
      count(team, 'skipped');
      return Promise.resolve({ status: 'skipped', reason });
    }
    return begin(job, due, false)[0];
  }

  /** Posts the periods of `job`'s latest runs (since it was first scheduled) that were never posted, oldest first. */
  async function catchUp(job: Job): Promise<void> {
    const first = await scheduledSince(job);
    if (stopped) return;
    const t = now();
    const runs = latestRuns(job, cronOf(job), t, Math.max(first, t - LOOK_BACK_MS), catchUpPeriods + 1);
    const older = runs[catchUpPeriods];
    if (older && !(await messageQueued(opts.store, job.team, older.key))) {
      log.error(
        { team: job.team, report: job.index, key: older.key, scheduledAt: rfc3339(older.at) },
        `uptime report NOT posted for this period: older than the catch-up look-back (the last ${catchUpPeriods} runs); older periods are not looked for`,
      );
      count(job.team, 'not_posted');
    }
    for (const due of runs.slice(0, catchUpPeriods).reverse()) {
      if (stopped) return;
      if (inFlight.has(due.key) || (await messageQueued(opts.store, job.team, due.key))) continue;
      log.warn({ team: job.team, report: job.index, key: due.key, scheduledAt: rfc3339(due.at) }, 'uptime report was not posted at its scheduled time: catching it up');
      // Oldest first: the next one starts after this one's first attempt (its retries go on alongside).
      await begin(job, due, true)[1];
    }
  }

  async function catchUpAll(): Promise<void> {
    catchingUp = true;
    try {
      const results = await Promise.allSettled(jobsOf(opts.routing()).map((job) => catchUp(job)));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [errorText(r.reason)] : []));
      if (failed.length === 0) catchUpDue = false;
      else log.error({ errors: failed }, 'cannot look for uptime reports missed while alertgate was down; trying again at the next config check');
    } finally {
      catchingUp = false;
    }
  }

  function sync(): void {
    if (stopped) return;
    if (catchUpDue && !catchingUp) void track(catchUpAll());
    const jobs = jobsOf(opts.routing());
    const next = JSON.stringify(jobs);
    if (next === signature) return;
    signature = next;
    for (const h of handles) h.stop();
    handles = [];
    for (const job of jobs) {
      const tz = tzOf(job.report);
      try {
        handles.push(schedule(job.report.schedule, tz, (at) => void run(job.team, job.index, at)));
      } catch (err) {
        log.error({ team: job.team, report: job.index, schedule: job.report.schedule, err: errorText(err) }, 'cannot schedule uptime report');
        continue;
      }
      // A report added by a reload is caught up from now on, after a restart too.
      void track(scheduledSince(job)).catch((err: unknown) =>
        log.warn({ team: job.team, report: job.index, err: errorText(err) }, 'cannot record that the uptime report is scheduled; trying again later'),
      );
    }
    if (jobs.length) log.info({ reports: jobs.map((j) => `${j.team}[${j.index}] ${j.report.schedule} ${j.report.period}`) }, 'uptime reports scheduled');
  }

  return {
    start() {
      stopped = false;
      catchUpDue = true;
      sync();
      syncTimer = setInterval(sync, opts.syncIntervalMs ?? 30_000);
      syncTimer.unref();
    },
    sync,
    run,
    async stop(graceMs) {
      stopped = true;
      if (syncTimer) clearInterval(syncTimer);
      for (const h of handles) h.stop();
      handles = [];
      signature = undefined;
      for (const w of [...waits]) {
        clearTimeout(w.timer);
        w.release(); // the run sees `stopped` and logs that the period was not posted yet
      }
      // A run in the middle of its queries may finish (and queue its message) within the grace.
      const settled = () => Promise.allSettled([...pending]).then(() => true);
      const waitMs = graceMs ?? opts.stopGraceMs ?? 5_000;
      if (await settledWithin(settled(), waitMs, false)) return;
      // Abandoned: its queries end at once (as unavailable), the run sees `stopped` and says so.
      opts.abandon?.();
      if (!(await settledWithin(settled(), ABANDON_WAIT_MS, false))) log.warn({ runs: pending.size }, 'uptime reports still running after shutdown abandoned them');
    },
  };
}
