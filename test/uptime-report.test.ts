/**
 * Uptime reports against a real Prometheus serving 90 days of generated probe samples: the JSON
 * report matches ground truth computed from the very samples written (uptime to 0.001 points,
 * incidents and no-data time to one scrape interval), over UTC days and over a Europe/London
 * month with the October clock change; the CSV and the CLI say the same.
 */
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { CliIO } from '../src/cli/io.js';
import { requireBinary } from '../src/testing/binaries.js';
import { roundDown } from '../src/uptime/format.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { createThanosClient } from '../src/uptime/thanos-client.js';
import { ADMIN_TOKEN } from './support/gateway.js';
import { DATA_FROM, DATA_TO, plan, trueIncidents, trueUptime } from './support/prometheus-uptime-fixture.js';
import { useUptimeRig } from './support/uptime-rig.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const DAY = 86_400_000;
const HOUR = 3_600_000;

const rig = useUptimeRig({ promtool, prometheus });

async function getReport(query: string): Promise<UptimeReport> {
  const res = await fetch(`${rig().t.gw.url}/v1/uptime?${query}`);
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return JSON.parse(body) as UptimeReport;
}

function service(report: UptimeReport, name: string) {
  const s = report.services.find((x) => x.service === name);
  if (!s) throw new Error(`no ${name} in report`);
  return s;
}

function intervalOf(name: string): number {
  return Math.max(...plan(name).series.map((s) => s.intervalMs)) / 1000;
}

/** Incidents of the report equal the truth, each end within one scrape interval. */
function expectIncidents(report: UptimeReport, name: string, from: number, to: number): void {
  const truth = trueIncidents(name, from, to);
  const got = service(report, name).incidents;
  expect(got.map((i) => i.start.slice(0, 16)), name).toEqual(truth.map((i) => new Date(i.start).toISOString().slice(0, 16)));
  const slack = intervalOf(name) * 1000;
  got.forEach((inc, k) => {
    expect(Math.abs(Date.parse(inc.start) - truth[k]!.start)).toBeLessThanOrEqual(slack);
    expect(Math.abs(Date.parse(inc.end) - truth[k]!.end)).toBeLessThanOrEqual(slack);
    expect(inc.seconds).toBeCloseTo((Date.parse(inc.end) - Date.parse(inc.start)) / 1000, 3);
  });
}

