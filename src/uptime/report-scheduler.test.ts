/**
 * The report scheduler on its own: a fake Thanos (an UptimeService that fails while "down"), a
 * real SQLite store (what the replicas share) and an injected clock; for the timer, the default
 * schedule driven by fake timers. A failed or missed monthly post is caught up, never lost to the
 * next period; schedules fire as the maintenance cron (cronie) does across daylight saving.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReportConfig, RoutingConfig } from '../config/types.js';
import { createLogger } from '../log/logger.js';
import { createMetrics } from '../metrics/metrics.js';
import { PSEUDO_GROUP_KEYS } from '../model/group-id.js';
import { openStore } from '../store/open-store.js';
import type { GroupRecord, NotificationRecord, Store } from '../store/store.js';
import { UptimeError } from './errors.js';
import { resolveRange } from './range.js';
import { createReportScheduler, type ReportSchedulerOptions, type ScheduleFn } from './report-scheduler.js';
import { rfc3339 } from './report-types.js';
import type { UptimeService } from './service.js';

/** October 2026 in London: the monthly post of 1 November. */
const OCTOBER = 'report:payments:0:2026-09-30T23:00:00Z';
const NOVEMBER = 'report:payments:0:2026-11-01T00:00:00Z'; // 1 Nov 00:00 GMT
const DECEMBER = 'report:payments:0:2026-12-01T00:00:00Z';
const JANUARY = 'report:payments:0:2027-01-01T00:00:00Z';
const FEBRUARY = 'report:payments:0:2027-02-01T00:00:00Z';
const MONTHLY: ReportConfig = { schedule: '0 9 1 * *', period: 'previous-month', channel: '#leads', timezone: 'Europe/London' };

const routingOf = (reports: ReportConfig[]) =>
  ({ teams: new Map([['payments', { team: 'payments', slack: { channel: '#payments' }, reports }]]) }) as unknown as RoutingConfig;

/** A schedule that never fires by itself. */
const never: ScheduleFn = () => ({ stop() {} });

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A fake Thanos behind the uptime service, a clock, logs, and schedulers sharing one store. */
function rig(store: Store, reports: ReportConfig[] = [MONTHLY]) {
  const state = { up: false, now: Date.parse('2026-11-01T09:00:00Z') };
  const asked: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const uptime = {
    async report(req: { team: string; period?: string; tz?: string }, at?: number) {
      const r = resolveRange(req, at!);
      asked.push(rfc3339(at!));
      if (!state.up) throw new UptimeError('unavailable', 'cannot query Thanos at THANOS_URL=http://thanos:9090: ECONNREFUSED');
      return { team: req.team, from: rfc3339(r.from), to: rfc3339(r.to), tz: r.tz, services: [], warnings: [] };
    },
  } as unknown as UptimeService;
  const routing = routingOf(reports);
  const scheduler = (extra: Partial<ReportSchedulerOptions> = {}) =>
    createReportScheduler({
      routing: () => routing,
      uptime,
      store,
      onEnqueued: () => {},
      logger: createLogger({ level: 'debug', write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) }),
      schedule: never,
      retry: { delayMs: 2, maxDelayMs: 10 },
      now: () => state.now,
      ...extra,
    } as ReportSchedulerOptions);
  /** The keys of the queued report messages, in the order they were queued. */
  const posted = async () => (await notifications(store)).map((n) => n.snapshot.groupKey.slice(PSEUDO_GROUP_KEYS.messagePrefix.length));
  return { state, asked, logs, scheduler, posted };
}

/** Starts a scheduler and stops it: it has recorded that its reports are scheduled (stop() waits for that). */
async function startedOnce(r: ReturnType<typeof rig>): Promise<void> {
  const s = r.scheduler();
  s.start();
  await s.stop();
}

async function notifications(store: Store): Promise<NotificationRecord[]> {
  return (await store.listNotifications({ limit: 100 })).items.reverse();
}

