/**
 * Scheduled uptime summaries: a `reports:` entry fires (a captured schedule handle, so the test
 * picks the moment), the report for its period is computed from a real Prometheus, and exactly
 * one Slack message reaches the fake Slack through the durable outbox, however often or by how
 * many replicas it fires. A Thanos outage is retried with backoff until the post is queued, and
 * every failed attempt is logged, never silent; a post missed while alertgate was down is posted
 * at the next start. (The real cron timer: src/uptime/report-scheduler.test.ts, fake timers.)
 */
import { describe, expect, it } from 'vitest';
import type { RoutingConfig, TeamConfig } from '../src/config/types.js';
import { createLogger } from '../src/log/logger.js';
import { requireBinary } from '../src/testing/binaries.js';
import { freeTcpPort } from '../src/testing/free-port.js';
import { fileChecksSource } from '../src/uptime/checks-source.js';
import { createReportScheduler, type ScheduleFn } from '../src/uptime/report-scheduler.js';
import { formatDuration } from '../src/uptime/format.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { createUptimeService } from '../src/uptime/service.js';
import { createThanosClient } from '../src/uptime/thanos-client.js';
import { waitUntil } from './support/gateway.js';
import { useUptimeRig } from './support/uptime-rig.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');

const rig = useUptimeRig({ promtool, prometheus });

/** A schedule that never fires by itself: the test fires the captured tasks. */
function capturingSchedule() {
  const tasks: Array<{ expr: string; tz: string; fire: (at: Date) => void; stopped: boolean }> = [];
  const schedule: ScheduleFn = (expr, tz, fn) => {
    const task = { expr, tz, fire: fn, stopped: false };
    tasks.push(task);
    return { stop: () => void (task.stopped = true) };
  };
  return { tasks, schedule };
}

function uptimeFor(client = createThanosClient({ url: rig().fx.prometheus.url })) {
  return createUptimeService({ client, checks: fileChecksSource({ configDir: rig().fx.configDir, env: {}, routeTeams: () => rig().t.gw.config.current()?.teams.keys() }) });
}

/** The gateway's routing with payments' reports replaced (or, given `byTeam`, those teams'). */
function routingWith(reports: TeamConfig['reports'], byTeam: Record<string, TeamConfig['reports']> = { payments: reports }): RoutingConfig {
  const current = rig().t.gw.config.current()!;
  const teams = new Map(current.teams);
  for (const [team, r] of Object.entries(byTeam)) teams.set(team, { ...teams.get(team)!, reports: r });
  return { ...current, teams };
}

const posts = (channel: string) =>
  rig().fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.channel === channel);