describe.skipIf(!promtool || !prometheus)('uptime report from a real Prometheus', () => {
  it('90 UTC days: uptime, daily figures, incidents and no-data time match the generated samples', async () => {
    const report = await getReport('team=payments&from=2026-08-03&to=2026-11-01');
    expect(report).toMatchObject({ team: 'payments', from: '2026-08-03T00:00:00Z', to: '2026-11-01T00:00:00Z', tz: 'UTC', warnings: [] });
    expect(report.services.map((s) => s.service)).toEqual(['checkout', 'basket', 'search']);

    for (const name of ['checkout', 'basket', 'search']) {
      const s = service(report, name);
      expect(Math.abs(s.uptimePercent! - trueUptime(name, DATA_FROM, DATA_TO)!), name).toBeLessThan(0.001);
      expect(s.daily).toHaveLength(90);
      s.daily.forEach((d, i) => {
        const from = DATA_FROM + i * DAY;
        expect(d.date).toBe(new Date(from).toISOString().slice(0, 10));
        expect(Math.abs(d.uptimePercent! - trueUptime(name, from, from + DAY)!), `${name} ${d.date}`).toBeLessThan(0.001);
      });
      expectIncidents(report, name, DATA_FROM, DATA_TO);
    }

    const checkout = service(report, 'checkout');
    // 30 + 25 + 1 + 80 down minutes; every minute sampled, so no time without data.
    expect(checkout.downSeconds).toBe(136 * 60);
    expect(checkout.noDataSeconds).toBe(0);
    expect(checkout.objective).toBe(99.9);
    // Allowed: 0.1% of 90 days = 7776 s; spent 8160 s: overspent, so negative.
    expect(checkout.errorBudgetRemainingPercent).toBeCloseTo((1 - 8160 / (0.001 * 90 * 86_400)) * 100, 6);
    expect(checkout.errorBudgetRemainingPercent).toBeLessThan(0);
    // The outage across midnight is one incident.
    expect(checkout.incidents[0]).toEqual({ start: '2026-08-20T23:50:00Z', end: '2026-08-21T00:20:00Z', seconds: 1800 });

    const basket = service(report, 'basket');
    expect(basket.intervalSeconds).toBe(30); // not configured: inferred from the samples
    expect(Math.abs(basket.noDataSeconds - 3 * 3600)).toBeLessThanOrEqual(30);
    expect(basket.daily.find((d) => d.date === '2026-09-15')!.noDataSeconds).toBeCloseTo(3 * 3600, -2);
    // The outage runs into the gap: it ends one interval after its last down sample.
    expect(basket.incidents[0]).toEqual({ start: '2026-09-15T02:40:13Z', end: '2026-09-15T03:00:13Z', seconds: 1200 });

    // Two replicas' overlapping outages: one incident from the first down sample to the last recovery.
    const search = service(report, 'search');
    expect(search.incidents).toEqual([{ start: '2026-09-01T06:00:20Z', end: '2026-09-01T08:00:40Z', seconds: 7220 }]);
  });

  it('days without samples are null, counted as no data, never as up', async () => {
    const report = await getReport('team=prisons&from=2026-08-03&to=2026-11-01');
    const late = service(report, 'book-a-visit');
    expect(late.daily.slice(0, 7).map((d) => d.uptimePercent)).toEqual([null, null, null, null, null, null, null]);
    expect(late.daily[7]!.uptimePercent).toBe(100);
    expect(Math.abs(late.noDataSeconds - 7 * 86_400)).toBeLessThanOrEqual(60);
    expect(late.uptimePercent).toBe(100);

    const legacy = service(report, 'legacy');
    expect(legacy).toMatchObject({ uptimePercent: null, errorBudgetRemainingPercent: null, downSeconds: 0, noDataSeconds: 90 * 86_400, incidents: [] });
    expect(legacy.daily.every((d) => d.uptimePercent === null)).toBe(true);
  });

  it('a densely sampled service (4 probes every 15 s): incidents are found hour by hour, exactly', async () => {
    const report = await getReport('team=platform&from=2026-10-10&to=2026-10-13');
    const api = service(report, 'api');
    const [from, to] = [Date.UTC(2026, 9, 10), Date.UTC(2026, 9, 13)];
    expect(Math.abs(api.uptimePercent! - trueUptime('api', from, to)!)).toBeLessThan(0.001);
    expect(api.intervalSeconds).toBe(15);
    expect(api.noDataSeconds).toBe(0);
    expectIncidents(report, 'api', from, to);
    expect(api.incidents.map((i) => [i.start, i.end])).toEqual([
      ['2026-10-11T13:20:04Z', '2026-10-11T13:47:34Z'],
      ['2026-10-11T23:58:07Z', '2026-10-12T00:03:07Z'],
    ]);
    // Four probes, one of them down: a quarter of the outage counts as downtime.
    expect(api.downSeconds).toBeCloseTo((1650 + 300) / 4, 0);
  });

  it('a Europe/London month with the October clock change: 31 days, one of 25 hours, totals exact', async () => {
    const report = await getReport('team=payments&month=2026-10&tz=Europe/London');
    // 1 October 00:00 BST is 30 September 23:00 UTC; 1 November 00:00 GMT is midnight UTC.
    expect(report).toMatchObject({ from: '2026-09-30T23:00:00Z', to: '2026-11-01T00:00:00Z', tz: 'Europe/London' });
    const dayStart = (d: number) => Date.UTC(2026, 9, d) - (d <= 25 ? HOUR : 0);
    const from = dayStart(1);
    const to = Date.UTC(2026, 10, 1);
    for (const name of ['checkout', 'basket', 'search']) {
      const s = service(report, name);
      expect(s.daily.map((d) => d.date)).toEqual(Array.from({ length: 31 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')}`));
      expect(Math.abs(s.uptimePercent! - trueUptime(name, from, to)!), name).toBeLessThan(0.001);
      s.daily.forEach((d, i) => {
        const start = dayStart(i + 1);
        const end = i === 30 ? to : dayStart(i + 2);
        expect(Math.abs(d.uptimePercent! - trueUptime(name, start, end)!), `${name} ${d.date}`).toBeLessThan(0.001);
      });
      expect(s.noDataSeconds).toBe(0);
      expectIncidents(report, name, from, to);
    }
    const checkout = service(report, 'checkout');
    const dst = checkout.daily.find((d) => d.date === '2026-10-25')!;
    // 25 hours of minutes, 80 of them down: the day is measured whole, with no time missing.
    expect(dst.uptimePercent).toBeCloseTo(((1500 - 80) / 1500) * 100, 9);
    expect(dst).toMatchObject({ downSeconds: 4800, noDataSeconds: 0 });
    expect(checkout.incidents.at(-1)).toEqual({ start: '2026-10-25T00:50:00Z', end: '2026-10-25T02:10:00Z', seconds: 4800 });
    expect(checkout.downSeconds).toBe((1 + 80) * 60);

    // The same month given as dates is the same report.
    expect(await getReport('team=payments&from=2026-10-01&to=2026-11-01&tz=Europe/London')).toEqual(report);
  });

  it('an RFC3339 offset typed into the URL (its + arrives as a space) is the instant it names', async () => {
    const report = await getReport('team=payments&from=2026-10-01T00:00:00+01:00&to=2026-10-02T00:00:00+01:00');
    expect(report).toMatchObject({ from: '2026-09-30T23:00:00Z', to: '2026-10-01T23:00:00Z' });
  });

  it('CSV: one row per service and day plus a total row, the same figures as the JSON', async () => {
    const query = 'team=payments&month=2026-10&tz=Europe/London';
    const json = await getReport(query);
    const res = await fetch(`${rig().t.gw.url}/v1/uptime.csv?${query}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    // Named by the month's dates in London, not by its UTC start (2026-09-30).
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="uptime-payments-2026-10-01-2026-11-01.csv"');
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('team,service,date,uptime_percent,objective_percent,down_seconds,no_data_seconds,error_budget_remaining_percent,incidents,maintenance_seconds');
    expect(lines).toHaveLength(1 + 3 * 32);
    const total = lines.find((l) => l.startsWith('payments,checkout,total,'))!.split(',');
    const checkout = service(json, 'checkout');
    // Rounded down to 4 decimals, as every output rounds (99.81879… is 99.8187, not 99.8188).
    expect(total[3]).toBe(String(roundDown(checkout.uptimePercent!, 4)));
    expect(Number(total[3])).toBeLessThanOrEqual(checkout.uptimePercent!);
    expect(Number(total[5])).toBe(checkout.downSeconds);
    expect(Number(total[8])).toBe(checkout.incidents.length);
    expect(lines).toContain('payments,checkout,2026-10-25,94.6666,99.9,4800,0,,,0'); // 1420 / 1500 = 94.66666…%
  });

  it('CSV of a range ending during a day (month to date): the file name\'s excluded date is the day after its last row', async () => {
    // Until 09:00 BST on 12 October: rows 5 … 12 October, so the name ends 2026-10-13 (excluded,
    // as every range's second date); it said 2026-10-12, as if the 12th were not in the file.
    const res = await fetch(`${rig().t.gw.url}/v1/uptime.csv?team=payments&from=2026-10-05&to=2026-10-12T08:00:00Z&tz=Europe/London`);
    expect(res.status).toBe(200);
    const dates = [...new Set((await res.text()).trimEnd().split('\r\n').slice(1).map((l) => l.split(',')[2]))].filter((d) => d !== 'total');
    expect([dates[0], dates.at(-1)]).toEqual(['2026-10-05', '2026-10-12']);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="uptime-payments-2026-10-05-2026-10-13.csv"');
  });

  it('the CLI prints the same report as JSON, and a table for people', async () => {
    const run = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ALERTGATE_CONFIG_DIR: rig().fx.configDir, THANOS_URL: rig().fx.prometheus.url }, cwd: rig().fx.dir };
      const code = await main(['uptime', ...args], io);
      return { code, out: out.join(''), err: err.join('') };
    };
    const json = await run(['--team', 'payments', '--month', '2026-10', '--tz', 'Europe/London', '--format', 'json']);
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out)).toEqual(await getReport('team=payments&month=2026-10&tz=Europe/London'));

    const table = await run(['--team', 'payments', '--from', '2026-10-01', '--to', '2026-11-01', '--tz', 'Europe/London']);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/^SERVICE\s+UPTIME\s+OBJECTIVE/m);
    expect(table.out).toMatch(/^checkout\s+99\.\d{4}%\s+99\.9%\s+1h 21m/m);
    // Incident times in the report's zone, as the page shows them (the clock change included).
    expect(table.out).toMatch(/checkout\s+2026-10-25 01:50:00 BST\s+2026-10-25 02:10:00 GMT\s+1h 20m/);

    const bad = await run(['--team', 'payments', '--period', 'fortnight']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--period');
  });

  it('the CLI excludes the maintenance windows of routes/, as the gateway does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-cli-maintenance-'));
    try {
      await cp(rig().fx.configDir, dir, { recursive: true });
      const window = ['maintenance:', '  - reason: "clock change"', '    start: "2026-10-25T00:00:00Z"', '    end: "2026-10-25T01:30:00Z"', '    matchers: [\'service="checkout"\']', ''];
      await appendFile(join(dir, 'routes', 'payments.yaml'), window.join('\n'));
      const out: string[] = [];
      const err: string[] = [];
      const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ALERTGATE_CONFIG_DIR: dir, THANOS_URL: rig().fx.prometheus.url }, cwd: dir };
      const code = await main(['uptime', '--team', 'payments', '--month', '2026-10', '--tz', 'Europe/London', '--format', 'json'], io);
      expect(code, err.join('')).toBe(0);
      const checkout = service(JSON.parse(out.join('')) as UptimeReport, 'checkout');
      // The outage of 00:50–02:10 UTC on 25 October: its first 40 minutes fall inside the window.
      expect(checkout).toMatchObject({ downSeconds: 4860 - 2400, maintenanceSeconds: 5400, maintenance: [{ start: '2026-10-25T00:00:00Z', end: '2026-10-25T01:30:00Z', reason: 'clock change' }] });
      expect(checkout.incidents[1]).toMatchObject({ start: '2026-10-25T00:50:00Z', seconds: 4800, maintenanceSeconds: 2400 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('splits a range query of more than 11,000 points per series (Prometheus would refuse it)', async () => {
    const client = createThanosClient({ url: rig().fx.prometheus.url });
    const start = Date.UTC(2026, 8, 1);
    const end = start + 5 * DAY; // 14,401 steps of 30 s
    const { series } = await client.range('probe_success{instance="https://basket.example"}', start, end, 30_000, '0s');
    expect(series).toHaveLength(1);
    expect(series[0]!.samples).toHaveLength(14_401);
    expect(series[0]!.samples.at(-1)!.t).toBe(end);
  });

  it('an outage inside a maintenance window is not downtime, and is reported as maintenance', async () => {
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const created = await fetch(`${rig().t.gw.url}/v1/maintenance`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ team: 'payments', matchers: ['service="checkout"'], start: '2026-08-20T23:40:00Z', end: '2026-08-21T00:30:00Z', reason: 'load balancer swap' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    try {
      const report = await getReport('team=payments&from=2026-08-03&to=2026-11-01');
      const checkout = service(report, 'checkout');
      // The 30-minute outage across midnight falls inside the window: 136 − 30 down minutes remain.
      expect(checkout.downSeconds).toBe(106 * 60);
      expect(checkout.maintenanceSeconds).toBe(50 * 60);
      expect(checkout.maintenance).toEqual([{ start: '2026-08-20T23:40:00Z', end: '2026-08-21T00:30:00Z', reason: 'load balancer swap' }]);
      expect(checkout.incidents[0]).toMatchObject({ start: '2026-08-20T23:50:00Z', seconds: 1800, maintenanceSeconds: 1800 });
      expect(checkout.errorBudgetRemainingPercent).toBeCloseTo((1 - 6360 / (0.001 * 90 * 86_400)) * 100, 6);
      expect(checkout.daily.find((d) => d.date === '2026-08-21')!.maintenanceSeconds).toBe(30 * 60);
      // Other services are not covered by the window's matchers.
      expect(service(report, 'basket').maintenanceSeconds).toBe(0);
      // /openapi.json describes every field such a report has (it lacked the maintenance ones).
      expect([...new Set(undescribedFields(report, await uptimeReportSchema()))]).toEqual([]);

      // The window ended over a week ago: the next window created moves it out of the team's
      // state (and of the list), but the reports of its period stay as they were.
      const later = await fetch(`${rig().t.gw.url}/v1/maintenance`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ team: 'payments', start: '2030-01-01T00:00:00Z', end: '2030-01-01T01:00:00Z', reason: 'another window' }),
      });
      expect(later.status).toBe(201);
      await fetch(`${rig().t.gw.url}/v1/maintenance/${((await later.json()) as { id: string }).id}`, { method: 'DELETE', headers });
      const listed = (await (await fetch(`${rig().t.gw.url}/v1/maintenance?team=payments`)).json()) as { items: { id: string }[] };
      expect(listed.items.map((w) => w.id)).not.toContain(id);
      expect(await getReport('team=payments&from=2026-08-03&to=2026-11-01')).toEqual(report);
    } finally {
      // Deleted from the archive too: later tests see no window.
      expect((await fetch(`${rig().t.gw.url}/v1/maintenance/${id}`, { method: 'DELETE', headers })).status).toBe(204);
    }
    const after = service(await getReport('team=payments&from=2026-08-03&to=2026-11-01'), 'checkout');
    expect(after).toMatchObject({ downSeconds: 136 * 60, maintenanceSeconds: 0, maintenance: [] });
  });
});

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

async function uptimeReportSchema(): Promise<JsonSchema> {
  const doc = (await (await fetch(`${rig().t.gw.url}/openapi.json`)).json()) as { components: { schemas: Record<string, JsonSchema> } };
  return doc.components.schemas.UptimeReport!;
}

/** Paths of fields in `value` that `schema` has no property for (arrays: every item). */
function undescribedFields(value: unknown, schema: JsonSchema, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => (schema.items ? undescribedFields(v, schema.items, `${path}[]`) : []));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const sub = schema.properties?.[k];
    return sub ? undescribedFields(v, sub, `${path}.${k}`) : [`${path}.${k}`];
  });
}