const stores: Store[] = [];
async function sqlite(): Promise<Store> {
  const store = await openStore('sqlite::memory:');
  stores.push(store);
  return store;
}
afterEach(async () => {
  vi.useRealTimers();
  for (const s of stores.splice(0)) await s.close();
});

describe('a monthly Slack post whose run fails is not lost', () => {
  it('is retried with backoff past the old budget, and posted (saying it is late) once Thanos is back', async () => {
    const store = await sqlite();
    const r = rig(store);
    const scheduler = r.scheduler();
    const october = scheduler.run('payments', 0, new Date('2026-11-01T09:00:00Z'));
    // The old budget was 1 + 3 attempts, then "the next scheduled run will try again".
    await until(() => r.asked.length >= 6, 'retries beyond four attempts');
    r.state.now = Date.parse('2026-11-01T11:40:00Z');
    r.state.up = true;
    await expect(october).resolves.toMatchObject({ status: 'enqueued', key: OCTOBER });
    expect(await r.posted()).toEqual([OCTOBER]);
    const text = (await notifications(store))[0]!.snapshot.message!.text;
    expect(text).toContain('Uptime for payments: October 2026');
    expect(text).toContain('posted late (due 2026-11-01 09:00:00 GMT): Thanos was unavailable at the scheduled time');
    const warn = r.logs.find((l) => l.msg === 'uptime report failed; retrying');
    expect(warn).toMatchObject({ level: 'warn', team: 'payments', report: 0, key: OCTOBER });
    expect(String(warn!.err)).toContain('ECONNREFUSED');
    await scheduler.stop();
  });

  it('a restart during the retries: the next start posts it, once however many replicas start', async () => {
    const store = await sqlite();
    const r = rig(store);
    r.state.now = Date.parse('2026-10-20T12:00:00Z'); // the report has been configured since
    await startedOnce(r);
    r.state.now = Date.parse('2026-11-01T09:00:00Z');
    const first = r.scheduler();
    const october = first.run('payments', 0, new Date('2026-11-01T09:00:00Z'));
    await until(() => r.asked.length >= 2, 'a retry');
    await first.stop();
    await expect(october).resolves.toMatchObject({ status: 'failed' });
    expect(await r.posted()).toEqual([]);
    expect(r.logs.find((l) => l.level === 'warn' && String(l.msg).includes('caught up at the next start'))).toMatchObject({ key: OCTOBER });

    // Restarted at 09:40 with Thanos back: two replicas start, October is posted once.
    r.state.now = Date.parse('2026-11-01T09:40:00Z');
    r.state.up = true;
    const replicas = [r.scheduler(), r.scheduler()];
    for (const s of replicas) s.start();
    await until(async () => (await r.posted()).length > 0, "October's post");
    for (const s of replicas) await s.stop();
    expect(await r.posted()).toEqual([OCTOBER]);
    const text = (await notifications(store))[0]!.snapshot.message!.text;
    expect(text).toContain('Uptime for payments: October 2026');
    expect(text).toContain('posted late (due 2026-11-01 09:00:00 GMT): not posted at the scheduled time, caught up when alertgate started');
  });

  it('down at the scheduled times: the start posts the missed periods, oldest first, the last 3 at most', async () => {
    const store = await sqlite();
    const r = rig(store);
    r.state.up = true;
    r.state.now = Date.parse('2026-10-20T12:00:00Z');
    await startedOnce(r);
    expect(await r.posted()).toEqual([]);

    // Down from 20 October to 1 March 12:00: five monthly runs missed (October … February).
    r.state.now = Date.parse('2027-03-01T12:00:00Z');
    const after = r.scheduler();
    after.start();
    await until(async () => (await r.posted()).length >= 3, 'three posts');
    await after.stop();
    expect(await r.posted()).toEqual([DECEMBER, JANUARY, FEBRUARY]);
    // The older ones are not posted, and the log says so.
    const missed = r.logs.find((l) => String(l.msg).startsWith('uptime report NOT posted'));
    expect(missed).toMatchObject({ level: 'error', key: NOVEMBER });
  });

  it('catches up nothing from before the report was first scheduled (a new install, a new report)', async () => {
    const store = await sqlite();
    const r = rig(store);
    r.state.up = true;
    r.state.now = Date.parse('2026-11-01T11:00:00Z'); // two hours after October's run, which no one ran
    await startedOnce(r);
    expect(r.asked).toEqual([]);
    // Down on 1 December: November is caught up at the next start, October never.
    r.state.now = Date.parse('2026-12-03T08:00:00Z');
    const next = r.scheduler();
    next.start();
    await until(async () => (await r.posted()).length > 0, "November's post");
    await next.stop();
    expect(await r.posted()).toEqual([NOVEMBER]);
  });

  it('gives up on a period only when newer ones supersede it, and says so', async () => {
    const store = await sqlite();
    const r = rig(store, [MONTHLY, { schedule: '0 9 * * *', period: 'month-to-date', channel: '#leads', timezone: 'UTC' }]);
    const scheduler = r.scheduler();
    const october = scheduler.run('payments', 0, new Date('2026-11-01T09:00:00Z'));
    const mtd = scheduler.run('payments', 1, new Date('2026-11-05T09:00:00Z'));
    await until(() => r.asked.length >= 6, 'retries');
    // 6 November 09:30: the month-to-date run of the 6th supersedes the 5th's.
    r.state.now = Date.parse('2026-11-06T09:30:00Z');
    await expect(mtd).resolves.toMatchObject({ status: 'failed', error: expect.stringContaining('superseded') });
    // 1 February 2027 10:00: November, December and January came since: October is given up.
    r.state.now = Date.parse('2027-02-01T10:00:00Z');
    await expect(october).resolves.toMatchObject({ status: 'failed', error: expect.stringContaining('superseded') });
    const errors = r.logs.filter((l) => l.level === 'error' && String(l.msg).startsWith('uptime report NOT posted'));
    expect(errors.map((l) => l.key)).toEqual(['report:payments:1:2026-11-01T00:00:00Z..2026-11-05T09:00:00Z', OCTOBER]);
    expect(await r.posted()).toEqual([]);
    await scheduler.stop();
  });
});

