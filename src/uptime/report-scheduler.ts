/**
 * @module uptime/report-scheduler
 * Scheduled uptime summaries: every `reports:` entry of `routes/<team>.yaml` runs on its cron
 * schedule (node-cron, in the report's `timezone`, default UTC), computes the team's report for
 * its period (days in that zone), and queues a Slack message through the durable outbox
 * (pipeline/enqueue-message.ts): a Slack outage delays it, never loses it.
 *
 * One post per period, however many replicas: the outbox key is
 * `report:<team>:<index>:<period start>` (plus the end for to-date periods), decided under the
 * store's lock. The period comes from the scheduled time, not the clock, so replicas that fire
 * a few milliseconds apart agree on it.
 *
 * A failed computation (Thanos down) is logged and retried a bounded number of times with
 * backoff; if it still fails, an error says that this period was not posted and the next run
 * will try again. Nothing fails silently. `stop()` ends every task and timer (cron tasks would
 * otherwise keep the process alive).
 *
 * @example
 * const scheduler = createReportScheduler({ routing, uptime, store, onEnqueued: () => worker.wake(), logger });
 * scheduler.start();
 * // on shutdown:
 * await scheduler.stop();
 */
import cron from 'node-cron';
import type { ReportConfig, RoutingConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { enqueueMessage } from '../pipeline/enqueue-message.js';
import type { Store } from '../store/store.js';
import { UptimeError } from './errors.js';
import { isReportPeriod, periodRange, type ReportPeriod } from './range.js';
import type { UptimeService } from './service.js';
import { renderUptimeSummary } from './slack-summary.js';
import { periodTitle } from './period-title.js';
import { reportRangeQuery } from './report-link.js';

export interface ScheduledHandle {
  stop(): void;
}

/** Runs `fn(at)` on cron `expr` in `timezone`; `at` is the scheduled time. Throws on a bad expression. */
export type ScheduleFn = (expr: string, timezone: string, fn: (at: Date) => void) => ScheduledHandle;

/** The real scheduler: node-cron, logging through our logger. */
export function nodeCronSchedule(logger: Logger): ScheduleFn {
  const cronLogger = {
    info: (m: string) => logger.debug({ cron: m }),
    warn: (m: string) => logger.warn({ cron: m }),
    error: (m: string | Error, err?: Error) => logger.error({ cron: String(m), err }),
    debug: (m: string | Error) => logger.debug({ cron: String(m) }),
  };
  return (expr, timezone, fn) => {
    const task = cron.schedule(expr, (ctx) => fn(ctx.date), { timezone, noOverlap: true, logger: cronLogger });
    return { stop: () => void task.destroy() };
  };
}

export interface RetryOptions {
  /** Extra attempts after a failure; default 3. */
  attempts: number;
  /** First delay, doubled each time; default 5 minutes. */
  delayMs: number;
}

export interface ReportSchedulerOptions {
  routing: () => RoutingConfig | undefined;
  uptime: UptimeService;
  store: Store;
  /** Called after a message was queued (wakes the outbox worker). */
  onEnqueued: () => void;
  logger: Logger;
  schedule?: ScheduleFn;
  retry?: Partial<RetryOptions>;
  /** Gateway base URL for a link to the HTML report. */
  publicUrl?: string;
  /** How often the routing config is checked for changed `reports:` (reloads); default 30 s. */
  syncIntervalMs?: number;
  /** How long `stop()` waits for runs in progress; default 5 s. */
  stopGraceMs?: number;
}

export type RunOutcome = { status: 'enqueued' | 'already-posted'; key: string } | { status: 'skipped'; reason: string } | { status: 'failed'; error: string };

export interface ReportScheduler {
  /** Schedules every report of the current config. */
  start(): void;
  /** Picks up changed `reports:` after a config reload (also done periodically). */
  sync(): void;
  /** What a scheduled run does, for report `index` of `team`, as if scheduled at `at`; with retries. */
  run(team: string, index: number, at: Date): Promise<RunOutcome>;
  /** Stops every task and pending retry. */
  stop(): Promise<void>;
}

interface Job {
  team: string;
  index: number;
  report: ReportConfig;
}

function jobsOf(config: RoutingConfig | undefined): Job[] {
  if (!config) return [];
  return [...config.teams.values()].flatMap((t) => t.reports.map((report, index) => ({ team: t.team, index, report })));
}

export function createReportScheduler(opts: ReportSchedulerOptions): ReportScheduler {
  const log = opts.logger;
  const schedule = opts.schedule ?? nodeCronSchedule(log);
  const retry: RetryOptions = { attempts: 3, delayMs: 5 * 60_000, ...opts.retry };
  let handles: ScheduledHandle[] = [];
  let signature: string | undefined;
  /** Pending retry waits: cleared and released on stop. */
  const waits = new Set<{ timer: NodeJS.Timeout; release: () => void }>();
  const pending = new Set<Promise<unknown>>();
  let syncTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function attempt(job: Job, at: Date): Promise<RunOutcome> {
    const { team, index, report } = job;
    const teamConfig = opts.routing()?.teams.get(team);
    const channel = report.channel ?? teamConfig?.slack?.channel;
    if (!channel) throw new UptimeError('config', `team "${team}" has no Slack channel for reports[${index}] (set reports[${index}].channel or slack.channel)`);
    if (!isReportPeriod(report.period)) throw new UptimeError('config', `reports[${index}] of team "${team}": unknown period "${report.period}"`);
    const period: ReportPeriod = report.period;
    const tz = report.timezone ?? 'UTC';
    // A to-date period run at the very start of its period (a month-to-date report on a daily
    // 00:00 schedule, on the 1st) has nothing to report yet: not a failure, no retries.
    if (periodRange(period, at.getTime(), tz).from >= at.getTime()) {
      const reason = `the ${period} period starts at ${at.toISOString()}: nothing to report yet`;
      log.info({ team, report: index, scheduledAt: at.toISOString(), period }, 'uptime report skipped: its period starts now, nothing to report yet');
      return { status: 'skipped', reason };
    }
    const result = await opts.uptime.report({ team, period, tz }, at.getTime());
    const toDate = period === 'month-to-date' || period === 'quarter';
    const key = `report:${team}:${index}:${result.from}${toDate ? `..${result.to}` : ''}`;
    // The report's own range, not its period: `period=previous-month` points at another month next month.
    const link = opts.publicUrl ? `${opts.publicUrl.replace(/\/$/, '')}/uptime/${team}?${reportRangeQuery(result)}` : undefined;
    const message = renderUptimeSummary(result, { title: periodTitle(period, result), ...(link ? { link } : {}) });
    const { enqueued } = await enqueueMessage(opts.store, { team, channel, key, message });
    if (enqueued) opts.onEnqueued();
    log.info({ team, report: index, key, channel, enqueued }, enqueued ? 'uptime report queued for Slack' : 'uptime report for this period was already queued');
    return { status: enqueued ? 'enqueued' : 'already-posted', key };
  }

  async function run(team: string, index: number, at: Date): Promise<RunOutcome> {
    const job = jobsOf(opts.routing()).find((j) => j.team === team && j.index === index);
    if (!job) return { status: 'failed', error: `team "${team}" has no reports[${index}]` };
    for (let n = 0; ; n++) {
      try {
        return await attempt(job, at);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // Only an unavailable Thanos is worth waiting for; a bad query or config fails again.
        const transient = !(err instanceof UptimeError) || err.kind === 'unavailable';
        if (stopped || !transient || n >= retry.attempts) {
          log.error(
            { team, report: index, scheduledAt: at.toISOString(), attempts: n + 1, err: message },
            'uptime report NOT posted for this period; the next scheduled run will try again',
          );
          return { status: 'failed', error: message };
        }
        const delayMs = retry.delayMs * 2 ** n;
        log.warn({ team, report: index, attempt: n + 1, retryInMs: delayMs, err: message }, 'uptime report failed; retrying');
        await new Promise<void>((resolve) => {
          const wait = { timer: setTimeout(() => wait.release(), delayMs), release: () => (waits.delete(wait), resolve()) };
          waits.add(wait);
        });
        if (stopped) return { status: 'failed', error: `stopped before retrying: ${message}` };
      }
    }
  }

  function sync(): void {
    if (stopped) return;
    const jobs = jobsOf(opts.routing());
    const next = JSON.stringify(jobs);
    if (next === signature) return;
    signature = next;
    for (const h of handles) h.stop();
    handles = [];
    for (const job of jobs) {
      const tz = job.report.timezone ?? 'UTC';
      try {
        handles.push(
          schedule(job.report.schedule, tz, (at) => {
            const p = run(job.team, job.index, at).finally(() => pending.delete(p));
            pending.add(p);
          }),
        );
      } catch (err) {
        log.error({ team: job.team, report: job.index, schedule: job.report.schedule, err: (err as Error).message }, 'cannot schedule uptime report');
      }
    }
    if (jobs.length) log.info({ reports: jobs.map((j) => `${j.team}[${j.index}] ${j.report.schedule} ${j.report.period}`) }, 'uptime reports scheduled');
  }

  return {
    start() {
      stopped = false;
      sync();
      syncTimer = setInterval(sync, opts.syncIntervalMs ?? 30_000);
      syncTimer.unref();
    },
    sync,
    run,
    async stop() {
      stopped = true;
      if (syncTimer) clearInterval(syncTimer);
      for (const h of handles) h.stop();
      handles = [];
      signature = undefined;
      for (const w of [...waits]) {
        clearTimeout(w.timer);
        w.release(); // the run sees `stopped` and logs that the period was not posted
      }
      // A run in the middle of its queries may finish (and queue its message) within the grace.
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, opts.stopGraceMs ?? 5_000)));
      await Promise.race([Promise.allSettled([...pending]), grace]);
      clearTimeout(timer);
    },
  };
}