describe.skipIf(!promtool || !prometheus)('scheduled uptime summaries', () => {
  it('the monthly report posts one Slack summary of the previous London month, once per period', async () => {
    const logs: string[] = [];
    const replicas = [capturingSchedule(), capturingSchedule()];
    const schedulers = replicas.map((r) =>
      createReportScheduler({
        routing: () => rig().t.gw.config.current(),
        uptime: uptimeFor(),
        store: rig().t.gw.store,
        onEnqueued: () => rig().t.gw.worker.wake(),
        logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
        schedule: r.schedule,
        publicUrl: 'https://alertgate.example',
      }),
    );
    for (const s of schedulers) s.start();
    // routes/payments.yaml: schedule "0 9 1 * *", period previous-month, Europe/London, #payments-leads.
    expect(replicas[0]!.tasks.map((x) => [x.expr, x.tz])).toEqual([['0 9 1 * *', 'Europe/London']]);

    // 1 November 2026 09:00 in London: the task fires on both replicas.
    for (const r of replicas) r.tasks[0]!.fire(new Date('2026-11-01T09:00:00Z'));
    // The report queries a real Prometheus for a month first: 20 s, not the fake's default 5, on a loaded machine.
    const post = await rig().fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#payments-leads', 20_000);
    await waitUntil(() => logs.some((l) => l.includes('uptime report for this period was already queued')), 10_000, 'the second replica');
    // Running again later that day (a restarted replica catching up) is the same period.
    await expect(schedulers[0]!.run('payments', 0, new Date('2026-11-01T15:00:00Z'))).resolves.toMatchObject({ status: 'already-posted' });

    expect(post.body.text).toContain('Uptime for payments: October 2026');
    // 1 − 81/44 700 = 99.8188%: shown rounded down, never better than it was.
    expect(post.body.text).toContain('checkout 99.818%');
    const blocks = JSON.stringify(post.body.blocks);
    expect(blocks).toContain('*checkout* 99.818% (objective 99.9%)');
    expect(blocks).toContain('budget exhausted');
    // The range in London time, as the HTML page shows it (not 2026-09-30T23:00:00Z).
    expect(blocks).toContain('2026-10-01 00:00:00 BST to 2026-11-01 00:00:00 GMT (end excluded; days in Europe/London)');
    // The month reported, not `period=previous-month` (another month by the time it is clicked).
    expect(blocks).toContain('https://alertgate.example/uptime/payments?month=2026-10&amp;tz=Europe%2FLondon');
    await rig().t.idle();
    expect(posts('#payments-leads')).toHaveLength(1);

    for (const s of schedulers) await s.stop();
    expect(replicas.every((r) => r.tasks.every((x) => x.stopped))).toBe(true);
  });

  it('a service never measured in the month says it had no data, not "down 0s · 0 incidents"; one measured for part of it, how long it had none, as the page and CSV say', async () => {
    const monthly = (channel: string) => [{ schedule: '0 9 1 * *', period: 'previous-month' as const, channel, timezone: 'Europe/London' }];
    const scheduler = createReportScheduler({
      // prisons' legacy is never probed; platform's api only 10–13 October.
      routing: () => routingWith([], { prisons: monthly('#prisons-leads'), platform: monthly('#platform-leads') }),
      uptime: uptimeFor(),
      store: rig().t.gw.store,
      onEnqueued: () => rig().t.gw.worker.wake(),
      logger: createLogger({ level: 'info', write: () => {} }),
      schedule: capturingSchedule().schedule,
    });
    const at = new Date('2026-11-01T09:00:00Z');
    for (const team of ['prisons', 'platform']) await expect(scheduler.run(team, 0, at)).resolves.toMatchObject({ status: 'enqueued' });
    const line = async (channel: string, service: string) => {
      const post = await rig().fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === channel, 20_000);
      const sections = (post.body.blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.type === 'section').map((b) => b.text!.text);
      return sections.find((t) => t.includes(`*${service}*`))!;
    };
    // The figures the page and the CSV show for the same month.
    const october = async (team: string, service: string) => {
      const r = (await (await fetch(`${rig().t.gw.url}/v1/uptime?team=${team}&month=2026-10&tz=Europe/London`)).json()) as UptimeReport;
      const csv = await (await fetch(`${rig().t.gw.url}/v1/uptime.csv?team=${team}&month=2026-10&tz=Europe/London`)).text();
      return { s: r.services.find((x) => x.service === service)!, total: csv.split('\r\n').find((row) => row.startsWith(`${team},${service},total,`))!.split(',') };
    };

    const legacy = await october('prisons', 'legacy');
    // The CSV: no uptime, no budget (empty cells mean no data), and the whole London month (31 days and the hour of 25 October) without data.
    expect([legacy.total[3], legacy.total[6], legacy.total[7]]).toEqual(['', String(31 * 86_400 + 3600), '']);
    const never = await line('#prisons-leads', 'legacy');
    expect(never).toBe(`:white_circle: *legacy* no data (objective 99%) · no data ${formatDuration(legacy.s.noDataSeconds)} (the whole range: neither up nor down) · budget no data, nothing measured`);
    expect(never).not.toMatch(/down 0s|0 incidents/);
    // The team page says the same: no downtime and no "No incidents" claimed for it.
    const html = await (await fetch(`${rig().t.gw.url}/uptime/prisons?month=2026-10&tz=Europe/London`, { headers: { accept: 'text/html' } })).text();
    const section = /<section id="service-legacy".*?<\/section>/s.exec(html)?.[0] ?? '';
    const figures = [...section.matchAll(/<dt>(.*?)<\/dt>\s*<dd>(.*?)<\/dd>/gs)].map((m) => `${m[1]}: ${m[2]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()}`);
    expect(figures.slice(0, 4)).toEqual(['Uptime: no data', 'Objective: 99%', 'Downtime: no data', `No data: ${formatDuration(legacy.s.noDataSeconds)}`]);
    expect(section).toContain('No incidents known: nothing was measured in this period (no data).');
    expect(section).not.toContain('No incidents in this period.');

    // Measured 3 of 31 days: its uptime is of those days, and the post says how long it had no data, in the page's words.
    const api = await october('platform', 'api');
    expect(api.total[6]).toBe(String(api.s.noDataSeconds));
    expect(api.s.noDataSeconds).toBe(28 * 86_400 + 3600);
    expect(await line('#platform-leads', 'api')).toContain(` · no data ${formatDuration(api.s.noDataSeconds)} (not counted) · `);
    // Measured for part of the month, its page keeps its figures.
    const platform = await (await fetch(`${rig().t.gw.url}/uptime/platform?month=2026-10&tz=Europe/London`, { headers: { accept: 'text/html' } })).text();
    const apiSection = /<section id="service-api".*?<\/section>/s.exec(platform)?.[0] ?? '';
    expect(apiSection).toContain(`<dt>Downtime</dt><dd>${formatDuration(api.s.downSeconds)}</dd>`);
    await rig().t.idle();
    await scheduler.stop();
  });

  it('Thanos down: retried with backoff until it answers, each failure logged', async () => {
    const logs: string[] = [];
    const retries = () => logs.filter((l) => l.includes('uptime report failed; retrying')).length;
    // Thanos refuses connections until the scheduler has retried twice.
    const flaky: typeof fetch = async (input, init) => {
      if (retries() < 2) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      return fetch(input, init);
    };
    const routing = () => routingWith([{ schedule: '0 9 * * 1', period: 'previous-week', channel: '#payments-weekly' }]);
    const make = (client: ReturnType<typeof createThanosClient>, at: Date) =>
      createReportScheduler({
        routing,
        uptime: uptimeFor(client),
        store: rig().t.gw.store,
        onEnqueued: () => rig().t.gw.worker.wake(),
        logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
        schedule: capturingSchedule().schedule,
        retry: { delayMs: 10 },
        now: () => at.getTime() + 60_000, // a minute after the run: newer runs have not superseded it
      });

    // Two failed attempts (the client does not retry here), then Thanos answers: posted once.
    const monday = new Date('2026-10-26T09:00:00Z');
    const recovering = make(createThanosClient({ url: rig().fx.prometheus.url, retries: 0, fetch: flaky }), monday);
    const ok = await recovering.run('payments', 0, monday);
    expect(ok.status).toBe('enqueued');
    expect(retries()).toBe(2);
    const post = await rig().fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#payments-weekly');
    expect(post.body.text).toContain('Uptime for payments: week of 2026-10-19');

    // Thanos never answers: every attempt is logged with the reason, and retrying goes on
    // (beyond the 3 retries that used to end in "the next scheduled run will try again").
    const closed = `http://127.0.0.1:${await freeTcpPort()}`; // nothing listens there
    const nextMonday = new Date('2026-11-02T09:00:00Z');
    const down = make(createThanosClient({ url: closed, retries: 0 }), nextMonday);
    const failing = down.run('payments', 0, nextMonday);
    await waitUntil(() => retries() >= 2 + 5, 10_000, 'five failed attempts');
    const warnings = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'uptime report failed; retrying');
    expect(warnings.at(-1)).toMatchObject({ level: 'warn', team: 'payments', key: 'report:payments:0:2026-10-26T00:00:00Z', attempt: 5 });
    expect(String(warnings.at(-1)!.err)).toContain(`THANOS_URL=${closed}`);
    expect(String(warnings.at(-1)!.err)).toContain('ECONNREFUSED');
    // Stopping ends the retries; the log says the period is caught up at the next start.
    await down.stop();
    await expect(failing).resolves.toMatchObject({ status: 'failed' });
    expect(logs.some((l) => l.includes('stopped while retrying; it is caught up at the next start'))).toBe(true);
    await rig().t.idle();
    expect(posts('#payments-weekly')).toHaveLength(1);
  });

  it('a to-date report scheduled at 00:00 on the first day of its period skips that run, with an info log', async () => {
    const logs: string[] = [];
    const scheduler = createReportScheduler({
      routing: () => routingWith([{ schedule: '0 0 * * *', period: 'month-to-date', channel: '#payments-mtd' }, { schedule: '0 0 * * *', period: 'quarter', channel: '#payments-mtd' }]),
      uptime: uptimeFor(),
      store: rig().t.gw.store,
      onEnqueued: () => rig().t.gw.worker.wake(),
      logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
      schedule: capturingSchedule().schedule,
    });
    const first = new Date('2026-10-01T00:00:00Z'); // first of a month and of a quarter
    for (const index of [0, 1]) await expect(scheduler.run('payments', index, first)).resolves.toMatchObject({ status: 'skipped' });
    const levels = logs.map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(levels.filter((l) => l.msg.startsWith('uptime report skipped')).map((l) => l.level)).toEqual(['info', 'info']);
    expect(levels.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    // A day later there is a day to report.
    await expect(scheduler.run('payments', 0, new Date('2026-10-02T00:00:00Z'))).resolves.toMatchObject({ status: 'enqueued' });
    await scheduler.stop();
  });

  it('a monthly post missed while alertgate was down is posted at the next start, saying it is late', async () => {
    let clock = Date.parse('2026-10-20T12:00:00Z');
    // Index 1: its own outbox key, apart from the monthly report of the first test.
    const reports = [...rig().t.gw.config.current()!.teams.get('payments')!.reports, { schedule: '0 9 1 * *', period: 'previous-month', channel: '#payments-catchup', timezone: 'Europe/London' }];
    const make = () =>
      createReportScheduler({
        routing: () => routingWith(reports),
        uptime: uptimeFor(),
        store: rig().t.gw.store,
        onEnqueued: () => rig().t.gw.worker.wake(),
        logger: createLogger({ level: 'info', write: () => {} }),
        schedule: capturingSchedule().schedule,
        now: () => clock,
      });
    // Scheduled since 20 October; down over 1 November 09:00, back at 10:15.
    const before = make();
    before.start();
    await before.stop();
    clock = Date.parse('2026-11-01T10:15:00Z');
    const after = make();
    after.start();
    try {
      const post = await rig().fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#payments-catchup', 10_000);
      expect(post.body.text).toContain('Uptime for payments: October 2026');
      expect(post.body.text).toContain('checkout 99.818%');
      expect(post.body.text).toContain('posted late (due 2026-11-01 09:00:00 GMT): not posted at the scheduled time, caught up when alertgate started');
      await rig().t.idle();
      expect(posts('#payments-catchup')).toHaveLength(1);
    } finally {
      await after.stop();
    }
  });
});
