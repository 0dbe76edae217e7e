/**
 * A day without a single sample has no downtime figure: the team page's day-by-day table, the CSV
 * and the CLI table say "no data" (the CSV: an empty cell), never "0s" / 0, which read as a day
 * fully up beside "No incidents known: nothing was measured". A day measured for part of its
 * hours keeps its figures. Real Prometheus (the uptime fixture: platform's api is probed only
 * 10–12 October UTC, prisons' legacy never), real gateway over HTTP, the CLI in process.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { requireBinary } from '../src/testing/binaries.js';
import { formatDuration } from '../src/uptime/format.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { useUptimeRig } from './support/uptime-rig.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const rig = useUptimeRig({ promtool, prometheus });

/** In London, 9 and 14 October have no sample of api; 10 and 13 only some hours (UTC midnights are 01:00 BST). */
const RANGE = 'from=2026-10-09&to=2026-10-15&tz=Europe/London';

async function get(path: string, accept = 'application/json'): Promise<string> {
  const res = await fetch(`${rig().t.gw.url}${path}`, { headers: { accept } });
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return body;
}

/** The rows of a service's day-by-day table on its team page: date, then each cell's text. */
function dayRows(html: string, service: string): Map<string, string[]> {
  const section = new RegExp(`<section id="service-${service}".*?</section>`, 's').exec(html)?.[0] ?? '';
  const table = /<caption>Daily uptime of .*?<\/caption>(.*?)<\/table>/s.exec(section)?.[1] ?? '';
  const rows = new Map<string, string[]>();
  for (const [, date, cells] of table.matchAll(/<tr><th scope="row">(.*?)<\/th>(.*?)<\/tr>/gs)) {
    rows.set(date!, [...cells!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((m) => m[1]!));
  }
  return rows;
}

describe.skipIf(!promtool || !prometheus)('days without samples', () => {
  it('the team page: a day with no sample says no data for its downtime; a partly measured day keeps its figures', async () => {
    const report = JSON.parse(await get(`/v1/uptime?team=platform&${RANGE}`)) as UptimeReport;
    const api = report.services.find((s) => s.service === 'api')!;
    expect(api.daily.map((d) => [d.date, d.uptimePercent === null, d.noDataSeconds > 0])).toEqual([
      ['2026-10-09', true, true],
      ['2026-10-10', false, true],
      ['2026-10-11', false, false],
      ['2026-10-12', false, false],
      ['2026-10-13', false, true],
      ['2026-10-14', true, true],
    ]);
    const rows = dayRows(await get(`/uptime/platform?${RANGE}`, 'text/html'), 'api');
    expect([...rows.keys()]).toEqual(api.daily.map((d) => d.date));
    // Uptime, Down, No data, Compared with objective.
    expect(rows.get('2026-10-09')).toEqual(['no data', 'no data', '1d 0h', 'no data']);
    expect(rows.get('2026-10-14')).toEqual(['no data', 'no data', '1d 0h', 'no data']);
    for (const date of ['2026-10-10', '2026-10-11', '2026-10-12', '2026-10-13']) {
      const d = api.daily.find((x) => x.date === date)!;
      expect(rows.get(date)![1], date).toBe(formatDuration(d.downSeconds));
      expect(rows.get(date)![2], date).toBe(formatDuration(d.noDataSeconds));
    }
    // Measured 23 of its 24 hours, 10 October is not "no data".
    expect(rows.get('2026-10-10')![2]).toBe('1h 0m');

    // Never measured at all: every day of its table.
    const legacy = dayRows(await get('/uptime/prisons?month=2026-10&tz=Europe/London', 'text/html'), 'legacy');
    expect(legacy.size).toBe(31);
    for (const [date, cells] of legacy) expect(cells[1], date).toBe('no data');
  });

  it('the CSV leaves down_seconds empty for a day with no sample (and a range with none), as it leaves uptime_percent', async () => {
    const csv = (await get(`/v1/uptime.csv?team=platform&${RANGE}`)).trimEnd().split('\r\n');
    const row = (date: string) => csv.find((r) => r.startsWith(`platform,api,${date},`))!.split(',');
    // uptime_percent, down_seconds, no_data_seconds
    expect([3, 5, 6].map((c) => row('2026-10-09')[c])).toEqual(['', '', '86400']);
    expect([3, 5, 6].map((c) => row('2026-10-14')[c])).toEqual(['', '', '86400']);
    expect(row('2026-10-10')[5]).toMatch(/^\d+(\.\d+)?$/);
    expect(row('2026-10-10')[6]).toBe('3600');
    expect(row('total')[5]).toMatch(/^\d+(\.\d+)?$/);

    const prisons = (await get('/v1/uptime.csv?team=prisons&month=2026-10&tz=Europe/London')).trimEnd().split('\r\n');
    const legacy = prisons.filter((r) => r.startsWith('prisons,legacy,')).map((r) => r.split(','));
    expect(legacy).toHaveLength(32);
    for (const cells of legacy) expect(cells[5], cells[2]).toBe('');
  });

  it('the CLI table says no data for the downtime and incidents of a service never measured', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env: { ALERTGATE_CONFIG_DIR: rig().fx.configDir, THANOS_URL: rig().fx.prometheus.url }, cwd: rig().fx.dir };
    const code = await main(['uptime', '--team', 'prisons', '--month', '2026-10', '--tz', 'Europe/London'], io);
    expect(code, err.join('')).toBe(0);
    const table = out.join('');
    const line = table.split('\n').find((l) => l.startsWith('legacy '))!;
    // SERVICE UPTIME OBJECTIVE DOWN NO DATA BUDGET INCIDENTS
    expect(line.split(/ {2,}/)).toEqual(['legacy', 'no data', '99%', 'no data', '31d 1h', 'no data (nothing measured)', 'no data']);
    // book-a-visit, measured all month, keeps its figures.
    expect(table).toMatch(/^book-a-visit\s+100\.0000%\s+99\.9%\s+0s\s+0s\s+healthy \(100\.0% left\)\s+0$/m);
  });
});