describe('alertgate_uptime_reports_total', () => {
  it('counts what each run came to, by team: queued, already queued, skipped, failed attempts, given up', async () => {
    const store = await sqlite();
    const r = rig(store, [MONTHLY, { schedule: '0 0 * * *', period: 'month-to-date', channel: '#leads', timezone: 'UTC' }]);
    const metrics = createMetrics({ defaultMetrics: false });
    const scheduler = r.scheduler({ counted: (team, outcome) => metrics.uptimeReports.inc({ team, outcome }) });
    const count = async () =>
      Object.fromEntries((await metrics.uptimeReports.get()).values.map((v) => [`${String(v.labels.team)} ${String(v.labels.outcome)}`, v.value]));

    // Thanos down: failed attempts, then the post once it is back.
    const october = scheduler.run('payments', 0, new Date('2026-11-01T09:00:00Z'));
    await until(() => r.asked.length >= 3, 'retries');
    r.state.up = true;
    await october;
    const failedAttempts = r.asked.length - 1;
    // A second run of the same period (another replica's timer), and a month-to-date run on the 1st.
    await scheduler.run('payments', 0, new Date('2026-11-01T09:00:00Z'));
    await scheduler.run('payments', 1, new Date('2026-12-01T00:00:00Z'));
    // A run that fails until newer runs supersede it: given up.
    r.state.up = false;
    const mtd = scheduler.run('payments', 1, new Date('2026-11-05T00:00:00Z'));
    await until(() => r.asked.length >= failedAttempts + 3, 'retries of the month-to-date run');
    r.state.now = Date.parse('2026-11-06T00:30:00Z');
    await mtd;
    await scheduler.stop();

    const counted = await count();
    expect(counted).toMatchObject({ 'payments queued': 1, 'payments already_queued': 1, 'payments skipped': 1, 'payments not_posted': 1 });
    expect(counted['payments attempt_failed']).toBeGreaterThanOrEqual(failedAttempts + 1);
    expect(await metrics.registry.metrics()).toContain('alertgate_uptime_reports_total{team="payments",outcome="not_posted"} 1');
  });
});

/** Just enough of a store for the scheduler, without I/O (fake timers drive the test). */
function memoryStore(): Store {
  const groups = new Map<string, GroupRecord>();
  let id = 0;
  const store: Partial<Store> = {
    async getGroup(gid) {
      return groups.get(gid);
    },
    async updateGroups(ids, decide) {
      const current = new Map(ids.flatMap((i) => (groups.has(i) ? [[i, groups.get(i)!] as const] : [])));
      const out: NotificationRecord[] = [];
      for (const w of decide(current)) {
        groups.set(w.group.id, w.group);
        for (const n of w.notifications) out.push({ ...n, id: ++id, reason: null, attempts: 0, claim: 0, lastError: null, createdAt: '', nextAttemptAt: null, sentAt: null });
      }
      return out;
    },
  };
  return store as Store;
}

describe('report schedules fire as cron (the maintenance windows) does across daylight saving', () => {
  async function firedBetween(reports: ReportConfig[], from: string, to: string) {
    vi.useFakeTimers({ now: new Date(from), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const r = rig(memoryStore(), reports);
    r.state.up = true;
    const scheduler = r.scheduler({ schedule: undefined, now: undefined, syncIntervalMs: 3_600_000 });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(Date.parse(to) - Date.parse(from));
    await scheduler.stop();
    const timers = vi.getTimerCount();
    vi.useRealTimers();
    return { asked: r.asked, timers };
  }

  it('a time the spring-forward skips fires when the clocks change (London Sunday, Berlin daily)', async () => {
    const { asked } = await firedBetween(
      [
        { schedule: '30 1 * * 0', period: 'previous-week', channel: '#leads', timezone: 'Europe/London' },
        { schedule: '30 2 * * *', period: 'previous-day', channel: '#leads', timezone: 'Europe/Berlin' },
      ],
      '2026-03-27T12:00:00Z',
      '2026-03-30T12:00:00Z',
    );
    // Berlin 02:30 on the 28th (CET) and 30th (CEST); on the 29th, 03:00 CEST (01:00Z) when
    // 02:00 CET became 03:00 CEST; London 01:30 on the 29th does not exist: 02:00 BST (01:00Z).
    expect(asked.sort()).toEqual(['2026-03-28T01:30:00Z', '2026-03-29T01:00:00Z', '2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z']);
  });

  it('a time the fall-back repeats fires once, at its first occurrence', async () => {
    const { asked } = await firedBetween([{ schedule: '30 1 * * *', period: 'previous-day', channel: '#leads', timezone: 'Europe/London' }], '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z');
    expect(asked).toEqual(['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z']);
  });

  it('fires past the longest timer Node keeps (a yearly report), and leaves no timer after stop()', async () => {
    const { asked, timers } = await firedBetween([{ schedule: '0 9 1 1 *', period: 'previous-month', channel: '#leads', timezone: 'UTC' }], '2026-06-01T00:00:00Z', '2027-01-01T09:00:01Z');
    expect(asked).toEqual(['2027-01-01T09:00:00Z']);
    expect(timers).toBe(0);
  });

  it('every minute: one post per period, and Thanos is not asked again once it was posted', async () => {
    const { asked } = await firedBetween([{ schedule: '* * * * *', period: 'previous-month', channel: '#leads', timezone: 'UTC' }], '2026-11-02T10:00:30Z', '2026-11-02T10:03:30Z');
    expect(asked).toEqual(['2026-11-02T10:01:00Z']);
  });
});
